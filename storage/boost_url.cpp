// Boost.URL's implementation, compiled once for the whole program (used
// header-only, so no libboost_url is needed): percent-coding of keys here,
// and the parsing of upstream URLs in http/.
#include <boost/url/src.hpp>
