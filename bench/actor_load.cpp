// The actor-level load harness (tests/load/actor_load.hpp) in full: by
// default 100 indexes (dimensions 32..768 mixed) and 64 clients for 30 s.
// Prints throughput and p50/p99 per operation; exits 1 if an invariant
// broke. --quick: 20 indexes, 16 clients, 3 s.
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "tests/load/actor_load.hpp"

int main(int argc, char** argv) {
  lh::load::options o;
  double seconds = 30;
  bool quick = false, ephemeral = false;
  CLI::App app{"actor-level load: registry and index actors, no HTTP"};
  app.add_option("--indexes", o.indexes, "indexes (default 100)");
  app.add_option("--clients", o.clients, "client threads (default 64)");
  app.add_option("--seconds", seconds, "duration (default 30)");
  app.add_option("--dims", o.dimensions, "dimensions, used in turn");
  app.add_option("--seed", o.seed, "random seed");
  app.add_flag("--ephemeral", ephemeral, "no store: no log, no snapshots");
  app.add_flag("--quick", quick, "20 indexes, 16 clients, 3 s");
  CLI11_PARSE(app, argc, argv);
  if (quick) {
    o.indexes = 20;
    o.clients = 16;
    seconds = 3;
  }
  o.duration = std::chrono::milliseconds{static_cast<int64_t>(seconds * 1000)};
  o.persistent = !ephemeral;
  spdlog::set_level(spdlog::level::warn); // not a line per create and drop
  std::cout << "actor load: " << o.indexes << " indexes, " << o.clients
            << " clients, " << seconds << " s, "
            << (o.persistent ? "embedded RocksDB" : "ephemeral") << "\n";
  auto r = lh::load::run(o);
  std::cout << r.table() << "items at end: " << r.items_at_end
            << ", searches for a just-added item that needed a second try: "
            << r.recall_retries
            << (r.restart_checked ? ", restart: every index back\n" : "\n");
  for (auto& v : r.violations)
    std::cout << "VIOLATION: " << v << "\n";
  return r.violations.empty() ? 0 : 1;
}
