// config/metrics: counters, gauges and histograms in labelled families,
// and their Prometheus text (scripts/smoke_metrics.sh reads a live
// server's with a real parser).
#include <gtest/gtest.h>

#include "config/metrics.hpp"

namespace {

using namespace lh::metrics;

TEST(metrics, families_render_as_prometheus_text) {
  registry r;
  auto& requests = r.counters("t_requests_total", "Requests", {"route"});
  requests.with({"/a"}).inc(3);
  requests.with({"/b\"\\\n"}).inc(); // escaped in the output
  EXPECT_EQ(&r.counters("t_requests_total", "ignored", {"route"}), &requests);
  r.gauges("t_depth", "Depth\nof it").get().set(2.5);
  std::string out;
  r.render(out);
  EXPECT_EQ(out, "# HELP t_requests_total Requests\n"
                 "# TYPE t_requests_total counter\n"
                 "t_requests_total{route=\"/a\"} 3\n"
                 "t_requests_total{route=\"/b\\\"\\\\\\n\"} 1\n"
                 "# HELP t_depth Depth\\nof it\n"
                 "# TYPE t_depth gauge\n"
                 "t_depth 2.5\n");
}

TEST(metrics, histogram_buckets_are_cumulative) {
  registry r;
  auto& h = r.histograms("t_seconds", "Time", {"op"}, {0.1, 1}).with({"x"});
  for (double v : {0.05, 0.1, 0.5, 2.0, 3.0})
    h.observe(v);
  EXPECT_EQ(h.cumulative(), (std::vector<uint64_t>{2, 3, 5}));
  EXPECT_DOUBLE_EQ(h.sum(), 5.65);
  std::string out;
  r.render(out);
  EXPECT_NE(out.find("t_seconds_bucket{op=\"x\",le=\"0.1\"} 2\n"
                     "t_seconds_bucket{op=\"x\",le=\"1\"} 3\n"
                     "t_seconds_bucket{op=\"x\",le=\"+Inf\"} 5\n"
                     "t_seconds_sum{op=\"x\"} 5.65\n"
                     "t_seconds_count{op=\"x\"} 5\n"),
            std::string::npos)
    << out;
}

} // namespace
