// How a filtered search runs: an exact scan of the matching items when
// they are few, else the HNSW walk that only lets matching items into the
// result (Qdrant's full_scan_threshold idea, as a cost estimate). Used by
// index/vector_index. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lh {

enum class search_plan { exact_scan, filtered_walk };

std::string_view to_string(search_plan p);

/// Distance computations each plan is expected to cost, and the cheaper
/// plan. An exact scan computes one per matching item. A walk computes
/// about `walk_base_cost` per beam slot when everything matches; when a
/// fraction s of the items match, its result fills about 1/s times slower.
struct search_cost {
  double exact_scan = 0;
  double filtered_walk = 0;
  search_plan cheaper() const {
    return exact_scan <= filtered_walk ? search_plan::exact_scan
                                       : search_plan::filtered_walk;
  }
};

/// Distance computations per beam slot of an unfiltered walk, per link of
/// m (measured on fashion-mnist by bench/filter: a beam of 64 at m 16
/// computes ~1,400 distances).
inline constexpr double walk_distances_per_beam_link = 1.4;

search_cost estimate_search_cost(size_t matching, size_t live, size_t beam,
                                 uint32_t m);

inline search_plan plan_search(size_t matching, size_t live, size_t beam,
                               uint32_t m) {
  return estimate_search_cost(matching, live, beam, m).cheaper();
}

} // namespace lh
