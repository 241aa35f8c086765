// bench/multi_index: many indexes under many connections, and whether a
// hot index starves the others. On a running lakehouse (or gateway):
//   setup: N indexes of `items` each, half fashion-mnist slices (784-d),
//          half random 128-d, plus one more random 128-d index, "hot";
//   then rounds of two phases, the same mixed load in both (90% searches,
//   10% adds of 5 items, spread over the N indexes, C connections):
//     quiet: the mixed load alone;
//     hot:   the mixed load while H more connections flood "hot" with
//            batch adds of 256 items.
// Prints throughput and p50/p99 per phase, and the ratio of the others'
// search p99 with a hot index to without (target <= 2x), both measured in
// the same run, phases alternating. Asserts nothing about speed.
// --quick: 10 indexes of 200 items, one short round (CI).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>

#include "bench/dataset.hpp"
#include "bench/http_index.hpp"
#include "bench/load_client.hpp"
#include "http/client.hpp"
#include "tests/load/actor_load.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using lh::http::method;

struct spec {
  uint16_t port = 0;
  std::string prefix = "/v1";
  size_t indexes = 100;
  size_t items = 1000;
  size_t connections = 32;
  size_t hot_connections = 4;
  double seconds = 10;
  size_t rounds = 2;
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
};

// The data of one index: its rows, and rows to query it with.
struct index_data {
  std::string name;
  bench::matrix rows;
  bench::matrix queries;
};

using bench::add_body;
using bench::random_rows;
using bench::slice;

enum class kind : uint8_t { search, add };

struct mixed_load {
  std::vector<std::string> requests;
  std::vector<kind> kinds;
};

// 90% searches (k = 10), 10% upserts of 5 items, over every index.
mixed_load make_mixed(const spec& s, const std::vector<index_data>& data,
                      std::mt19937& rng) {
  mixed_load m;
  for (size_t i = 0; i < 4000; ++i) {
    auto& d = data[rng() % data.size()];
    auto path = s.prefix + "/vectors/index/" + d.name;
    size_t q = rng() % d.queries.rows;
    if (rng() % 10 == 0) {
      m.requests.push_back(bench::make_post(
        path + "/add", add_body(d.queries, q, 5, "u", rng() % 100)));
      m.kinds.push_back(kind::add);
    } else {
      m.requests.push_back(bench::make_post(
        path + "/search", R"({"k":10,"vector":)"
                            + bench::json_vector(d.queries.row(q), d.rows.dim)
                            + "}"));
      m.kinds.push_back(kind::search);
    }
  }
  return m;
}

using lh::load::percentile;

// What a phase's mixed load saw, pooled over rounds.
struct phase_figures {
  double seconds = 0;
  size_t answered = 0, refused = 0, errors = 0;
  std::vector<double> search_us, add_us;
  size_t hot_items = 0;
  double hot_seconds = 0;

  void take(const bench::load_result& r, const mixed_load& m) {
    seconds += r.seconds;
    answered += r.responses;
    refused += r.refused;
    errors += r.errors;
    for (auto& smp : r.samples)
      if (smp.status == 200)
        (m.kinds[smp.request] == kind::search ? search_us : add_us)
          .push_back(smp.micros);
  }
  void print(const char* name) const {
    std::printf("%-6s %9.0f %8zu %7zu %9.2f %9.2f %9.2f %9.2f", name,
                answered / seconds, refused, errors,
                percentile(search_us, 0.5) / 1000,
                percentile(search_us, 0.99) / 1000,
                percentile(add_us, 0.5) / 1000,
                percentile(add_us, 0.99) / 1000);
    if (hot_seconds > 0)
      std::printf("   hot index: %.0f items/s", hot_items / hot_seconds);
    std::printf("\n");
  }
};

} // namespace

int main(int argc, char** argv) {
  spec s;
  bool quick = false;
  CLI::App app{"many indexes, many connections, with and without a hot index"};
  app.add_option("--port", s.port, "lakehouse (or gateway) on 127.0.0.1")
    ->required();
  app.add_option("--prefix", s.prefix, "API prefix (/v1; \"\" for vectord)");
  app.add_option("--indexes", s.indexes, "indexes under the mixed load");
  app.add_option("--items", s.items, "items per index");
  app.add_option("--connections", s.connections, "mixed-load connections");
  app.add_option("--hot-connections", s.hot_connections,
                 "connections flooding the hot index");
  app.add_option("--seconds", s.seconds, "duration of each phase");
  app.add_option("--rounds", s.rounds, "quiet/hot rounds");
  app.add_option("--data", s.data_dir, "directory of the fashion-mnist files");
  app.add_flag("--quick", quick, "10 indexes of 200 items, one short round");
  CLI11_PARSE(app, argc, argv);
  if (quick) {
    s.indexes = 10;
    s.items = 200;
    s.seconds = 1;
    s.rounds = 1;
    s.connections = std::min<size_t>(s.connections, 16);
  }

  std::mt19937 rng{42};
  size_t fashion = s.indexes / 2;
  auto train = bench::load_idx_images(
    s.data_dir + "/train-images-idx3-ubyte.gz", fashion * s.items);
  auto test = bench::load_idx_images(s.data_dir + "/t10k-images-idx3-ubyte.gz",
                                     10'000);
  if (train.rows < fashion * s.items) {
    std::fprintf(stderr, "fashion-mnist has %zu rows, %zu needed\n", train.rows,
                 fashion * s.items);
    return 2;
  }
  std::vector<index_data> data;
  for (size_t i = 0; i < s.indexes; ++i) {
    index_data d;
    d.name = "mi-" + std::to_string(i);
    if (i < fashion) {
      d.rows = slice(train, i * s.items, s.items);
      d.queries = slice(test, (i * 100) % (test.rows - 100), 100);
    } else {
      d.rows = random_rows(s.items, 128, rng);
      d.queries = random_rows(100, 128, rng);
    }
    data.push_back(std::move(d));
  }
  index_data hot{"mi-hot", random_rows(20'000, 128, rng), {}};

  auto t0 = clock_type::now();
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> loaders;
  for (int t = 0; t < 2; ++t)
    loaders.emplace_back([&] {
      lh::http::blocking_client c{"127.0.0.1", s.port, std::chrono::minutes{5}};
      for (size_t i; (i = next++) < data.size() && !failed;)
        if (!bench::load_index(c, s.prefix, data[i].name, data[i].rows))
          failed = true;
    });
  for (auto& t : loaders)
    t.join();
  lh::http::blocking_client admin{"127.0.0.1", s.port, std::chrono::minutes{5}};
  auto hot_seed = hot;
  hot_seed.rows = slice(hot.rows, 0, 1000);
  if (failed || !bench::load_index(admin, s.prefix, hot_seed.name, hot_seed.rows))
    return 1;
  std::printf("multi_index: %zu indexes x %zu items (%zu fashion-mnist 784-d, "
              "%zu random 128-d) loaded in %.1f s; %zu connections, 90/10 "
              "search/add; hot index flooded by %zu connections\n",
              s.indexes, s.items, fashion, s.indexes - fashion,
              std::chrono::duration<double>(clock_type::now() - t0).count(),
              s.connections, s.hot_connections);

  auto mixed = make_mixed(s, data, rng);
  std::vector<std::string> floods;
  const size_t flood_batch = 256;
  for (size_t b = 0; b * flood_batch < hot.rows.rows; ++b)
    floods.push_back(bench::make_post(
      s.prefix + "/vectors/index/mi-hot/add",
      add_body(hot.rows, b * flood_batch, flood_batch, "h", b * flood_batch)));

  phase_figures quiet, flooded;
  for (size_t round = 0; round < s.rounds; ++round) {
    quiet.take(bench::run_load(s.port, s.connections, mixed.requests, s.seconds,
                               SIZE_MAX, nullptr),
               mixed);
    bench::load_result hot_run;
    std::thread flooder{[&] {
      hot_run = bench::run_load(s.port, s.hot_connections, floods, s.seconds,
                                SIZE_MAX, nullptr);
    }};
    flooded.take(bench::run_load(s.port, s.connections, mixed.requests,
                                 s.seconds, SIZE_MAX, nullptr),
                 mixed);
    flooder.join();
    flooded.hot_items += hot_run.responses * flood_batch;
    flooded.hot_seconds += hot_run.seconds;
  }
  std::printf("%-6s %9s %8s %7s %9s %9s %9s %9s\n", "phase", "req/s", "refused",
              "errors", "srch p50", "srch p99", "add p50", "add p99");
  quiet.print("quiet");
  flooded.print("hot");
  double ratio = percentile(flooded.search_us, 0.99)
                 / std::max(1.0, percentile(quiet.search_us, 0.99));
  std::printf("search p99 of the other indexes, hot / quiet: %.2fx "
              "(target <= 2x); throughput hot / quiet: %.2fx\n",
              ratio,
              (flooded.answered / flooded.seconds)
                / std::max(1e-9, quiet.answered / quiet.seconds));
  return quiet.errors + flooded.errors > 0 ? 1 : 0;
}
