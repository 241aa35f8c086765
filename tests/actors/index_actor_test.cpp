// The index actor as production runs it: on CAF's shared scheduler, its
// mutations applied on a worker pool. A pool thread held at a gate keeps
// one change "being applied" so that the queue behind it can be seen.
#include "actors/index_actor.hpp"

#include <dirent.h>

#include <future>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "actors/caf_error.hpp"

namespace {

using namespace lh;
using namespace std::chrono_literals;

size_t thread_count() {
  size_t n = 0;
  if (auto* dir = opendir("/proc/self/task")) {
    while (auto* entry = readdir(dir))
      n += entry->d_name[0] != '.';
    closedir(dir);
  }
  return n;
}

class index_actor_test : public ::testing::Test {
protected:
  static caf::actor_system_config& config() {
    static caf::actor_system_config cfg = [] {
      caf::actor_system_config c;
      c.set("logger.file-verbosity", caf::atom("quiet"));
      add_error_renderer(c);
      return c;
    }();
    return cfg;
  }

  index_actor_test() : sys(config()) {}

  // Holds the pool's only thread until release().
  void hold_pool() {
    pool->post([gate = gate.get_future().share()] { gate.wait(); });
  }
  void release() { gate.set_value(); }

  index_actor spawn_index(size_t max_queued, std::string name = "docs") {
    auto idx = std::make_shared<vector_index>(
      index_params{std::move(name), 2, metric::l2, 16, 100, 64});
    index_links links;
    links.pool = pool;
    links.max_queued = max_queued;
    last = idx;
    return sys.spawn(lh::index, idx, links);
  }

  static batch_message one(std::string id, float x) {
    auto b = std::make_shared<add_batch>();
    b->dimension = 2;
    b->ids = {std::move(id)};
    b->vectors = {x, 0.0f};
    b->metadata = {""};
    return batch_message{b};
  }

  using pending_add = decltype(std::declval<caf::scoped_actor&>()->request(
    std::declval<index_actor>(), caf::infinite, add_atom::value,
    std::declval<batch_message>()));

  // Sends every add at once, without waiting for any answer.
  std::vector<pending_add> send_all(caf::scoped_actor& self,
                                    const index_actor& actor,
                                    const std::vector<batch_message>& adds) {
    std::vector<pending_add> pending;
    for (auto& b : adds)
      pending.push_back(self->request(actor, 10s, add_atom::value, b));
    return pending;
  }

  static expected<add_result> answer(pending_add& p) {
    std::optional<expected<add_result>> out;
    p.receive([&](add_result r) { out.emplace(r); },
              [&](caf::error& e) { out.emplace(from_caf(e)); });
    return std::move(*out);
  }

  std::vector<expected<add_result>>
  add_all(caf::scoped_actor& self, const index_actor& actor,
          const std::vector<batch_message>& adds) {
    std::vector<expected<add_result>> answers;
    for (auto& p : send_all(self, actor, adds))
      answers.push_back(answer(p));
    return answers;
  }

  caf::actor_system sys;
  std::shared_ptr<worker_pool> pool = std::make_shared<worker_pool>(1);
  std::promise<void> gate;
  std::shared_ptr<vector_index> last; // of the last spawn_index
};

TEST_F(index_actor_test, changes_past_the_queue_bound_are_refused_at_once) {
  auto actor = spawn_index(3);
  caf::scoped_actor self{sys};
  hold_pool();
  std::vector<batch_message> adds;
  for (int i = 0; i < 6; ++i)
    adds.push_back(one("item-" + std::to_string(i), float(i)));
  // One is being applied (behind the held pool thread), three wait, and
  // the last two are refused while the pool is still held: were they
  // queued, their receive would wait for the 10 s timeout instead.
  auto pending = send_all(self, actor, adds);
  for (size_t i = 4; i < 6; ++i) {
    auto refused = answer(pending[i]);
    ASSERT_FALSE(refused) << "item " << i << " was queued";
    EXPECT_EQ(refused.error().code, ec::queue_full) << refused.error().message;
  }
  release();
  for (size_t i = 0; i < 4; ++i) {
    auto added = answer(pending[i]);
    ASSERT_TRUE(added) << i << ": " << added.error().message;
    EXPECT_EQ(added->length, i + 1) << "applied in order";
  }
  caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
}

TEST_F(index_actor_test, the_upserts_of_one_id_land_in_arrival_order) {
  auto actor = spawn_index(1000);
  caf::scoped_actor self{sys};
  std::vector<batch_message> adds;
  for (int i = 1; i <= 200; ++i)
    adds.push_back(one("same", float(i)));
  auto answers = add_all(self, actor, adds);
  for (auto& a : answers)
    ASSERT_TRUE(a) << a.error().message;
  std::vector<std::string> ids{"same"};
  auto item = last->get(ids, true);
  ASSERT_TRUE(item && item->items.size() == 1);
  EXPECT_EQ(item->items[0].vector, (std::vector<float>{200.0f, 0.0f}));
  caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
}

TEST_F(index_actor_test, a_stopped_actor_answers_every_change_it_took) {
  auto actor = spawn_index(10);
  caf::scoped_actor self{sys};
  hold_pool();
  std::vector<batch_message> adds{one("a", 1), one("b", 2), one("c", 3)};
  auto pending = send_all(self, actor, adds);
  std::this_thread::sleep_for(50ms); // all three taken
  caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  for (auto& p : pending) {
    auto a = answer(p);
    ASSERT_FALSE(a) << "answered as applied by a stopped actor";
    EXPECT_EQ(a.error().code, ec::unavailable) << a.error().message;
  }
  release(); // the change that was running finishes on the pool
}

TEST_F(index_actor_test, a_thousand_index_actors_add_no_threads) {
  caf::scoped_actor self{sys};
  auto first = spawn_index(10, "warm-up"); // the scheduler's threads start
  auto warm = add_all(self, first, {one("x", 1)});
  ASSERT_TRUE(warm[0]);
  auto before = thread_count();
  std::vector<index_actor> actors;
  for (int i = 0; i < 1000; ++i)
    actors.push_back(spawn_index(10, "index-" + std::to_string(i)));
  for (int i = 0; i < 1000; i += 100) { // and they work
    auto r = add_all(self, actors[i], {one("x", float(i))});
    ASSERT_TRUE(r[0]) << r[0].error().message;
  }
  EXPECT_LE(thread_count(), before + 2);
  for (auto& a : actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
}

} // namespace
