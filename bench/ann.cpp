// bench/ann: vector search speed and recall on fashion-mnist (60k x 784,
// l2), in ONE run:
//   1. baseline: the same hnswlib graph in-process (index/hnsw_index,
//      2 threads): build rate, search QPS and recall@10 per ef;
//   2. each target over HTTP (vectord, lakehouse, gateway): insert rate
//      (batches of 1000), search QPS (2-16 keep-alive connections) and
//      recall per ef, and the same for batch search (100 searches per
//      request, 2-4 connections).
// Prints a table with ratios and writes a recall-vs-QPS plot. Asserts
// nothing about speed. --quick: 10k vectors, short runs (CI).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include <CLI/CLI.hpp>

#include "bench/dataset.hpp"
#include "bench/load_client.hpp"
#include "http/client.hpp"
#include "index/hnsw_index.hpp"
#include "index/worker_pool.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

struct point {
  double qps = 0;
  double recall = 0;
  size_t connections = 0;
  // POST .../search/batch, batch_size searches per request.
  double batch_qps = 0;
  double batch_recall = 0;
  size_t batch_connections = 0;
};

// Ids in a search response body, in order: "id":"123" -> 123.
std::vector<uint32_t> ids_in(std::string_view body) {
  std::vector<uint32_t> ids;
  for (size_t pos = 0; (pos = body.find("\"id\":\"", pos)) != body.npos;) {
    pos += 6;
    ids.push_back(
      static_cast<uint32_t>(std::strtoul(body.data() + pos, nullptr, 10)));
  }
  return ids;
}

constexpr size_t batch_size = 100;

// The hits of each search in a batch answer, in order:
// {"results":[[hits],[hits]]} (no arrays inside hits without vectors).
std::vector<std::vector<uint32_t>> batch_ids(std::string_view body) {
  std::vector<std::vector<uint32_t>> out;
  size_t start = 0;
  for (;;) {
    auto end = body.find("],[", start);
    out.push_back(ids_in(body.substr(start, end - start)));
    if (end == body.npos)
      return out;
    start = end + 3;
  }
}

struct target_spec {
  std::string name;
  uint16_t port = 0;
  std::string prefix; // "" for vectord, "/v1" for the public API
};

struct target_result {
  double floor_qps = 0; // GET /health through the same client: HTTP alone
  double insert_rate = 0;
  int insert_errors = 0;
  std::map<size_t, point> by_ef;
};

struct workload {
  const bench::matrix& base;
  const bench::matrix& queries;
  const std::vector<std::vector<uint32_t>>& truth;
  size_t k;
  std::vector<size_t> efs;
  std::vector<size_t> conn_counts;
  double measure_seconds;
  std::string keep;
};

// Batch search at `ef`: the queries in requests of batch_size, recall from
// one pass, then QPS (searches answered per second) over 2 and 4
// connections.
void measure_batches(const target_spec& t, const workload& w,
                     const std::string& name, size_t ef, point& best) {
  std::vector<std::string> batches;
  size_t rows = w.queries.rows;
  for (size_t first = 0; first < rows; first += batch_size) {
    std::string body = R"({"searches":[)";
    for (size_t q = first; q < std::min(rows, first + batch_size); ++q)
      body += (q > first ? "," : "") + std::string{R"({"k":)"}
              + std::to_string(w.k) + R"(,"ef":)" + std::to_string(ef)
              + R"(,"with_metadata":false,"vector":)"
              + bench::json_vector(w.queries.row(q), w.base.dim) + "}";
    batches.push_back(bench::make_post(
      t.prefix + "/vectors/index/" + name + "/search/batch", body + "]}"));
  }
  std::vector<std::vector<uint32_t>> found(rows);
  bench::run_load(t.port, 2, batches, 1e9, batches.size(),
                  [&](size_t i, std::string_view body) {
                    auto lists = batch_ids(body);
                    size_t first = (i % batches.size()) * batch_size;
                    for (size_t j = 0; j < lists.size() && first + j < rows;
                         ++j)
                      found[first + j] = std::move(lists[j]);
                  });
  best.batch_recall = bench::recall_at_k(found, w.truth, w.k);
  for (size_t conns : {2, 4}) {
    auto r = bench::run_load(t.port, conns, batches, w.measure_seconds,
                             SIZE_MAX, nullptr);
    if (r.errors > 0)
      std::fprintf(stderr, "%s batch ef %zu, %zu connections: %zu errors\n",
                   t.name.c_str(), ef, conns, r.errors);
    // A full batch holds batch_size searches (the last may hold fewer).
    double qps = r.per_second() * batch_size;
    if (qps > best.batch_qps) {
      best.batch_qps = qps;
      best.batch_connections = conns;
    }
  }
}

// Builds the index on one target over HTTP, then measures its searches.
target_result measure_target(const target_spec& t, const workload& w) {
  target_result result;
  const size_t dim = w.base.dim;
  auto path = [&](const std::string& rest) { return t.prefix + rest; };
  lh::http::blocking_client admin{"127.0.0.1", t.port,
                                  std::chrono::minutes{10}};
  auto name = w.keep.empty() ? "ann-bench-" + std::to_string(::getpid())
                             : w.keep;
  auto existing = admin.get(path("/vectors/index/" + name));
  bool reuse = !w.keep.empty() && existing && existing->status == 200;
  if (!reuse) {
    auto created = admin.send(
      lh::http::method::post, path("/vectors/index"),
      R"({"name":")" + name + R"(","dimension":)" + std::to_string(dim)
        + R"(,"distance":"l2","m":16,"ef_construction":200})");
    if (!created || created->status != 201) {
      std::fprintf(
        stderr, "cannot create the index on %s: %s\n", t.name.c_str(),
        created ? created->body.c_str() : created.error().message.c_str());
      result.insert_errors = 1;
      return result;
    }
    const size_t batch = 1000;
    std::vector<std::string> batches;
    for (size_t first = 0; first < w.base.rows; first += batch) {
      std::string body = R"({"items":[)";
      for (size_t i = first; i < std::min(w.base.rows, first + batch); ++i) {
        body += i > first ? "," : "";
        body += R"({"id":")" + std::to_string(i) + R"(","vector":)"
                + bench::json_vector(w.base.row(i), dim) + "}";
      }
      body += "]}";
      batches.push_back(std::move(body));
    }
    // Two connections: one batch is parsed while the other is inserted.
    std::atomic<size_t> next_batch{0};
    std::atomic<int> errors{0};
    auto t0 = clock_type::now();
    std::vector<std::thread> senders;
    for (int c = 0; c < 2; ++c)
      senders.emplace_back([&] {
        lh::http::blocking_client client{"127.0.0.1", t.port,
                                         std::chrono::minutes{10}};
        for (size_t b; (b = next_batch++) < batches.size();) {
          auto r = client.send(lh::http::method::post,
                               path("/vectors/index/" + name + "/add"),
                               batches[b]);
          if (!r || r->status != 200)
            ++errors;
        }
      });
    for (auto& s : senders)
      s.join();
    result.insert_rate = w.base.rows / seconds_since(t0);
    result.insert_errors = errors;
    std::printf("%s insert over HTTP: %.0f vectors/s (batches of %zu, %d "
                "errors)\n",
                t.name.c_str(), result.insert_rate, batch, errors.load());
  }
  for (auto ef : w.efs) {
    std::vector<std::string> requests;
    for (size_t q = 0; q < w.queries.rows; ++q)
      requests.push_back(bench::make_post(
        path("/vectors/index/" + name + "/search"),
        R"({"k":)" + std::to_string(w.k) + R"(,"ef":)" + std::to_string(ef)
          + R"(,"vector":)" + bench::json_vector(w.queries.row(q), dim) + "}"));
    std::vector<std::vector<uint32_t>> found(w.queries.rows);
    // One pass over all queries for recall, then timed runs.
    bench::run_load(t.port, 2, requests, 1e9, w.queries.rows,
                    [&](size_t i, std::string_view body) {
                      found[i % w.queries.rows] = ids_in(body);
                    });
    point best;
    best.recall = bench::recall_at_k(found, w.truth, w.k);
    for (auto conns : w.conn_counts) {
      auto r = bench::run_load(t.port, conns, requests, w.measure_seconds,
                               SIZE_MAX, nullptr);
      if (r.errors > 0)
        std::fprintf(stderr, "%s ef %zu, %zu connections: %zu errors\n",
                     t.name.c_str(), ef, conns, r.errors);
      if (r.per_second() > best.qps) {
        best.qps = r.per_second();
        best.connections = conns;
      }
    }
    measure_batches(t, w, name, ef, best);
    result.by_ef[ef] = best;
  }
  if (w.keep.empty())
    (void)admin.send(lh::http::method::del, path("/vectors/index/" + name));
  // The cost of HTTP alone on this machine: a request that does nothing.
  std::vector<std::string> health{"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"};
  for (auto conns : w.conn_counts)
    result.floor_qps = std::max(
      result.floor_qps, bench::run_load(t.port, conns, health,
                                        w.measure_seconds, SIZE_MAX, nullptr)
                          .per_second());
  return result;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"ANN benchmark: in-process hnswlib vs servers over HTTP"};
  bool quick = false;
  std::vector<std::string> target_args;
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
  std::string plot = "bench/out/ann.png";
  double measure_seconds = 3;
  std::string keep; // index name to keep and reuse (profiling)
  app.add_flag("--quick", quick, "10k vectors, short runs");
  app
    .add_option("--target", target_args,
                "NAME:PORT of a running target on 127.0.0.1 (vectord, "
                "lakehouse, gateway); repeat to compare")
    ->required();
  app.add_option("--data", data_dir, "directory of the fashion-mnist files");
  app.add_option("--plot", plot, "PNG file for the recall-vs-QPS plot");
  app.add_option("--seconds", measure_seconds, "duration of each measurement");
  app.add_option("--keep", keep,
                 "use this index name, reuse it when it exists, keep it after");
  CLI11_PARSE(app, argc, argv);
  std::vector<target_spec> targets;
  for (auto& arg : target_args) {
    auto colon = arg.find(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "--target wants NAME:PORT, got %s\n", arg.c_str());
      return 2;
    }
    target_spec t;
    t.name = arg.substr(0, colon);
    t.port = static_cast<uint16_t>(std::stoi(arg.substr(colon + 1)));
    t.prefix = t.name == "vectord" ? "" : "/v1";
    targets.push_back(t);
  }
  if (quick)
    measure_seconds = std::min(measure_seconds, 0.3);
  const size_t base_rows = quick ? 10'000 : 60'000;
  const size_t query_rows = quick ? 200 : 1'000;
  const size_t k = 10;
  const std::vector<size_t> efs{16, 32, 64, 128, 256};
  const size_t threads = 2;

  auto base = bench::load_idx_images(data_dir + "/train-images-idx3-ubyte.gz",
                                     base_rows);
  auto queries = bench::load_idx_images(data_dir + "/t10k-images-idx3-ubyte.gz",
                                        query_rows);
  const size_t dim = base.dim;
  std::printf("fashion-mnist: %zu vectors x %zu dims, %zu queries, k=%zu\n",
              base.rows, dim, queries.rows, k);
  auto t0 = clock_type::now();
  auto truth = bench::exact_top_k(base, queries, k, threads);
  std::printf("exact top-%zu computed in %.1f s\n", k, seconds_since(t0));

  // 1. Baseline: the hnswlib graph in-process, 2 threads.
  lh::hnsw_index graph{
    {static_cast<uint32_t>(dim), lh::metric::l2, 16, 200, 100}, base.rows};
  lh::worker_pool pool{threads};
  t0 = clock_type::now();
  pool.parallel_for(base.rows, threads,
                    [&](size_t i) { (void)graph.add(i, base.row(i)); });
  double build_rate = base.rows / seconds_since(t0);
  std::printf("in-process build: %.0f vectors/s (%zu threads)\n", build_rate,
              threads);
  std::map<size_t, point> in_process;
  for (auto ef : efs) {
    std::vector<std::vector<uint32_t>> found(queries.rows);
    for (size_t q = 0; q < queries.rows; ++q)
      for (auto& nb : graph.search(queries.row(q), k, ef))
        found[q].push_back(static_cast<uint32_t>(nb.label));
    std::atomic<size_t> done{0};
    auto start = clock_type::now();
    auto deadline = start + std::chrono::duration<double>(measure_seconds);
    std::vector<std::thread> workers;
    for (size_t t = 0; t < threads; ++t)
      workers.emplace_back([&, t] {
        size_t n = 0;
        for (size_t q = t; clock_type::now() < deadline; q += threads, ++n)
          (void)graph.search(queries.row(q % queries.rows), k, ef);
        done += n;
      });
    for (auto& w : workers)
      w.join();
    in_process[ef] = {done / seconds_since(start),
                      bench::recall_at_k(found, truth, k), threads};
  }

  // 2. Each target over HTTP, one after the other.
  workload w{base, queries,       truth,           k,
             efs,  {2, 4, 8, 16}, measure_seconds, keep};
  std::map<std::string, target_result> results;
  int errors = 0;
  for (auto& t : targets) {
    results[t.name] = measure_target(t, w);
    errors += results[t.name].insert_errors;
  }

  std::printf("\n%5s | %11s %7s", "ef", "in-proc QPS", "recall");
  for (auto& t : targets)
    std::printf(" | %9s QPS %7s %5s %5s", t.name.c_str(), "recall", "conns",
                "ratio");
  std::printf("\n");
  for (auto ef : efs) {
    auto& a = in_process[ef];
    std::printf("%5zu | %11.0f %7.4f", ef, a.qps, a.recall);
    for (auto& t : targets) {
      auto& b = results[t.name].by_ef[ef];
      std::printf(" | %13.0f %7.4f %5zu %5.2f", b.qps, b.recall, b.connections,
                  b.qps / a.qps);
    }
    std::printf("\n");
  }
  std::printf("\nbatch search, %zu searches per request (2 or 4 "
              "connections), QPS = searches answered per second:\n%5s",
              batch_size, "ef");
  for (auto& t : targets)
    std::printf(" | %9s QPS %7s %5s %5s", t.name.c_str(), "recall", "conns",
                "ratio");
  std::printf("\n");
  for (auto ef : efs) {
    std::printf("%5zu", ef);
    for (auto& t : targets) {
      auto& b = results[t.name].by_ef[ef];
      std::printf(" | %13.0f %7.4f %5zu %5.2f", b.batch_qps, b.batch_recall,
                  b.batch_connections, b.batch_qps / in_process[ef].qps);
    }
    std::printf("\n");
  }
  std::printf("(target: vectord and lakehouse batch QPS >= 0.9 x in-process "
              "at the same ef; recall equal to in-process)\n");
  size_t target_ef = efs.back();
  for (auto ef : efs)
    if (in_process[ef].recall >= 0.95) {
      target_ef = ef;
      break;
    }
  std::printf("\nat ef %zu (smallest with in-process recall@10 >= 0.95):\n",
              target_ef);
  for (auto& t : targets) {
    auto& r = results[t.name];
    std::printf("  %-9s search QPS / in-process: %.2f, insert rate / "
                "in-process build: %.2f, recall %.4f vs %.4f\n",
                t.name.c_str(),
                r.by_ef[target_ef].qps / in_process[target_ef].qps,
                r.insert_rate / build_rate, r.by_ef[target_ef].recall,
                in_process[target_ef].recall);
  }
  // What HTTP alone costs caps the ratio any server can reach here: with
  // 2 cores shared by client and server, a request costs the machine
  // 2/floor_qps of CPU on top of the search's 2/in_process_qps.
  std::printf("  HTTP floor (GET /health, same client, all cores):\n");
  for (auto& t : targets) {
    auto floor_us = 2e6 / results[t.name].floor_qps;
    auto search_us = 2e6 / in_process[target_ef].qps;
    std::printf("  %-9s %.0f req/s = %.1f us/request; search %.1f us -> best "
                "possible ratio %.2f\n",
                t.name.c_str(), results[t.name].floor_qps, floor_us, search_us,
                search_us / (search_us + floor_us));
  }
  if (results.contains("vectord"))
    for (auto& t : targets)
      if (t.name != "vectord")
        std::printf("  %-9s search QPS / vectord: %.2f\n", t.name.c_str(),
                    results[t.name].by_ef[target_ef].qps
                      / results["vectord"].by_ef[target_ef].qps);
  std::printf("  targets: vectord and lakehouse >= 0.8 of in-process, "
              "lakehouse >= 0.95 of vectord, gateway >= 0.6 of in-process; "
              "inserts >= 0.7 of the in-process build\n");

  // The plot: recall vs QPS, one line per side.
  auto data = plot + ".dat";
  {
    std::ofstream out{data};
    for (auto ef : efs) {
      out << ef << ' ' << in_process[ef].recall << ' ' << in_process[ef].qps;
      for (auto& t : targets)
        out << ' ' << results[t.name].by_ef[ef].recall << ' '
            << results[t.name].by_ef[ef].qps;
      out << '\n';
    }
  }
  auto script = "set terminal png size 800,500; set output '" + plot
                + "'; set xlabel 'recall at 10'; set ylabel 'queries/s';"
                  " set title 'fashion-mnist "
                + std::to_string(base.rows) + " x " + std::to_string(dim)
                + ", l2, M 16'; set key top right; set grid;"
                  " plot '"
                + data
                + "' using 2:3 with linespoints title 'hnswlib in-process'";
  for (size_t i = 0; i < targets.size(); ++i)
    script += ", '" + data + "' using " + std::to_string(4 + 2 * i) + ":"
              + std::to_string(5 + 2 * i) + " with linespoints title '"
              + targets[i].name + " over HTTP'";
  auto cmd = "gnuplot -e \"" + script + "\" 2>&1";
  if (std::system(cmd.c_str()) == 0)
    std::printf("plot written to %s\n", plot.c_str());
  else
    std::printf("gnuplot failed; data in %s\n", data.c_str());
  return errors > 0 ? 1 : 0;
}
