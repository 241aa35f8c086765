// JSON -> lh::filter (index/filter.hpp) for the "filter" member of search,
// count, scroll and delete requests. A malformed filter is
// ec::invalid_argument naming the offending path ("filter.must[1].range")
// and value. Pure; tested on its own.
#pragma once

#include <string_view>

#include "config/error.hpp"
#include "index/filter.hpp"

namespace lh::json {

/// Parses `text`, which must hold one JSON object: the filter.
expected<filter> parse_filter(std::string_view text);

} // namespace lh::json
