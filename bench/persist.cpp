// bench/persist: how fast a big index is saved and rehydrated through the
// product's persistence path, against hnswlib's own file I/O, in ONE run:
//   - baseline: saveIndex to a local file + fsync; loadIndex from it;
//   - one persistence path (--store): "embedded" (lakehouse): the
//     persistence actor encodes the LHV1 blob and puts it into RocksDB
//     (synced), then a fresh registry rehydrates it; or a storaged URL
//     (vectord): the same through that storaged over HTTP.
// Also the peak RSS growth of this process during the save, against the
// blob size: the target is index + one blob. One path per run, so that
// memory freed by one path does not hide the next one's growth
// (bench/persist.sh runs both). Data: the fashion-mnist index of bench/ann
// (60k x 784, l2, M 16, ef_construction 200); --quick: 10k. Prints
// figures and ratios; asserts nothing about speed.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <fcntl.h>
#include <unistd.h>

#include "actors/caf_error.hpp"
#include "actors/persistence_actor.hpp"
#include "actors/registry_actor.hpp"
#include "actors/store_actor.hpp"
#include "actors/vector_service.hpp"
#include "bench/dataset.hpp"
#include "bench/process_memory.hpp"
#include "http/remote_store_actor.hpp"
#include "index/lhv1.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

struct save_figures {
  double seconds = 0;
  double rss_growth_bytes = 0; // peak during the save, above the start
};

// One save through the persistence actor: notice, then wait for flush.
save_figures save_through(caf::actor_system& sys, lh::store_actor store,
                          std::shared_ptr<lh::index_table> table,
                          const std::string& name) {
  auto status = std::make_shared<lh::index_status>(true);
  auto saver = sys.spawn<caf::detached>(lh::persistence, store, table, status,
                                        std::chrono::milliseconds{600'000});
  caf::scoped_actor self{sys};
  save_figures f;
  bench::reset_peak_rss();
  auto rss0 = bench::rss_bytes();
  auto t0 = clock_type::now();
  self->send(saver, lh::changed_atom::value, name);
  self->request(saver, caf::infinite, lh::flush_atom::value)
    .receive([](lh::ok_atom) {},
             [](caf::error& e) {
               std::fprintf(stderr, "flush failed: %s\n",
                            lh::from_caf(e).message.c_str());
             });
  f.seconds = seconds_since(t0);
  f.rss_growth_bytes = double(bench::status_bytes("VmHWM")) - double(rss0);
  auto failures = status->save_failures();
  for (auto& [n, why] : failures)
    std::fprintf(stderr, "save of %s failed: %s\n", n.c_str(), why.c_str());
  caf::anon_send_exit(saver, caf::exit_reason::user_shutdown);
  return f;
}

// Rehydration by a fresh registry: the time until it is done.
double rehydrate_from(caf::actor_system& sys, lh::store_actor store,
                      size_t expected_length, const std::string& name) {
  auto table = std::make_shared<lh::index_table>();
  auto status = std::make_shared<lh::index_status>(true);
  lh::registry_options o;
  o.table = table;
  o.status = status;
  o.store = store;
  o.rehydrate_timeout = std::chrono::minutes{10};
  o.rehydrate_parallelism = 2;
  auto t0 = clock_type::now();
  auto reg = sys.spawn(lh::registry, o);
  while (!status->rehydration().done())
    std::this_thread::sleep_for(std::chrono::microseconds{200});
  auto seconds = seconds_since(t0);
  auto idx = table->find(name);
  if (!idx || idx->length() != expected_length)
    std::fprintf(stderr, "rehydration lost the index: %zu items\n",
                 idx ? idx->length() : size_t{0});
  caf::anon_send_exit(reg, caf::exit_reason::user_shutdown);
  return seconds;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Persistence benchmark: LHV1 saves and rehydration vs "
               "hnswlib's saveIndex and loadIndex"};
  bool quick = false;
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
  std::string work_dir = "bench/out/persist";
  std::string store_arg = "embedded";
  app.add_flag("--quick", quick, "10k vectors");
  app.add_option("--data", data_dir, "directory of the fashion-mnist files");
  app.add_option("--dir", work_dir, "scratch directory (files, RocksDB)");
  app.add_option("--store", store_arg,
                 "\"embedded\" (RocksDB in this process) or the URL of a "
                 "storaged");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::remove_all(work_dir);
  std::filesystem::create_directories(work_dir);

  auto base = bench::load_idx_images(data_dir + "/train-images-idx3-ubyte.gz",
                                     quick ? 10'000 : 60'000);
  const std::string name = "fashion";
  lh::index_params params{
    name, static_cast<uint32_t>(base.dim), lh::metric::l2, 16, 200, 64};
  auto index = std::make_shared<lh::vector_index>(params);
  lh::worker_pool pool{2};
  auto t0 = clock_type::now();
  for (size_t first = 0; first < base.rows; first += 1000) {
    lh::add_batch b;
    b.dimension = params.dimension;
    for (size_t i = first; i < std::min(base.rows, first + 1000); ++i) {
      b.ids.push_back(std::to_string(i));
      b.metadata.emplace_back();
      b.vectors.insert(b.vectors.end(), base.row(i), base.row(i) + base.dim);
    }
    if (!index->add(std::move(b), &pool)) {
      std::fprintf(stderr, "building the index failed\n");
      return 1;
    }
  }
  std::printf("index: %zu x %zu, built in %.1f s\n", base.rows, base.dim,
              seconds_since(t0));

  // 1. Baseline: hnswlib's own saveIndex + fsync, and loadIndex.
  auto file = work_dir + "/graph.bin";
  double save_ref = 0;
  index->read_for_save([&](const lh::index_view& v) {
    auto t = clock_type::now();
    if (!v.graph.save_to_file(file))
      std::fprintf(stderr, "saveIndex failed\n");
    int fd = ::open(file.c_str(), O_RDONLY);
    ::fsync(fd);
    ::close(fd);
    save_ref = seconds_since(t);
  });
  auto file_bytes = std::filesystem::file_size(file);
  t0 = clock_type::now();
  auto loaded = lh::hnsw_index::load_from_file(lh::graph_params(params), file);
  double load_ref = seconds_since(t0);
  if (!loaded)
    std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
  loaded = lh::error{}; // free it before measuring memory
  t0 = clock_type::now();
  auto blob_bytes = lh::lhv1::encode_index(*index).value().size();
  auto encode_seconds = seconds_since(t0);
  std::printf("graph file %.1f MiB; LHV1 blob %.1f MiB, encoded in %.3f s\n",
              bench::mib(file_bytes), bench::mib(blob_bytes), encode_seconds);

  caf::actor_system_config cfg;
  lh::add_error_renderer(cfg);
  caf::actor_system sys{cfg};
  auto table = std::make_shared<lh::index_table>();
  table->publish(std::make_shared<lh::index_table::map>(
    lh::index_table::map{{name, index}}));

  // 2. The persistence path: save, then rehydrate in a fresh registry.
  lh::store_actor store;
  std::string path_name;
  if (store_arg == "embedded") {
    auto rocks = lh::rocks_store::open({.path = work_dir + "/rocks"});
    if (!rocks) {
      std::fprintf(stderr, "%s\n", rocks.error().message.c_str());
      return 1;
    }
    store = lh::spawn_rocks_store(
      sys, std::shared_ptr<lh::rocks_store>{std::move(*rocks)},
      lh::default_store_writers);
    path_name = "embedded RocksDB";
  } else {
    lh::settings s;
    s.vectord.storaged_url = store_arg;
    auto remote = lh::connect_store(sys, s);
    if (!remote || !*remote) {
      std::fprintf(stderr, "--store: not \"embedded\" nor a storaged URL\n");
      return 2;
    }
    store = *remote;
    path_name = "storaged over HTTP";
  }
  auto saved = save_through(sys, store, table, name);
  auto rehydrate = rehydrate_from(sys, store, base.rows, name);
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);

  std::printf("\n%-22s %9s %7s %11s %7s %16s\n", "path", "save s", "ratio",
              "rehydrate s", "ratio", "save RSS growth");
  std::printf("%-22s %9.3f %7s %11.3f %7s %16s\n", "hnswlib file (base)",
              save_ref, "1.00", load_ref, "1.00", "");
  std::printf("%-22s %9.3f %7.2f %11.3f %7.2f %9.0f MiB %.2fx blob\n",
              path_name.c_str(), saved.seconds, saved.seconds / save_ref,
              rehydrate, rehydrate / load_ref,
              bench::mib(saved.rss_growth_bytes),
              saved.rss_growth_bytes / double(blob_bytes));
  std::printf("targets: save <= 1.5 of saveIndex + fsync, rehydrate <= 1.5 of "
              "loadIndex, RSS growth during a save <= 1 blob (index + one "
              "blob)\n");
  std::filesystem::remove_all(work_dir);
  return 0;
}
