// bench/wal: what the write-ahead log costs and what group commit buys, in
// ONE run against baselines measured in the same run (this machine is
// noisy), through the product's own actors over an embedded RocksDB
// (lakehouse's path; synced writes):
//   1. single-item add latency, one client, with the log, against one
//      synced RocksDB put of the same size (target: p99 <= 2x);
//   2. 64 clients adding single items to one index at once, against
//      one-at-a-time synced puts (target: >= 10x the rate: group commit);
//   3. batch adds (1000 x 128-d) with the log and background saves,
//      against the same batches on an ephemeral service (target: >= 0.9x);
//   4. rehydration of an index whose changes sit in a 10k-record log tail
//      (no snapshot), against rehydrating the same index from a snapshot.
// --quick: fewer items and shorter runs (CI). Asserts nothing about speed.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/caf_error.hpp"
#include "actors/persistence_actor.hpp"
#include "actors/registry_actor.hpp"
#include "actors/store_actor.hpp"
#include "actors/vector_service.hpp"
#include "actors/wal_writer.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using lh::add_atom;
using lh::create_atom;

constexpr uint32_t dim = 128;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

lh::batch_message batch(const std::string& prefix, size_t first, size_t n,
                        std::mt19937& rng) {
  std::uniform_real_distribution<float> u{-1, 1};
  auto b = std::make_shared<lh::add_batch>();
  b->dimension = dim;
  for (size_t i = 0; i < n; ++i) {
    b->ids.push_back(prefix + std::to_string(first + i));
    b->metadata.push_back(R"({"n":)" + std::to_string(first + i) + "}");
    for (uint32_t d = 0; d < dim; ++d)
      b->vectors.push_back(u(rng));
  }
  return lh::batch_message{b};
}

// A registry over `store` as a service has it: with the log writer and the
// persistence actor when asked, ephemeral when `store` is null.
struct service {
  std::shared_ptr<lh::index_table> table = std::make_shared<lh::index_table>();
  std::shared_ptr<lh::index_status> status;
  lh::wal_actor wal;
  lh::persistence_actor saver;
  lh::registry_actor reg;

  service(caf::actor_system& sys, lh::store_actor store, bool saves,
          std::shared_ptr<lh::worker_pool> pool,
          std::shared_ptr<lh::rocks_store> local) {
    bool durable = static_cast<bool>(store);
    status = std::make_shared<lh::index_status>(durable);
    lh::registry_options o;
    o.table = table;
    o.pool = std::move(pool);
    o.status = status;
    if (durable) {
      wal = sys.spawn<caf::detached>(lh::local_wal_writer, local);
      if (saves)
        saver = sys.spawn<caf::detached>(lh::persistence, store, table, status,
                                         lh::store_call_timeout);
      o.store = store;
      o.wal = wal;
      o.persistence = saver;
    }
    reg = sys.spawn(lh::registry, o);
  }
  void wait_loaded() const {
    while (!status->rehydration().done())
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  void stop(caf::actor_system& sys) {
    caf::scoped_actor self{sys};
    if (saver)
      self->request(saver, caf::infinite, lh::flush_atom::value)
        .receive([](lh::ok_atom) {}, [](caf::error&) {});
    for (auto a : {caf::actor_cast<caf::actor>(reg),
                   caf::actor_cast<caf::actor>(saver),
                   caf::actor_cast<caf::actor>(wal)})
      if (a)
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
};

void create(caf::actor_system& sys, const service& s, const std::string& name) {
  caf::scoped_actor self{sys};
  self
    ->request(s.reg, caf::infinite, create_atom::value,
              lh::index_params{name, dim, lh::metric::l2, 16, 64, 32})
    .receive([](lh::index_info&) {},
             [&](caf::error& e) {
               std::fprintf(stderr, "create %s: %s\n", name.c_str(),
                            lh::from_caf(e).message.c_str());
               std::exit(1);
             });
}

// Adds one batch and waits for its answer; false on an error.
bool add(caf::scoped_actor& self, const service& s, const std::string& name,
         lh::batch_message b) {
  bool ok = false;
  self->request(s.reg, caf::infinite, add_atom::value, name, std::move(b))
    .receive([&](lh::add_result&) { ok = true; },
             [&](caf::error& e) {
               std::fprintf(stderr, "add: %s\n",
                            lh::from_caf(e).message.c_str());
             });
  return ok;
}

// 1 and 2's baseline: sequential synced puts of `bytes`-byte values.
std::vector<double> synced_puts(lh::rocks_store& store, size_t n,
                                size_t bytes) {
  std::vector<double> ms;
  std::string value(bytes, 'v');
  for (size_t i = 0; i < n; ++i) {
    auto t = clock_type::now();
    if (!store.put("bench/put/" + std::to_string(i), value)) {
      std::fprintf(stderr, "synced put failed\n");
      std::exit(1);
    }
    ms.push_back(seconds_since(t) * 1e3);
  }
  return ms;
}

// `writers` threads, each with its own actor, call `one(me, writer, i)`
// for i = 0, 1, ... until `run` is over: the calls per second (0 when a
// call failed).
template <class One>
double concurrent_rate(caf::actor_system& sys, size_t writers,
                       std::chrono::milliseconds run, One one) {
  std::atomic<size_t> done{0};
  std::atomic<bool> failed{false};
  auto until = clock_type::now() + run;
  auto start = clock_type::now();
  std::vector<std::thread> threads;
  for (size_t w = 0; w < writers; ++w)
    threads.emplace_back([&, w] {
      caf::scoped_actor me{sys};
      for (size_t i = 0; clock_type::now() < until; ++i) {
        if (!one(me, w, i)) {
          failed = true;
          return;
        }
        ++done;
      }
    });
  for (auto& t : threads)
    t.join();
  return failed ? 0 : done / seconds_since(start);
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"write-ahead log costs against synced puts, in one run"};
  bool quick = false;
  std::string dir = "/tmp/lakehouse-wal-bench";
  app.add_flag("--quick", quick, "fewer items, shorter runs (CI)");
  app.add_option("--dir", dir, "scratch directory (emptied)");
  CLI11_PARSE(app, argc, argv);
  const size_t singles = quick ? 200 : 1000;
  const auto concurrent_run = std::chrono::milliseconds{quick ? 1000 : 5000};
  const size_t writers = 64;
  const size_t batch_items = 1000, batches = quick ? 5 : 20;
  const size_t tail_records = quick ? 2000 : 10000;

  std::filesystem::remove_all(dir);
  auto open = [&](const std::string& sub) {
    auto opened = lh::rocks_store::open({.path = dir + "/" + sub});
    if (!opened) {
      std::fprintf(stderr, "%s\n", opened.error().message.c_str());
      std::exit(1);
    }
    return std::shared_ptr<lh::rocks_store>{std::move(*opened)};
  };
  auto rocks = open("data");
  caf::actor_system_config cfg;
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  lh::add_error_renderer(cfg);
  caf::actor_system sys{cfg};
  auto store = lh::spawn_rocks_store(sys, rocks, lh::default_store_writers);
  auto pool = std::make_shared<lh::worker_pool>(0);
  std::mt19937 rng{7};

  // The size of one single-item add's log record.
  const size_t record_bytes = dim * sizeof(float) + 60;
  auto put_ms = synced_puts(*rocks, singles, record_bytes);
  double put_p50 = percentile(put_ms, 0.5), put_p99 = percentile(put_ms, 0.99);
  double put_rate = 1e3 * put_ms.size()
                    / std::accumulate(put_ms.begin(), put_ms.end(), 0.0);
  std::printf("baseline: synced RocksDB put of %zu bytes: p50 %.3f ms, p99 "
              "%.3f ms, %.0f puts/s one at a time\n",
              record_bytes, put_p50, put_p99, put_rate);

  // 1. One client, single-item adds, log + background saves.
  {
    service s{sys, store, getenv("NOSAVE") == nullptr, pool, rocks};
    s.wait_loaded();
    create(sys, s, "single");
    caf::scoped_actor self{sys};
    std::vector<double> ms;
    for (size_t i = 0; i < singles; ++i) {
      auto b = batch("s", i, 1, rng);
      auto t = clock_type::now();
      if (!add(self, s, "single", b))
        return 1;
      ms.push_back(seconds_since(t) * 1e3);
    }
    auto p50 = percentile(ms, 0.5), p99 = percentile(ms, 0.99);
    std::printf("1. single-item add, one client, with the log: p50 %.3f ms, "
                "p99 %.3f ms: p99 ratio %.2fx a synced put's (target <= "
                "2x)\n",
                p50, p99, p99 / put_p99);

    // 2. 64 clients at once on one index.
    create(sys, s, "many");
    double rate = concurrent_rate(
      sys, writers, concurrent_run,
      [&](caf::scoped_actor& me, size_t w, size_t i) {
        std::mt19937 r{static_cast<unsigned>(w * 1000003 + i)};
        return add(me, s, "many",
                   batch("w" + std::to_string(w) + "-", i, 1, r));
      });
    // The ceiling of one index: its actor applies adds one at a time, so
    // single-item inserts on one thread, in process, bound the rate.
    lh::vector_index alone{{"alone", dim, lh::metric::l2, 16, 64, 32}};
    std::mt19937 r{3};
    auto t = clock_type::now();
    size_t inserted = 0;
    while (seconds_since(t) < std::chrono::duration<double>(concurrent_run)
                                .count())
      alone.add(*batch("a", inserted++, 1, r).batch, nullptr);
    double ceiling = inserted / seconds_since(t);
    std::printf("2. %zu clients adding single items to one index: %.0f "
                "adds/s: %.1fx one-at-a-time synced puts (target >= 10x); "
                "the index's own ceiling, single-item inserts on one thread "
                "in process without a log: %.0f/s, so %.2fx of it%s\n",
                writers, rate, rate / put_rate, ceiling, rate / ceiling,
                rate == 0 ? " [ADDS FAILED]" : "");
    s.stop(sys);
  }

  // 2b. Group commit alone: 64 clients appending records of that size to
  // the log writer (one index each), without the index work. Its own
  // RocksDB: these bare records are no index's log for 3 and 4 to load.
  {
    auto wal = sys.spawn<caf::detached>(lh::local_wal_writer,
                                        open("log-alone"));
    auto record = std::make_shared<const std::string>(record_bytes, 'r');
    double rate = concurrent_rate(
      sys, writers, concurrent_run,
      [&](caf::scoped_actor& me, size_t w, size_t i) {
        bool ok = false;
        me->request(wal, caf::infinite, lh::append_atom::value,
                    lh::wal_entry{"log" + std::to_string(w), i + 1, record})
          .receive([&](lh::ok_atom) { ok = true; }, [](caf::error&) {});
        return ok;
      });
    std::printf("2b. the log alone, %zu clients appending %zu-byte records: "
                "%.0f records/s: %.1fx one-at-a-time synced puts (group "
                "commit; target >= 10x)\n",
                writers, record_bytes, rate, rate / put_rate);
    caf::anon_send_exit(wal, caf::exit_reason::user_shutdown);
  }

  // 3. Batch adds: ephemeral against log + saves.
  auto batch_rate = [&](lh::store_actor st, const std::string& name,
                        bool saves) {
    service s{sys, st, saves, pool, rocks};
    s.wait_loaded();
    create(sys, s, name);
    caf::scoped_actor self{sys};
    std::mt19937 r{11};
    std::vector<lh::batch_message> data;
    for (size_t i = 0; i < batches; ++i)
      data.push_back(batch("b", i * batch_items, batch_items, r));
    auto t = clock_type::now();
    for (auto& b : data)
      if (!add(self, s, name, b))
        std::exit(1);
    double rate = batches * batch_items / seconds_since(t);
    s.stop(sys);
    return rate;
  };
  double ephemeral = batch_rate(lh::store_actor{}, "batch-ephemeral", false);
  double log_only = batch_rate(store, "batch-log-only", false);
  double logged = batch_rate(store, "batch-logged", true);
  std::printf("3. batch adds of %zu x %u-d: %.0f items/s ephemeral; with "
              "the log %.0f: %.2fx (target >= 0.9x); with the log and "
              "background snapshots %.0f: %.2fx\n",
              batch_items, dim, ephemeral, log_only, log_only / ephemeral,
              logged, logged / ephemeral);

  // 4. Rehydration from a log tail of single-item records, then from a
  // snapshot of the same index, in a store of its own.
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  rocks = open("tail");
  store = lh::spawn_rocks_store(sys, rocks, lh::default_store_writers);
  {
    service s{sys, store, false, pool, rocks}; // no saves: all stays in the log
    s.wait_loaded();
    create(sys, s, "tail");
    std::vector<std::thread> threads;
    std::atomic<size_t> next{0};
    for (size_t w = 0; w < writers; ++w)
      threads.emplace_back([&] {
        caf::scoped_actor me{sys};
        std::mt19937 r{static_cast<unsigned>(next.load())};
        for (size_t i; (i = next++) < tail_records;)
          if (!add(me, s, "tail", batch("t", i, 1, r)))
            std::exit(1);
      });
    for (auto& t : threads)
      t.join();
    s.stop(sys);
  }
  auto rehydrate = [&](bool saves) {
    service s{sys, store, saves, pool, rocks};
    auto t = clock_type::now();
    s.wait_loaded();
    double took = seconds_since(t);
    auto idx = s.table->find("tail");
    size_t length = idx ? idx->length() : 0;
    s.stop(sys); // with saves: the snapshot of what it replayed lands
    return std::pair{took, length};
  };
  auto [from_log, log_length] = rehydrate(true);
  auto [from_snapshot, snap_length] = rehydrate(false);
  std::printf("4. rehydration with a %zu-record log tail: %.3f s (%zu "
              "items); from a snapshot of it: %.3f s (%zu items): %.1fx\n",
              tail_records, from_log, log_length, from_snapshot, snap_length,
              from_log / from_snapshot);
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  std::filesystem::remove_all(dir);
  return 0;
}
