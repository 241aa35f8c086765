// bench/ann: vector search speed and recall on fashion-mnist (60k x 784,
// l2), in ONE run:
//   1. baseline: the same hnswlib graph in-process (index/hnsw_index,
//      2 threads): build rate, search QPS and recall@10 per ef; its QPS
//      is measured again after the targets, and ratios use the mean (this
//      machine's speed drifts over the minutes of a run);
//   2. each target over HTTP (vectord, lakehouse, gateway): insert rate
//      (batches of 1000), search QPS (2-16 keep-alive connections) and
//      recall per ef, and the same for batch search (100 searches per
//      request, 2-4 connections).
//   3. with --floor, nginx answering the same search bodies at once: the
//      ceiling C = 1 / (1/in-process + 1/floor) per ef, each target's QPS
//      / C, and server CPU per request (/health, search) beside nginx's;
//   4. memory: this process's RSS growth while it builds the in-process
//      graph, beside each target's RSS (with a PID) empty and with the
//      index loaded and its save landed. bench/ann.sh then restarts
//      lakehouse and measures it again after rehydration.
// Prints a table with ratios and writes a recall-vs-QPS plot. Asserts
// nothing about speed. --quick: 10k vectors, short runs (CI).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>

#include "bench/dataset.hpp"
#include "bench/load_client.hpp"
#include "bench/paired_rounds.hpp"
#include "bench/process_cpu.hpp"
#include "bench/process_memory.hpp"
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
  double cpu_us = 0; // server CPU per search (at the best connections)
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
  int pid = 0;        // for its CPU per request; 0: not counted
  std::string prefix; // "" for vectord, "/v1" for the public API
};

/// NAME:PORT[:PID]
std::optional<target_spec> parse_target(const std::string& arg) {
  auto colon = arg.find(':');
  if (colon == std::string::npos)
    return std::nullopt;
  target_spec t;
  t.name = arg.substr(0, colon);
  auto rest = arg.substr(colon + 1);
  auto second = rest.find(':');
  t.port = static_cast<uint16_t>(std::stoi(rest.substr(0, second)));
  if (second != std::string::npos)
    t.pid = std::stoi(rest.substr(second + 1));
  t.prefix = t.name == "vectord" ? "" : "/v1";
  return t;
}

struct target_result {
  std::string index_name;
  size_t rss_empty = 0;     // of its PID before the index was created
  size_t rss_loaded = 0;    // after the inserts and the save after them
  double floor_qps = 0;     // GET /health through the same client: HTTP alone
  double health_cpu_us = 0; // server CPU per GET /health
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

// Searches answered per second by one load of `requests` (a batch
// request counts `per_request` searches); errors and refusals go to stderr.
double load_rate(uint16_t port, size_t connections,
                 const std::vector<std::string>& requests, double seconds,
                 double per_request, const std::string& what) {
  auto r = bench::run_load(port, connections, requests, seconds, SIZE_MAX,
                           nullptr);
  if (r.errors > 0 || r.refused > 0)
    std::fprintf(stderr, "%s: %zu errors, %zu refused (429/503)\n",
                 what.c_str(), r.errors, r.refused);
  return r.per_second() * per_request;
}

// The queries at `ef` in batch requests of batch_size searches each.
std::vector<std::string> batch_requests(const target_spec& t, const workload& w,
                                        const std::string& name, size_t ef) {
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
  return batches;
}

// Batch search at `ef`: recall from one pass, then QPS (searches answered
// per second) over 2 and 4 connections.
void measure_batches(const target_spec& t, const workload& w,
                     const std::string& name, size_t ef, point& best) {
  auto batches = batch_requests(t, w, name, ef);
  size_t rows = w.queries.rows;
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
    // A full batch holds batch_size searches (the last may hold fewer).
    double qps = load_rate(t.port, conns, batches, w.measure_seconds,
                           static_cast<double>(batch_size),
                           t.name + " batch ef " + std::to_string(ef) + ", "
                             + std::to_string(conns) + " connections");
    if (qps > best.batch_qps) {
      best.batch_qps = qps;
      best.batch_connections = conns;
    }
  }
}

// One search request per query at `ef`, POSTed to `path`.
std::vector<std::string> search_requests(const std::string& path,
                                         const workload& w, size_t ef) {
  std::vector<std::string> requests;
  for (size_t q = 0; q < w.queries.rows; ++q)
    requests.push_back(bench::make_post(
      path, R"({"k":)" + std::to_string(w.k) + R"(,"ef":)" + std::to_string(ef)
              + R"(,"vector":)"
              + bench::json_vector(w.queries.row(q), w.base.dim) + "}"));
  return requests;
}

const std::vector<std::string> health_requests{
  "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"};

// The figures of the target's saves (/metrics): how many landed and
// their mean length; nothing for a target that does not save (vectord
// without a store).
struct save_figures {
  long count = 0;
  double mean_seconds = 0;
};

std::optional<save_figures> saves_done(lh::http::blocking_client& admin) {
  auto metrics = admin.get("/metrics");
  if (!metrics || metrics->status != 200)
    return std::nullopt;
  auto value = [&](const std::string& key) -> std::optional<double> {
    auto at = metrics->body.find("\n" + key + " ");
    if (at == std::string::npos)
      return std::nullopt;
    return std::strtod(metrics->body.c_str() + at + key.size() + 2, nullptr);
  };
  auto count = value(R"(lakehouse_saves_total{result="ok"})");
  if (!count)
    return std::nullopt;
  auto sum = value("lakehouse_save_duration_seconds_sum").value_or(0);
  return save_figures{static_cast<long>(*count), *count > 0 ? sum / *count : 0};
}

// After the last insert: waits (at most 2 min) until a save has landed
// since `before` and no other followed for longer than the persistence
// actor rests after a save (max(1 s, 9x its length)): a save in flight
// when the inserts ended is followed by one more after that rest.
void wait_for_saves(lh::http::blocking_client& admin,
                    const save_figures& before) {
  auto deadline = clock_type::now() + std::chrono::minutes{2};
  auto last = before;
  auto changed = clock_type::now();
  while (clock_type::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
    auto now = saves_done(admin).value_or(last);
    if (now.count != last.count) {
      last = now;
      changed = clock_type::now();
    } else if (last.count > before.count
               && seconds_since(changed) >= 2 + 10 * last.mean_seconds) {
      return;
    }
  }
  std::fprintf(stderr, "no save settled in 2 min (%ld saves)\n", last.count);
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
  result.index_name = name;
  auto existing = admin.get(path("/vectors/index/" + name));
  bool reuse = !w.keep.empty() && existing && existing->status == 200;
  result.rss_empty = t.pid != 0 ? bench::rss_bytes(t.pid) : 0;
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
    if (auto saves = saves_done(admin))
      wait_for_saves(admin, *saves);
    std::printf("%s insert over HTTP: %.0f vectors/s (batches of %zu, %d "
                "errors)\n",
                t.name.c_str(), result.insert_rate, batch, errors.load());
  }
  result.rss_loaded = t.pid != 0 ? bench::rss_bytes(t.pid) : 0;
  for (auto ef : w.efs) {
    auto requests = search_requests(path("/vectors/index/" + name + "/search"),
                                    w, ef);
    std::vector<std::vector<uint32_t>> found(w.queries.rows);
    // One pass over all queries for recall, then timed runs.
    bench::run_load(t.port, 2, requests, 1e9, w.queries.rows,
                    [&](size_t i, std::string_view body) {
                      found[i % w.queries.rows] = ids_in(body);
                    });
    point best;
    best.recall = bench::recall_at_k(found, w.truth, w.k);
    auto r = bench::best_costed_load(t.port, t.pid, w.conn_counts, requests,
                                     w.measure_seconds,
                                     t.name + " ef " + std::to_string(ef));
    best.qps = r.load.per_second();
    best.connections = r.connections;
    best.cpu_us = r.cpu_us_per_request;
    measure_batches(t, w, name, ef, best);
    result.by_ef[ef] = best;
  }
  // The cost of HTTP alone on this machine: a request that does nothing.
  auto health = bench::best_costed_load(t.port, t.pid, w.conn_counts,
                                        health_requests, w.measure_seconds,
                                        t.name + " /health");
  result.floor_qps = health.load.per_second();
  result.health_cpu_us = health.cpu_us_per_request;
  return result;
}

// What a server that does nothing but answer costs here (nginx, one
// worker per core, `return 200` with a small body), driven by the same
// client with the same search bodies.
struct floor_figures {
  double search_rate = 0; // POSTs of the search bodies answered per second
  size_t connections = 0;
  double search_cpu_us = 0, health_cpu_us = 0;
};

floor_figures measure_floor(const target_spec& server, const workload& w) {
  floor_figures f;
  auto posts = bench::best_costed_load(
    server.port, server.pid, w.conn_counts,
    search_requests("/vectors/index/floor/search", w, w.efs.front()),
    w.measure_seconds, "floor (nginx) search bodies");
  f.search_rate = posts.load.per_second();
  f.connections = posts.connections;
  f.search_cpu_us = posts.cpu_us_per_request;
  f.health_cpu_us = bench::best_costed_load(server.port, server.pid,
                                            w.conn_counts, health_requests,
                                            w.measure_seconds,
                                            "floor (nginx) /health")
                      .cpu_us_per_request;
  return f;
}

// Ceiling C = 1 / (1/in-process QPS + 1/floor rate): the best any HTTP
// server could reach here, its search and the floor's HTTP work sharing
// the cores. Targets (issue 15): single-query search at ef 16 and 32,
// vectord and lakehouse >= 0.85 C, the gateway >= 0.6 C.
void print_ceiling(const floor_figures& f,
                   const std::vector<target_spec>& targets,
                   std::map<std::string, target_result>& results,
                   std::map<size_t, point>& in_process,
                   const std::vector<size_t>& efs) {
  std::printf("\nfloor: nginx answered %.0f search POSTs/s (%zu connections)"
              "\n%5s | %11s %9s",
              f.search_rate, f.connections, "ef", "in-proc QPS", "ceiling C");
  for (auto& t : targets)
    std::printf(" | %9s QPS %6s", t.name.c_str(), "/ C");
  std::printf("\n");
  for (auto ef : efs) {
    double c = 1 / (1 / in_process[ef].qps + 1 / f.search_rate);
    std::printf("%5zu | %11.0f %9.0f", ef, in_process[ef].qps, c);
    for (auto& t : targets) {
      auto qps = results[t.name].by_ef[ef].qps;
      std::printf(" | %13.0f %6.2f", qps, qps / c);
    }
    std::printf("\n");
  }
  std::printf("(targets at ef 16 and 32: vectord and lakehouse >= 0.85 C, "
              "gateway >= 0.6 C)\n");
  auto search_column = "search ef " + std::to_string(efs.front());
  std::printf("\nserver CPU per request (us, at the best connections; the "
              "process and its children)\n%-10s %9s %14s\n",
              "server", "/health", search_column.c_str());
  std::printf("%-10s %9.1f %14.1f  (answers the search body at once)\n",
              "nginx", f.health_cpu_us, f.search_cpu_us);
  for (auto& t : targets)
    std::printf("%-10s %9.1f %14.1f\n", t.name.c_str(),
                results[t.name].health_cpu_us,
                results[t.name].by_ef[efs.front()].cpu_us);
}

// Target: lakehouse's RSS with the index loaded (after its save) <= 1.15x
// what building the same graph grew this process by.
void print_memory(const std::vector<target_spec>& targets,
                  std::map<std::string, target_result>& results,
                  double graph_growth) {
  std::printf("\nmemory (RSS, MiB): in-process graph build grew %.1f\n"
              "%-10s %9s %14s %9s %14s\n",
              bench::mib(graph_growth), "server", "empty", "index loaded",
              "/ build", "growth / build");
  for (auto& t : targets) {
    auto& r = results[t.name];
    if (r.rss_loaded == 0 || t.name == "gateway")
      continue;
    auto loaded = static_cast<double>(r.rss_loaded);
    std::printf("%-10s %9.1f %14.1f %9.2f %14.2f\n", t.name.c_str(),
                bench::mib(static_cast<double>(r.rss_empty)),
                bench::mib(loaded), loaded / graph_growth,
                (loaded - static_cast<double>(r.rss_empty)) / graph_growth);
  }
  std::printf("(target: lakehouse index loaded, after its save and after a "
              "restart, <= 1.15 x the build's growth; the gateway's index "
              "lives in its vectord)\n");
}

// Searches per second of `graph` at `ef`, `threads` threads searching
// the queries round robin for `seconds`.
double in_process_qps(const lh::hnsw_index& graph, const bench::matrix& queries,
                      size_t k, size_t ef, size_t threads, double seconds) {
  std::atomic<size_t> done{0};
  auto start = clock_type::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
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
  return static_cast<double>(done) / seconds_since(start);
}

struct paired_baselines {
  const lh::hnsw_index& graph;
  size_t threads;
  const target_spec* floor; // nginx, or none
  size_t floor_connections;
  size_t rounds;
  double seconds; // each measurement of a round
};

void print_spread(const bench::spread& s) {
  std::printf(" | %4.2f [%4.2f %4.2f]", s.median, s.low, s.high);
}

// The verdict's figures. Per ef, `rounds` rounds: in each, the in-process
// graph, the floor, every target's single searches and vectord's and
// lakehouse's batches run in turn for `base.seconds` each, at the
// connection counts the scan above found best. A round's ratios use that
// round's baseline, taken seconds before or after, and the verdict is the
// median over rounds. Targets (issue 15): single search at the two lowest
// efs >= 0.85 C (gateway 0.6 C); batch >= 0.9x in-process at every ef.
void print_paired_rounds(const paired_baselines& base, const workload& w,
                         const std::vector<target_spec>& targets,
                         std::map<std::string, target_result>& results) {
  auto batch_target = [](const target_spec& t) { return t.name != "gateway"; };
  std::printf("\npaired rounds: per ef %zu rounds, each measuring "
              "in-process%s and every target for %.1f s in turn (order "
              "rotated);\nratio = median of the rounds' ratios [lowest "
              "highest]; single / %s, batch / in-process\n%5s",
              base.rounds, base.floor ? ", nginx" : "", base.seconds,
              base.floor ? "C" : "in-process", "ef");
  for (auto& t : targets)
    std::printf(" | %16s", (t.name + " single").c_str());
  for (auto& t : targets)
    if (batch_target(t))
      std::printf(" | %16s", (t.name + " batch").c_str());
  std::printf("\n");
  // Medians per target: single at each ef, and the lowest batch over efs.
  std::map<std::string, std::map<size_t, double>> single;
  std::map<std::string, std::pair<double, size_t>> lowest_batch;
  for (auto ef : w.efs) {
    std::vector<bench::measurement> ms;
    ms.push_back({"in-process", [&, ef] {
                    return in_process_qps(base.graph, w.queries, w.k, ef,
                                          base.threads, base.seconds);
                  }});
    std::vector<std::string> floor_requests;
    if (base.floor) {
      floor_requests = search_requests("/vectors/index/floor/search", w, ef);
      ms.push_back({"floor", [&] {
                      return load_rate(base.floor->port, base.floor_connections,
                                       floor_requests, base.seconds, 1,
                                       "floor (nginx)");
                    }});
    }
    // Request lists live here, for the measurements' whole life.
    std::vector<std::vector<std::string>> requests;
    requests.reserve(2 * targets.size());
    for (auto& t : targets) {
      auto& r = results[t.name];
      requests.push_back(search_requests(
        t.prefix + "/vectors/index/" + r.index_name + "/search", w, ef));
      ms.push_back({t.name, [&, &reqs = requests.back(),
                             conns = r.by_ef[ef].connections, ef] {
                      return load_rate(t.port, conns, reqs, base.seconds, 1,
                                       t.name + " ef " + std::to_string(ef));
                    }});
    }
    for (auto& t : targets) {
      if (!batch_target(t))
        continue;
      auto& r = results[t.name];
      requests.push_back(batch_requests(t, w, r.index_name, ef));
      ms.push_back(
        {t.name + " batch", [&, &reqs = requests.back(),
                             conns = r.by_ef[ef].batch_connections, ef] {
           return load_rate(t.port, conns, reqs, base.seconds,
                            static_cast<double>(batch_size),
                            t.name + " batch ef " + std::to_string(ef));
         }});
    }
    auto values = bench::run_rounds(ms, base.rounds);
    auto& in_process = values[0];
    auto baseline = base.floor
                      ? bench::per_round_ceilings(in_process, values[1])
                      : in_process;
    size_t m = base.floor ? 2 : 1;
    std::printf("%5zu", ef);
    for (auto& t : targets) {
      auto s = bench::spread_of(bench::per_round_ratios(values[m++], baseline));
      single[t.name][ef] = s.median;
      print_spread(s);
    }
    for (auto& t : targets) {
      if (!batch_target(t))
        continue;
      auto s = bench::spread_of(
        bench::per_round_ratios(values[m++], in_process));
      auto& low = lowest_batch.try_emplace(t.name, s.median, ef).first->second;
      if (s.median < low.first)
        low = {s.median, ef};
      print_spread(s);
    }
    std::printf("   in-process %.0f QPS\n",
                bench::spread_of(in_process).median);
  }
  // The verdict, target by target.
  for (auto& t : targets) {
    double bound = t.name == "gateway" ? 0.6 : 0.85;
    size_t ef_a = w.efs[0], ef_b = w.efs[std::min<size_t>(1, w.efs.size() - 1)];
    auto a = single[t.name][ef_a], b = single[t.name][ef_b];
    std::printf("target: %s single search at ef %zu and %zu >= %.2f %s: %.2f, "
                "%.2f -> %s\n",
                t.name.c_str(), ef_a, ef_b, bound,
                base.floor ? "C" : "in-process", a, b,
                a >= bound && b >= bound ? "met" : "NOT met");
  }
  for (auto& [name, low] : lowest_batch)
    std::printf("target: %s batch >= 0.90 x in-process at every ef: lowest "
                "%.2f (ef %zu) -> %s\n",
                name.c_str(), low.first, low.second,
                low.first >= 0.9 ? "met" : "NOT met");
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"ANN benchmark: in-process hnswlib vs servers over HTTP"};
  bool quick = false;
  std::vector<std::string> target_args;
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
  std::string plot = "bench/out/ann.png";
  double measure_seconds = 3;
  std::string keep;      // index name to keep and reuse (profiling)
  std::string floor_arg; // PORT[:PID] of a server that answers at once
  // Short slices, many rounds: this machine's speed moves by 20-40%
  // between consecutive 2 s loads, so a slice must be short for both
  // sides of a ratio to see the same machine.
  size_t rounds = 10;
  double round_seconds = 0.5;
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
  app.add_option("--floor", floor_arg,
                 "PORT[:PID] of nginx answering every request at once: the "
                 "floor that sets the HTTP ceiling");
  app.add_option("--rounds", rounds,
                 "paired rounds per ef (the verdict's figures; 1 with "
                 "--quick)");
  app.add_option("--round-seconds", round_seconds,
                 "duration of each measurement in a paired round");
  CLI11_PARSE(app, argc, argv);
  std::vector<target_spec> targets;
  for (auto& arg : target_args) {
    auto t = parse_target(arg);
    if (!t) {
      std::fprintf(stderr, "--target wants NAME:PORT[:PID], got %s\n",
                   arg.c_str());
      return 2;
    }
    targets.push_back(*t);
  }
  std::optional<target_spec> floor_server;
  if (!floor_arg.empty()
      && !(floor_server = parse_target("floor:" + floor_arg))) {
    std::fprintf(stderr, "--floor wants PORT[:PID], got %s\n",
                 floor_arg.c_str());
    return 2;
  }
  if (quick) {
    measure_seconds = std::min(measure_seconds, 0.3);
    round_seconds = std::min(round_seconds, 0.3);
    rounds = 1;
  }
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
  auto rss_before_graph = bench::rss_bytes();
  lh::hnsw_index graph{
    {static_cast<uint32_t>(dim), lh::metric::l2, 16, 200, 100}, base.rows};
  lh::worker_pool pool{threads};
  t0 = clock_type::now();
  pool.parallel_for(base.rows, threads,
                    [&](size_t i) { (void)graph.add(i, base.row(i)); });
  double build_rate = base.rows / seconds_since(t0);
  auto graph_growth = static_cast<double>(bench::rss_bytes())
                      - static_cast<double>(rss_before_graph);
  std::printf("in-process build: %.0f vectors/s (%zu threads), RSS +%.1f "
              "MiB\n",
              build_rate, threads, bench::mib(graph_growth));
  // For bench/ann.sh, which compares a restarted lakehouse with it.
  std::printf("memory: in-process growth bytes %.0f\n", graph_growth);
  std::map<size_t, point> in_process;
  for (auto ef : efs) {
    std::vector<std::vector<uint32_t>> found(queries.rows);
    for (size_t q = 0; q < queries.rows; ++q)
      for (auto& nb : graph.search(queries.row(q), k, ef))
        found[q].push_back(static_cast<uint32_t>(nb.label));
    in_process[ef] = {in_process_qps(graph, queries, k, ef, threads,
                                     measure_seconds),
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
  // 3. The floor: nginx answering the same search bodies, same client.
  std::optional<floor_figures> floor;
  if (floor_server)
    floor = measure_floor(*floor_server, w);
  // The in-process baseline again, now that the targets are done: this
  // machine's speed drifts over minutes, so the ratios use the mean of
  // both measurements, and the drift is shown.
  std::printf("in-process QPS before / after the targets (ratios use the "
              "mean):");
  for (auto ef : efs) {
    auto before = in_process[ef].qps;
    auto after = in_process_qps(graph, queries, k, ef, threads,
                                measure_seconds);
    in_process[ef].qps = (before + after) / 2;
    std::printf(" ef %zu %.0f / %.0f (%+.0f%%);", ef, before, after,
                100 * (after / before - 1));
  }
  std::printf("\n");

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
  std::printf("  target: inserts over HTTP >= 0.8 of the in-process build "
              "(vectord, lakehouse); search targets against the ceiling "
              "below\n");

  if (floor)
    print_ceiling(*floor, targets, results, in_process, efs);
  print_memory(targets, results, graph_growth);
  print_paired_rounds({graph, threads, floor ? &*floor_server : nullptr,
                       floor ? floor->connections : 0, rounds, round_seconds},
                      w, targets, results);
  if (keep.empty())
    for (auto& t : targets) {
      lh::http::blocking_client admin{"127.0.0.1", t.port};
      (void)admin.send(lh::http::method::del, t.prefix + "/vectors/index/"
                                                + results[t.name].index_name);
    }

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
