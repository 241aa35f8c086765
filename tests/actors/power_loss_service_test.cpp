// Power loss under the whole vector service, as lakehouse runs it: the
// registry, index actors, log writer and background snapshots over an
// embedded RocksDB on the power-loss file system
// (tests/storage/power_loss_fs.hpp). Clients add and delete while a
// snapshot lands and its log is trimmed; the power is cut mid-stream; on
// the disk as it is left, a new service must find every acknowledged item
// with its exact vector and no acknowledged delete undone. The negative
// control acknowledges before syncing, and the same check must catch it.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "actors/caf_error.hpp"
#include "actors/store_actor.hpp"
#include "actors/vector_service.hpp"
#include "index/wal_record.hpp"
#include "tests/storage/power_loss_fs.hpp"

namespace {

using namespace lh;
using namespace std::chrono_literals;
constexpr uint32_t dim = 8;

// What the clients were told, per id.
struct ledger {
  std::mutex m;
  std::map<std::string, std::vector<float>> present; // acknowledged adds
  std::set<std::string> deleted;                      // acknowledged deletes
  std::set<std::string> unknown; // a failed change: either outcome is fine
};

caf::actor_system_config& config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    c.set("logger.file-verbosity", caf::atom("quiet"));
    add_error_renderer(c);
    return c;
  }();
  return cfg;
}

// One client until `stop`: batches of 1 or 16 items, and now and then a
// delete of one of its acknowledged items.
void client(caf::actor_system& sys, registry_actor reg, int me,
            const std::atomic<bool>& stop, ledger& book) {
  caf::scoped_actor self{sys};
  std::mt19937 rng{static_cast<unsigned>(me)};
  std::vector<std::string> mine;
  for (int round = 0; !stop; ++round) {
    auto b = std::make_shared<add_batch>();
    b->dimension = dim;
    size_t n = round % 4 == 0 ? 16 : 1;
    for (size_t i = 0; i < n; ++i) {
      b->ids.push_back("c" + std::to_string(me) + "-" + std::to_string(round)
                       + "-" + std::to_string(i));
      b->metadata.push_back("{}");
      for (uint32_t d = 0; d < dim; ++d)
        b->vectors.push_back(std::uniform_real_distribution<float>{-1, 1}(rng));
    }
    // The index takes the batch's contents: keep what the ledger needs.
    auto ids = b->ids;
    auto vectors = b->vectors;
    bool ok = false;
    self->request(reg, 10s, add_atom::value, std::string{"docs"},
                  batch_message{b})
      .receive([&](add_result&) { ok = true; }, [](caf::error&) {});
    {
      std::lock_guard g{book.m};
      for (size_t i = 0; i < n; ++i)
        if (ok)
          book.present[ids[i]].assign(vectors.begin() + i * dim,
                                      vectors.begin() + (i + 1) * dim);
        else
          book.unknown.insert(ids[i]);
    }
    if (ok)
      mine.insert(mine.end(), ids.begin(), ids.end());
    if (round % 5 == 4 && !mine.empty()) {
      auto r = std::make_shared<delete_request>();
      r->ids = {mine.front()};
      mine.erase(mine.begin());
      bool gone = false;
      self->request(reg, 10s, delete_atom::value, std::string{"docs"},
                    delete_message{r})
        .receive([&](delete_result& d) { gone = d.deleted == 1; },
                 [](caf::error&) {});
      std::lock_guard g{book.m};
      auto id = r->ids.front();
      book.present.erase(id);
      (gone ? book.deleted : book.unknown).insert(id);
    }
    if (!ok)
      std::this_thread::sleep_for(1ms); // the power is gone
  }
}

void wait_until(const std::function<bool()>& done, std::chrono::seconds max) {
  auto until = std::chrono::steady_clock::now() + max;
  while (!done() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(5ms);
}

class power_loss_service_test : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path()
           / ("lh-power-service-" + std::to_string(::getpid()) + "-"
              + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  struct outcome {
    size_t acknowledged = 0, lost = 0, undeleted = 0, invented = 0;
    bool snapshot = false; // a snapshot and its trim landed before the cut
  };

  // Runs the service on the power-loss file system, cuts the power once a
  // snapshot has landed, and checks the disk it leaves.
  outcome run_and_cut(bool sync) {
    auto disk = std::make_shared<lh::test::disk_state>();
    auto env = rocksdb::NewCompositeEnv(
      std::make_shared<lh::test::power_loss_fs>(disk));
    ledger book;
    outcome out;
    std::weak_ptr<rocks_store> closed;
    {
      auto opened = rocks_store::open(
        {.path = dir_.string(), .sync = sync, .env = env.get()});
      EXPECT_TRUE(opened) << opened.error().message;
      std::shared_ptr<rocks_store> rocks{std::move(*opened)};
      closed = rocks;
      caf::actor_system sys{config()};
      auto store = spawn_rocks_store(sys, rocks, 2);
      auto svc = start_vector_service(sys, store, {}, rocks);
      wait_until([&] { return svc.status->rehydration().done(); }, 10s);
      {
        caf::scoped_actor self{sys};
        self->request(svc.registry, 10s, create_atom::value,
                      index_params{"docs", dim, metric::l2, 8, 32, 16})
          .receive([](index_info&) {},
                   [](caf::error& e) { FAIL() << from_caf(e).message; });
      }
      std::atomic<bool> stop{false};
      std::vector<std::thread> clients;
      for (int c = 0; c < 3; ++c)
        clients.emplace_back(client, std::ref(sys), svc.registry, c,
                             std::cref(stop), std::ref(book));
      // Cut mid-stream, once a snapshot holding adds landed and trimmed
      // the log below it: the first add's record (2) is written before
      // any add is answered, and goes only with a trim.
      auto first_add = wal::key_of("docs", 2);
      wait_until([&] { std::lock_guard g{book.m}; return !book.present.empty(); },
                 10s);
      wait_until([&] { return !rocks->get(first_add).has_value(); }, 15s);
      out.snapshot = !rocks->get(first_add).has_value();
      std::this_thread::sleep_for(
        std::chrono::milliseconds{std::random_device{}() % 300 + 50});
      {
        std::lock_guard g{disk->m};
        disk->cut = true;
      }
      std::this_thread::sleep_for(100ms); // writes fail for a moment
      stop = true;
      for (auto& t : clients)
        t.join();
      // Everything goes at once, as the machine does: nothing is flushed.
      for (auto a : {caf::actor_cast<caf::actor>(svc.registry),
                     caf::actor_cast<caf::actor>(svc.persistence),
                     caf::actor_cast<caf::actor>(svc.wal),
                     caf::actor_cast<caf::actor>(store)})
        caf::anon_send_exit(a, caf::exit_reason::kill);
    } // the actor system waits for its actors; the last one closes RocksDB
    EXPECT_TRUE(closed.expired()) << "RocksDB still open";
    disk->lose_unsynced();

    auto back = rocks_store::open({.path = dir_.string()});
    EXPECT_TRUE(back) << back.error().message;
    if (!back)
      return out;
    std::shared_ptr<rocks_store> rocks{std::move(*back)};
    caf::actor_system sys{config()};
    auto store = spawn_rocks_store(sys, rocks, 2);
    auto svc = start_vector_service(sys, store, {}, rocks);
    wait_until([&] { return svc.status->rehydration().done(); }, 10s);
    auto idx = svc.table->find("docs");
    out.acknowledged = book.present.size();
    out.lost = out.acknowledged; // unless the index loads and has them
    if (idx) {
      out.lost = 0;
      std::vector<std::string> asked;
      for (auto& [id, v] : book.present)
        asked.push_back(id);
      asked.insert(asked.end(), book.deleted.begin(), book.deleted.end());
      std::map<std::string, std::vector<float>> found;
      for (size_t at = 0; at < asked.size(); at += 256) { // get's id limit
        auto part = std::span{asked}.subspan(
          at, std::min<size_t>(256, asked.size() - at));
        auto got = idx->get(part, true);
        EXPECT_TRUE(got) << got.error().message;
        if (got)
          for (auto& item : got->items)
            found[item.id] = item.vector;
      }
      for (auto& [id, v] : book.present)
        out.lost += !found.contains(id) || found[id] != v;
      for (auto& id : book.deleted)
        out.undeleted += found.contains(id);
      // Nothing appears that no client sent.
      size_t sent = book.present.size() + book.unknown.size();
      out.invented = idx->length() > sent ? idx->length() - sent : 0;
    }
    stop_vector_service(sys, svc, 10s);
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    return out;
  }

  std::filesystem::path dir_;
};

} // namespace

TEST_F(power_loss_service_test, every_acknowledged_change_survives_a_power_cut) {
  auto out = run_and_cut(true);
  EXPECT_TRUE(out.snapshot) << "no snapshot trimmed the log before the cut";
  EXPECT_GT(out.acknowledged, 50u);
  EXPECT_EQ(out.lost, 0u) << "of " << out.acknowledged << " acknowledged";
  EXPECT_EQ(out.undeleted, 0u);
  EXPECT_EQ(out.invented, 0u);
}

TEST_F(power_loss_service_test, a_service_that_acknowledges_unsynced_writes_is_caught) {
  auto out = run_and_cut(false);
  EXPECT_GT(out.acknowledged, 50u);
  EXPECT_GT(out.lost, 0u) << "the check would not catch unsynced answers";
}
