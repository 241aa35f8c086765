// The LHV1 snapshot decoder and the index restore on arbitrary bytes: a
// blob from the store is trusted no further than its checks. Any input
// must be refused or give an index that answers searches; never a crash.
// (Most random inputs fail the CRC; the seed corpus holds valid blobs to
// mutate from.)
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "index/lhv1.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view blob{reinterpret_cast<const char*>(data), size};
  auto index = lh::lhv1::restore("docs", blob);
  if (index && *index) {
    std::vector<float> q((*index)->params().dimension, 0.5f);
    (void)(*index)->search(q, 5, 16);
  }
  return 0;
}
