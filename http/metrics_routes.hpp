// GET /metrics: the process's metrics in the Prometheus text format
// (config/metrics.hpp), plus series made at scrape time: with an index
// table, each index's length, estimated memory and queued changes. Open
// like /ready unless probes are keyed (http/access.hpp).
#pragma once

#include <memory>

#include "http/router.hpp"
#include "index/index_table.hpp"

namespace lh::http {

/// `table` may be null (storaged, the gateway).
void add_metrics_route(router& r, std::shared_ptr<const index_table> table);

/// The per-index series of `table`, appended to `out`.
void render_index_metrics(const index_table& table, std::string& out);

} // namespace lh::http
