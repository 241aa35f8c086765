// The HTTP request metrics of /metrics: requests by route, method and
// status, and latency histograms by route and method. The route is the
// pattern matched ("/v1/vectors/index/{name}/search"), so the number of
// series stays bounded whatever paths clients send. Used by http/session.
#pragma once

#include <string_view>

#include "http/message.hpp"

namespace lh::http {

/// Counts one answered request; `pattern` is empty when no route matched.
void count_request(std::string_view pattern, method verb, unsigned status,
                   double seconds);

} // namespace lh::http
