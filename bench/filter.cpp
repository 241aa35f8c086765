// bench/filter: filtered search and churn on fashion-mnist (60k x 784, l2),
// in-process on lh::vector_index, in ONE run:
//   1. unfiltered search QPS and recall@10 (the baseline);
//   2. for filters matching 50%, 10%, 5%, 3%, 1% and 0.1% of the items
//      (metadata
//      {"label": class, "shard": i % 100, "bucket": i % 1000}): recall@10
//      against the exact filtered top 10 and QPS, as the planner runs it
//      and with each plan forced; ratios against (1);
//   3. churn: rounds of "add N new ids, delete the N oldest": graph slots,
//      process RSS and unfiltered recall@10 per round, as ratios against
//      the first round.
// Asserts nothing. --quick: 10k vectors, short runs (CI).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "bench/dataset.hpp"
#include "bench/process_memory.hpp"
#include "http/filter_json.hpp"
#include "index/vector_index.hpp"
#include "index/worker_pool.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

std::string metadata_of(size_t i, unsigned label) {
  return "{\"label\":" + std::to_string(label)
         + ",\"shard\":" + std::to_string(i % 100)
         + ",\"bucket\":" + std::to_string(i % 1000) + "}";
}

lh::add_batch batch(const bench::matrix& base,
                    const std::vector<uint8_t>& labels, size_t first,
                    size_t n) {
  lh::add_batch b;
  b.dimension = static_cast<uint32_t>(base.dim);
  for (size_t id = first; id < first + n; ++id) {
    auto row = id % base.rows; // churn reuses rows under new ids
    b.ids.push_back(std::to_string(id));
    b.metadata.push_back(metadata_of(id, labels[row]));
    b.vectors.insert(b.vectors.end(), base.row(row), base.row(row) + base.dim);
  }
  return b;
}

struct measured {
  double qps = 0;
  double recall = 0;
};

// recall@k against `truth` (row numbers), then QPS on one thread for
// `seconds` (bounded: the loop stops at its deadline).
measured measure(const lh::vector_index& idx, const bench::matrix& queries,
                 const std::vector<std::vector<uint32_t>>& truth, size_t k,
                 size_t ef, std::shared_ptr<const lh::filter> where,
                 std::optional<lh::search_plan> plan, double seconds) {
  auto query = [&](size_t q) {
    lh::search_query s{std::span{queries.row(q), queries.dim}, k, ef, where};
    s.with_metadata = false;
    s.plan = plan;
    return idx.search(s);
  };
  std::vector<std::vector<uint32_t>> found(queries.rows);
  for (size_t q = 0; q < queries.rows; ++q) {
    auto hits = query(q);
    for (auto& hit : *hits)
      found[q].push_back(static_cast<uint32_t>(std::stoul(hit.id)));
  }
  measured m;
  m.recall = bench::recall_at_k(found, truth, k);
  size_t done = 0;
  auto start = clock_type::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  while (clock_type::now() < deadline)
    (void)query(done++ % queries.rows);
  m.qps = static_cast<double>(done) / seconds_since(start);
  return m;
}

// Exact top-k among the rows `keep` selects (ids = row numbers).
std::vector<std::vector<uint32_t>>
exact_filtered(const bench::matrix& base, const bench::matrix& queries,
               size_t k, const std::function<bool(size_t)>& keep) {
  bench::matrix subset;
  subset.dim = base.dim;
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < base.rows; ++i)
    if (keep(i)) {
      rows.push_back(static_cast<uint32_t>(i));
      subset.values.insert(subset.values.end(), base.row(i),
                           base.row(i) + base.dim);
    }
  subset.rows = rows.size();
  auto truth = bench::exact_top_k(subset, queries, std::min(k, subset.rows), 2);
  for (auto& ids : truth)
    for (auto& id : ids)
      id = rows[id];
  return truth;
}

struct selectivity_case {
  const char* name;
  const char* filter;
  std::function<bool(size_t, unsigned)> keep; // row, label
};

void filtered_search(const bench::matrix& base,
                     const std::vector<uint8_t>& labels,
                     const bench::matrix& queries, size_t ef, double seconds,
                     lh::worker_pool& pool) {
  const size_t k = 10;
  lh::vector_index idx{{"fashion", static_cast<uint32_t>(base.dim),
                        lh::metric::l2, 16, 200, static_cast<uint32_t>(ef)}};
  auto t0 = clock_type::now();
  auto rss_before = bench::rss_bytes();
  if (auto ok = idx.add(batch(base, labels, 0, base.rows), &pool); !ok) {
    std::fprintf(stderr, "add failed: %s\n", ok.error().message.c_str());
    std::exit(1);
  }
  auto info = idx.info();
  std::printf("built %zu items in %.1f s; RSS +%.0f MiB; metadata index "
              "%.2f MiB (%.1f bytes/item, 3 keys)\n",
              info.length, seconds_since(t0),
              static_cast<double>(bench::rss_bytes() - rss_before) / (1 << 20),
              static_cast<double>(info.metadata_index_bytes) / (1 << 20),
              static_cast<double>(info.metadata_index_bytes)
                / static_cast<double>(info.length));
  auto truth = bench::exact_top_k(base, queries, k, 2);
  auto unfiltered = measure(idx, queries, truth, k, ef, {}, {}, seconds);
  std::printf("\nef %zu, k %zu, %zu queries, one thread\n", ef, k,
              queries.rows);
  std::printf("%-22s %-8s %-14s %9s %7s %6s\n", "filter", "matches", "plan",
              "QPS", "recall", "ratio");
  std::printf("%-22s %-8s %-14s %9.0f %7.4f %6.2f\n", "none", "100%", "walk",
              unfiltered.qps, unfiltered.recall, 1.0);
  std::vector<selectivity_case> cases{
    {"label < 5", R"({"must":[{"key":"label","range":{"lt":5}}]})",
     [](size_t, unsigned label) { return label < 5; }},
    {"label = 3", R"({"must":[{"key":"label","match":{"value":3}}]})",
     [](size_t, unsigned label) { return label == 3; }},
    {"shard < 5", R"({"must":[{"key":"shard","range":{"lt":5}}]})",
     [](size_t i, unsigned) { return i % 100 < 5; }},
    {"shard < 3", R"({"must":[{"key":"shard","range":{"lt":3}}]})",
     [](size_t i, unsigned) { return i % 100 < 3; }},
    {"shard = 7", R"({"must":[{"key":"shard","match":{"value":7}}]})",
     [](size_t i, unsigned) { return i % 100 == 7; }},
    {"bucket = 42", R"({"must":[{"key":"bucket","match":{"value":42}}]})",
     [](size_t i, unsigned) { return i % 1000 == 42; }},
  };
  for (auto& c : cases) {
    auto parsed = lh::json::parse_filter(c.filter);
    auto where = std::make_shared<lh::filter>(*parsed);
    auto matches = idx.count(where.get());
    auto want = exact_filtered(base, queries, k,
                               [&](size_t i) { return c.keep(i, labels[i]); });
    auto chosen = idx.plan_for(*where, std::max(k, ef));
    char share[16];
    std::snprintf(share, sizeof share, "%.1f%%",
                  100.0 * static_cast<double>(matches)
                    / static_cast<double>(base.rows));
    for (auto plan : {std::optional<lh::search_plan>{},
                      std::optional{lh::search_plan::exact_scan},
                      std::optional{lh::search_plan::filtered_walk}}) {
      auto m = measure(idx, queries, want, k, ef, where, plan, seconds);
      auto label = plan ? "  forced " + std::string{to_string(*plan)}
                        : "planned " + std::string{to_string(chosen)};
      std::printf("%-22s %-8s %-14s %9.0f %7.4f %6.2f\n", c.name, share,
                  label.c_str(), m.qps, m.recall, m.qps / unfiltered.qps);
    }
  }
}

// Unfiltered recall@10 of idx against the exact top 10 of its live ids.
double live_recall(const lh::vector_index& idx, const bench::matrix& base,
                   const bench::matrix& queries, size_t first_live,
                   size_t end_live, size_t ef) {
  bench::matrix live;
  live.dim = base.dim;
  for (size_t id = first_live; id < end_live; ++id)
    live.values.insert(live.values.end(), base.row(id % base.rows),
                       base.row(id % base.rows) + base.dim);
  live.rows = end_live - first_live;
  auto truth = bench::exact_top_k(live, queries, 10, 2);
  for (auto& ids : truth)
    for (auto& id : ids)
      id += static_cast<uint32_t>(first_live);
  return measure(idx, queries, truth, 10, ef, {}, {}, 0).recall;
}

void churn(const bench::matrix& base, const std::vector<uint8_t>& labels,
           const bench::matrix& queries, size_t size, size_t step, int rounds,
           size_t ef, lh::worker_pool& pool) {
  lh::vector_index idx{{"churn", static_cast<uint32_t>(base.dim),
                        lh::metric::l2, 16, 200, static_cast<uint32_t>(ef)}};
  (void)idx.add(batch(base, labels, 0, size), &pool);
  std::printf("\nchurn: %zu items, %d rounds of +%zu new ids / -%zu oldest\n",
              size, rounds, step, step);
  std::printf("%5s %9s %6s %9s %6s %7s %7s\n", "round", "slots", "ratio",
              "RSS MiB", "ratio", "recall", "s");
  size_t oldest = 0, next = size, first_slots = 0, first_rss = 0;
  for (int round = 1; round <= rounds; ++round) {
    auto t0 = clock_type::now();
    (void)idx.add(batch(base, labels, next, step), &pool);
    next += step;
    lh::delete_request doomed;
    for (size_t i = 0; i < step; ++i)
      doomed.ids.push_back(std::to_string(oldest++));
    (void)idx.remove(doomed);
    auto took = seconds_since(t0);
    auto info = idx.info();
    auto slots = info.length + info.deleted_slots;
    auto rss = bench::rss_bytes();
    if (round == 1) {
      first_slots = slots;
      first_rss = rss;
    }
    auto recall = live_recall(idx, base, queries, oldest, next, ef);
    std::printf("%5d %9zu %6.3f %9.0f %6.3f %7.4f %7.1f\n", round, slots,
                static_cast<double>(slots) / static_cast<double>(first_slots),
                static_cast<double>(rss) / (1 << 20),
                static_cast<double>(rss) / static_cast<double>(first_rss),
                recall, took);
  }
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Filtered search and churn on fashion-mnist"};
  bool quick = false;
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
  double seconds = 2;
  size_t ef = 64;
  app.add_flag("--quick", quick, "10k vectors, short runs (CI)");
  app.add_option("--data", data_dir, "directory of the fashion-mnist files");
  app.add_option("--seconds", seconds, "duration of each QPS measurement");
  app.add_option("--ef", ef, "search beam");
  CLI11_PARSE(app, argc, argv);
  if (quick)
    seconds = std::min(seconds, 0.2);
  const size_t rows = quick ? 10'000 : 60'000;
  auto base = bench::load_idx_images(data_dir + "/train-images-idx3-ubyte.gz",
                                     rows);
  auto labels = bench::load_idx_labels(data_dir + "/train-labels-idx1-ubyte.gz",
                                       rows);
  auto queries = bench::load_idx_images(data_dir + "/t10k-images-idx3-ubyte.gz",
                                        quick ? 50 : 300);
  std::printf("fashion-mnist: %zu vectors x %zu dims, %zu queries\n", base.rows,
              base.dim, queries.rows);
  lh::worker_pool pool{2};
  filtered_search(base, labels, queries, ef, seconds, pool);
  if (quick)
    churn(base, labels, queries, 2'000, 1'000, 3, ef, pool);
  else
    churn(base, labels, queries, 10'000, 5'000, 20, ef, pool);
  return 0;
}
