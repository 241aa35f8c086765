#include "http/metrics_routes.hpp"

#include "config/metrics.hpp"

namespace lh::http {

void render_index_metrics(const index_table& table, std::string& out) {
  auto snapshot = table.snapshot();
  using metrics::kind;
  metrics::write_header(out, "lakehouse_indexes", "Indexes served",
                        kind::gauge);
  metrics::write_sample(out, "lakehouse_indexes", {}, {},
                        static_cast<double>(snapshot->size()));
  const std::vector<std::string> by_index{"index"};
  // One family at a time, as the format wants: each walks the snapshot.
  auto family = [&](const char* name, const char* help, auto value) {
    metrics::write_header(out, name, help, kind::gauge);
    for (auto& [index_name, idx] : *snapshot)
      metrics::write_sample(out, name, by_index, {index_name},
                            static_cast<double>(value(*idx)));
  };
  family("lakehouse_index_length", "Live items of an index",
         [](const vector_index& i) { return i.length(); });
  family("lakehouse_index_memory_bytes",
         "Bytes an index holds, estimated (graph, ids, metadata, filters)",
         [](const vector_index& i) { return i.memory_bytes(); });
  family("lakehouse_index_queued_changes",
         "Changes waiting for (or being applied by) an index's actor",
         [](const vector_index& i) { return i.queued_changes(); });
}

void add_metrics_route(router& r, std::shared_ptr<const index_table> table) {
  r.add(method::get, "/metrics", [table](request&, respond_fn respond) {
    response res;
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    metrics::process().render(res.body);
    if (table)
      render_index_metrics(*table, res.body);
    respond(std::move(res));
  });
}

} // namespace lh::http
