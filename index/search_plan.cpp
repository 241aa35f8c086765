#include "index/search_plan.hpp"

#include <algorithm>

namespace lh {

std::string_view to_string(search_plan p) {
  return p == search_plan::exact_scan ? "exact_scan" : "filtered_walk";
}

search_cost estimate_search_cost(size_t matching, size_t live, size_t beam,
                                 uint32_t m) {
  search_cost cost;
  cost.exact_scan = static_cast<double>(matching);
  if (matching == 0 || live == 0) {
    cost.filtered_walk = cost.exact_scan + 1; // nothing to walk towards
    return cost;
  }
  auto selectivity = static_cast<double>(matching) / static_cast<double>(live);
  auto unfiltered = walk_distances_per_beam_link * static_cast<double>(beam)
                    * static_cast<double>(m);
  // A walk never costs more than visiting every item.
  cost.filtered_walk = std::min(unfiltered / std::min(selectivity, 1.0),
                                static_cast<double>(live));
  return cost;
}

} // namespace lh
