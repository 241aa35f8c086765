// The persistence actor on the deterministic scheduler with a fake store:
// coalescing, a drop during an in-flight save, a store that fails and
// recovers.
#include "actors/persistence_actor.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "index/lhv1.hpp"
#include "tests/actors/actor_fixture.hpp"
#include "tests/actors/fake_store.hpp"

namespace {

using namespace lh;
using lh::test::fake_store;
using lh::test::fake_store_control;
using lh::test::release_key;

class persistence_test : public lh::test::actor_fixture {
protected:
  persistence_test()
    : control(std::make_shared<fake_store_control>()),
      table(std::make_shared<index_table>()),
      store(sys.spawn(fake_store, control)),
      status(std::make_shared<index_status>(true)),
      saver(
        sys.spawn(persistence, store, table, status, std::chrono::seconds{5})) {
    index = std::make_shared<vector_index>(
      index_params{"docs", 2, metric::l2, 8, 50, 16});
    table->publish(
      std::make_shared<index_table::map>(index_table::map{{"docs", index}}));
  }
  ~persistence_test() override {
    caf::anon_send_exit(saver, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  }

  void add(const std::string& id, float x) {
    add_batch b;
    b.dimension = 2;
    b.ids = {id};
    b.vectors = {x, x};
    b.metadata = {""};
    ASSERT_TRUE(index->add(b, nullptr));
  }

  size_t saved_length() {
    auto it = control->objects.find(lhv1::key_of("docs"));
    if (it == control->objects.end())
      return 0;
    auto d = lhv1::decode(it->second);
    EXPECT_TRUE(d) << d.error().message;
    return d ? d->ids.size() : 0;
  }

  void release_held_puts() {
    self->send(store, put_atom::value, std::string{release_key},
               bytes_message::wrap(""));
    sched.run();
  }

  size_t count_calls(std::string_view prefix) {
    return control->count(prefix);
  }

  std::shared_ptr<fake_store_control> control;
  std::shared_ptr<index_table> table;
  store_actor store;
  std::shared_ptr<index_status> status;
  persistence_actor saver;
  std::shared_ptr<vector_index> index;
};

} // namespace

TEST_F(persistence_test, a_change_is_saved_as_one_lhv1_blob) {
  add("a", 1);
  self->send(saver, changed_atom::value, std::string{"docs"});
  sched.run();
  // Then the log records it holds go (none yet: below sequence 1).
  EXPECT_EQ(control->calls,
            (std::vector<std::string>{
              "put _vectors/docs.lhv1",
              "trim _wal/docs/ _wal/docs/00000000000000000001"}));
  EXPECT_EQ(saved_length(), 1u);
}

TEST_F(persistence_test, notices_during_a_save_collapse_into_one_newest_save) {
  add("a", 1);
  control->hold_puts = true;
  self->send(saver, changed_atom::value, std::string{"docs"});
  sched.run(); // the first save is in flight, held by the store
  for (int i = 0; i < 10; ++i) {
    add("n" + std::to_string(i), static_cast<float>(i + 2));
    self->send(saver, changed_atom::value, std::string{"docs"});
  }
  sched.run();
  EXPECT_EQ(count_calls("put"), 1u);
  control->hold_puts = false;
  release_held_puts();
  EXPECT_EQ(count_calls("put"), 1u); // the next save waits for its pause
  sched.trigger_timeouts();
  sched.run();
  EXPECT_EQ(count_calls("put"), 2u); // N notices -> 2 saves
  EXPECT_EQ(saved_length(), 11u);    // the last one has the newest state
  sched.trigger_timeouts();
  sched.run();
  EXPECT_EQ(count_calls("put"), 2u); // and nothing more
}

TEST_F(persistence_test, a_drop_during_a_save_leaves_no_blob_behind) {
  add("a", 1);
  control->hold_puts = true;
  self->send(saver, changed_atom::value, std::string{"docs"});
  sched.run();
  self->send(saver, dropped_atom::value, std::string{"docs"}, uint64_t{7});
  sched.run();
  EXPECT_EQ(count_calls("delete"), 0u); // waits for the save in flight
  release_held_puts(); // the save lands, and the delete follows it
  EXPECT_EQ(count_calls("delete _vectors/docs.lhv1"), 1u);
  // The log goes below the drop's record, the tombstone stays.
  EXPECT_EQ(control->calls.back(),
            "trim _wal/docs/ _wal/docs/00000000000000000007");
  EXPECT_TRUE(control->objects.empty());
  // A save that lands late, older than the drop, is refused.
  EXPECT_EQ(control->generations["_vectors/docs.lhv1"], 7u);
}

TEST_F(persistence_test, a_late_change_notice_after_a_drop_cannot_revive_it) {
  add("a", 1);
  control->hold_puts = true;
  self->send(saver, changed_atom::value, std::string{"docs"});
  sched.run(); // a save is in flight
  // The drop: the registry unpublishes the index, then says so; an add
  // that finished just before has its notice arrive after the drop's.
  table->publish(std::make_shared<index_table::map>());
  self->send(saver, dropped_atom::value, std::string{"docs"}, uint64_t{7});
  self->send(saver, changed_atom::value, std::string{"docs"});
  sched.run();
  control->hold_puts = false;
  release_held_puts(); // the held save lands...
  sched.trigger_timeouts();
  sched.run();
  // ...and the blob it wrote is deleted after it, not left to come back;
  // the late notice saves nothing.
  EXPECT_EQ(count_calls("delete _vectors/docs.lhv1"), 1u);
  EXPECT_EQ(count_calls("put _vectors/docs.lhv1"), 1u);
  EXPECT_TRUE(control->objects.empty());
}

TEST_F(persistence_test,
       a_failing_store_is_retried_and_reported_until_it_recovers) {
  add("a", 1);
  control->fail_puts = 2;
  self->send(saver, changed_atom::value, std::string{"docs"});
  sched.run();
  // Published for /ready, with the store's error.
  auto failing = status->save_failures();
  ASSERT_EQ(failing.count("docs"), 1u);
  EXPECT_NE(failing["docs"].find("store is down"), std::string::npos);
  EXPECT_EQ(saved_length(), 0u);
  // The backoff timer fires: the retry fails once more, then succeeds.
  sched.trigger_timeouts();
  sched.run();
  sched.trigger_timeouts();
  sched.run();
  EXPECT_EQ(count_calls("put"), 3u);
  EXPECT_EQ(saved_length(), 1u);
  EXPECT_TRUE(status->save_failures().empty());
}

TEST_F(persistence_test, flush_answers_once_every_save_has_landed) {
  add("a", 1);
  control->hold_puts = true;
  self->send(saver, changed_atom::value, std::string{"docs"});
  sched.run();
  auto flushed = std::make_shared<bool>(false);
  // The target as an argument: CAF 0.17.6 breaks on argument-less spawns
  // (see actors/bridge.hpp).
  sys.spawn(
    [flushed](caf::event_based_actor* asker, persistence_actor target) {
      asker->request(target, caf::infinite, flush_atom::value)
        .then([flushed](ok_atom) { *flushed = true; });
    },
    saver);
  sched.run();
  EXPECT_FALSE(*flushed); // the save is still held by the store
  control->hold_puts = false;
  release_held_puts();
  EXPECT_TRUE(*flushed);
  EXPECT_EQ(saved_length(), 1u);
  // With nothing pending, a flush answers at once.
  EXPECT_TRUE(ask<ok_atom>(saver, flush_atom::value));
}

TEST(retry_backoff, doubles_from_100_ms_up_to_10_s) {
  EXPECT_EQ(lh::retry_backoff(1).count(), 100);
  EXPECT_EQ(lh::retry_backoff(2).count(), 200);
  EXPECT_EQ(lh::retry_backoff(4).count(), 800);
  EXPECT_EQ(lh::retry_backoff(30).count(), 10000);
}
