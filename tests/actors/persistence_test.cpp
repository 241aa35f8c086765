// The persistence actor on the deterministic scheduler with a fake store:
// coalescing, a drop during an in-flight save, a store that fails and
// recovers.
#include "actors/persistence_actor.hpp"

#include <caf/send.hpp>

#include "storage/lhv1.hpp"
#include "tests/actors/actor_fixture.hpp"

namespace {

using namespace lh;

// What the fake store holds and how it misbehaves, shared with the test.
struct fake_store_control {
  std::map<std::string, std::string> objects;
  std::vector<std::string> calls; // "put KEY" / "delete KEY", in order
  int fail_puts = 0;              // the next N puts fail
  bool hold_puts = false;         // keep puts unanswered until release()
  std::vector<std::pair<caf::response_promise, std::function<void()>>> held;

  void release() {
    for (auto& [promise, apply] : held) {
      apply();
      promise.deliver(ok_atom::value);
    }
    held.clear();
  }
};

constexpr const char* release_key = "test/release-held-puts";

struct fake_store_state {
  std::shared_ptr<fake_store_control> control;
};

store_actor::behavior_type
fake_store(store_actor::stateful_pointer<fake_store_state> self,
           std::shared_ptr<fake_store_control> control) {
  self->state.control = control;
  return {
    [=](put_atom, const std::string& key,
        const bytes_message& value) -> caf::result<ok_atom> {
      // Promises are delivered from inside this actor only (CAF needs its
      // context): a put of this key is the test's "release the held puts".
      if (key == release_key) {
        control->release();
        return ok_atom::value;
      }
      control->calls.push_back("put " + key);
      if (control->fail_puts > 0) {
        --control->fail_puts;
        return to_caf(make_error(ec::unavailable, "store is down"));
      }
      auto bytes = value.take();
      if (control->hold_puts) {
        control->held.emplace_back(
          self->make_response_promise(),
          [control, key, bytes] { control->objects[key] = bytes; });
        return caf::delegated<ok_atom>{};
      }
      control->objects[key] = std::move(bytes);
      return ok_atom::value;
    },
    [=](get_atom, const std::string& key) -> caf::result<bytes_message> {
      auto it = control->objects.find(key);
      if (it == control->objects.end())
        return to_caf(make_error(ec::not_found, key));
      return bytes_message::wrap(it->second);
    },
    [=](delete_atom, const std::string& key) -> caf::result<ok_atom> {
      control->calls.push_back("delete " + key);
      if (control->objects.erase(key) == 0)
        return to_caf(make_error(ec::not_found, key));
      return ok_atom::value;
    },
    [=](list_atom, const std::string&) -> caf::result<std::vector<std::string>> {
      std::vector<std::string> keys;
      for (auto& [k, v] : control->objects)
        keys.push_back(k);
      return keys;
    },
  };
}

class persistence_test : public lh::test::actor_fixture {
protected:
  persistence_test()
    : control(std::make_shared<fake_store_control>()),
      table(std::make_shared<index_table>()),
      store(sys.spawn(fake_store, control)),
      status(std::make_shared<index_status>(true)),
      saver(sys.spawn(persistence, store, table, status,
                      std::chrono::seconds{5})) {
    index = std::make_shared<vector_index>(
      index_params{"docs", 2, metric::l2, 8, 50, 16});
    table->publish(std::make_shared<index_table::map>(
      index_table::map{{"docs", index}}));
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
    size_t n = 0;
    for (auto& c : control->calls)
      n += c.starts_with(prefix);
    return n;
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
  EXPECT_EQ(control->calls, std::vector<std::string>{"put _vectors/docs.lhv1"});
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
  EXPECT_EQ(count_calls("put"), 2u); // N notices -> 2 saves
  EXPECT_EQ(saved_length(), 11u);    // the last one has the newest state
}

TEST_F(persistence_test, a_drop_during_a_save_leaves_no_blob_behind) {
  add("a", 1);
  control->hold_puts = true;
  self->send(saver, changed_atom::value, std::string{"docs"});
  sched.run();
  self->send(saver, dropped_atom::value, std::string{"docs"});
  sched.run();
  EXPECT_EQ(count_calls("delete"), 0u); // waits for the save in flight
  release_held_puts(); // the save lands, and the delete follows it
  EXPECT_EQ(control->calls.back(), "delete _vectors/docs.lhv1");
  EXPECT_TRUE(control->objects.empty());
}

TEST_F(persistence_test, a_failing_store_is_retried_and_reported_until_it_recovers) {
  add("a", 1);
  control->fail_puts = 2;
  self->send(saver, changed_atom::value, std::string{"docs"});
  sched.run();
  auto status = ask<persistence_status>(saver, get_atom::value);
  ASSERT_TRUE(status);
  ASSERT_EQ(status->failing.count("docs"), 1u);
  EXPECT_NE(status->failing["docs"].find("store is down"), std::string::npos);
  EXPECT_EQ(saved_length(), 0u);
  // The backoff timer fires: the retry fails once more, then succeeds.
  sched.trigger_timeouts();
  sched.run();
  sched.trigger_timeouts();
  sched.run();
  EXPECT_EQ(count_calls("put"), 3u);
  EXPECT_EQ(saved_length(), 1u);
  status = ask<persistence_status>(saver, get_atom::value);
  EXPECT_TRUE(status->failing.empty());
}

TEST(retry_backoff, doubles_from_100_ms_up_to_10_s) {
  EXPECT_EQ(lh::retry_backoff(1).count(), 100);
  EXPECT_EQ(lh::retry_backoff(2).count(), 200);
  EXPECT_EQ(lh::retry_backoff(4).count(), 800);
  EXPECT_EQ(lh::retry_backoff(30).count(), 10000);
}
