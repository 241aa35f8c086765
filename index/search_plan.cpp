#include "index/search_plan.hpp"

#include <limits>

namespace lh {

std::string_view to_string(search_plan p) {
  return p == search_plan::exact_scan ? "exact_scan" : "filtered_walk";
}

search_cost estimate_search_cost(size_t matching, size_t live, size_t beam,
                                 uint32_t m) {
  search_cost cost;
  cost.exact_scan = static_cast<double>(matching);
  auto selectivity = live == 0 ? 0.0
                               : static_cast<double>(matching)
                                   / static_cast<double>(live);
  if (selectivity < min_walk_selectivity) {
    cost.filtered_walk = std::numeric_limits<double>::infinity();
    return cost;
  }
  cost.filtered_walk = filtered_walk_overhead * walk_distances_per_beam_link
                       * static_cast<double>(beam) * static_cast<double>(m);
  return cost;
}

} // namespace lh
