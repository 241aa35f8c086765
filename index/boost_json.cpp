// Boost.JSON's implementation, compiled once for the whole program (it is
// used header-only, so no libboost_json is needed): the LHV1 envelope here,
// and the replies that are not on a hot path in http/.
#include <boost/json/src.hpp>
