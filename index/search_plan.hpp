// How a filtered search runs: an exact scan of the matching items when
// they are few, else the filtered HNSW walk (Qdrant's full_scan_threshold
// idea, as a cost estimate). Used by index/vector_index. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lh {

enum class search_plan { exact_scan, filtered_walk };

std::string_view to_string(search_plan p);

/// Distance computations each plan is expected to cost, and the cheaper
/// plan. An exact scan computes one per matching item. The filtered walk
/// scores only matching items, so it costs about an unfiltered walk's
/// distances whatever the selectivity; but below min_walk_selectivity its
/// recall falls (its two-hop reach no longer connects the matching items),
/// so there only the exact scan is planned.
struct search_cost {
  double exact_scan = 0;
  double filtered_walk = 0;
  search_plan cheaper() const {
    return exact_scan <= filtered_walk ? search_plan::exact_scan
                                       : search_plan::filtered_walk;
  }
};

// Measured on fashion-mnist (60k x 784, m 16, beam 64) by bench/filter:
// an unfiltered walk costs as much as an exact scan of ~1,500 items
// (1.4 per beam slot per link of m), a filtered walk 1.3-1.6 times an
// unfiltered one, and the walk's recall@10 is 0.97 at 10% selectivity but
// 0.66 at 1%.
inline constexpr double walk_distances_per_beam_link = 1.4;
inline constexpr double filtered_walk_overhead = 1.5;
inline constexpr double min_walk_selectivity = 0.05;

search_cost estimate_search_cost(size_t matching, size_t live, size_t beam,
                                 uint32_t m);

inline search_plan plan_search(size_t matching, size_t live, size_t beam,
                               uint32_t m) {
  return estimate_search_cost(matching, live, beam, m).cheaper();
}

} // namespace lh
