// The write-ahead log through the actors, on the deterministic scheduler
// with a fake store: a change is answered once its record is in the store,
// concurrent changes share a group, a failed log write changes nothing, and
// a new registry over the same store (a restart after kill -9: no save ran)
// finds every acknowledged change.
#include <set>

#include <caf/send.hpp>

#include "actors/persistence_actor.hpp"
#include "actors/registry_actor.hpp"
#include "actors/wal_writer.hpp"
#include "index/lhv1.hpp"
#include "index/wal_record.hpp"
#include "tests/actors/actor_fixture.hpp"
#include "tests/actors/fake_store.hpp"
#include "tests/actors/test_registry.hpp"

namespace {

using namespace lh;
using lh::test::fake_store;
using lh::test::fake_store_control;

constexpr std::chrono::milliseconds timeout{1000};

class wal_test : public lh::test::actor_fixture {
protected:
  wal_test()
    : control(std::make_shared<fake_store_control>()),
      store(sys.spawn(fake_store, control)) {
    start(false);
  }
  ~wal_test() override {
    stop();
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  }

  // A registry, a log writer and (when `saving`) a persistence actor over
  // the store, as a service has them after a start.
  void start(bool saving) {
    table = std::make_shared<index_table>();
    status = std::make_shared<index_status>(true);
    wal = sys.spawn(wal_writer, store, timeout);
    if (saving)
      saver = sys.spawn(persistence, store, table, status, timeout);
    reg = sys.spawn(registry, lh::test::durable_registry(table, status, store,
                                                         saver, wal, timeout));
    sched.run();
  }
  // Everything but the store goes, as in a kill -9: nothing is flushed.
  void stop() {
    for (auto a : {caf::actor_cast<caf::actor>(reg),
                   caf::actor_cast<caf::actor>(wal),
                   caf::actor_cast<caf::actor>(saver)})
      if (a)
        caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
    saver = nullptr;
  }
  void restart() {
    stop();
    start(false);
  }

  expected<index_info> create(const std::string& name) {
    return ask<index_info>(reg, create_atom::value,
                           index_params{name, 2, metric::l2, 8, 50, 16});
  }
  static batch_message batch(std::vector<std::string> ids, float x) {
    auto b = std::make_shared<add_batch>();
    b->dimension = 2;
    for (size_t i = 0; i < ids.size(); ++i) {
      b->vectors.insert(b->vectors.end(), {x, static_cast<float>(i)});
      b->metadata.push_back(R"({"n":)" + std::to_string(i) + "}");
    }
    b->ids = std::move(ids);
    return batch_message{b};
  }
  expected<add_result> add(const std::string& name,
                           std::vector<std::string> ids, float x = 1) {
    return ask<add_result>(reg, add_atom::value, name,
                           batch(std::move(ids), x));
  }
  expected<delete_result> remove(const std::string& name,
                                 std::vector<std::string> ids) {
    auto r = std::make_shared<delete_request>();
    r->ids = std::move(ids);
    return ask<delete_result>(reg, delete_atom::value, name,
                              delete_message{r});
  }
  // The index actor of `name`, read from the registry's state (safe: the
  // test scheduler runs actors on this thread only).
  index_actor actor_of(const std::string& name) {
    auto* ptr = caf::actor_cast<caf::abstract_actor*>(reg);
    auto* impl = dynamic_cast<
      caf::stateful_actor<registry_state, registry_actor::base>*>(ptr);
    return impl->state.actors.at(name);
  }

  size_t calls(std::string_view prefix) { return control->count(prefix); }

  std::shared_ptr<fake_store_control> control;
  store_actor store;
  std::shared_ptr<index_table> table;
  std::shared_ptr<index_status> status;
  wal_actor wal;
  persistence_actor saver;
  registry_actor reg;
};

} // namespace

TEST_F(wal_test, each_change_is_in_the_store_when_it_is_answered) {
  ASSERT_TRUE(create("docs"));
  EXPECT_EQ(control->objects.count(wal::key_of("docs", 1)), 1u);
  ASSERT_TRUE(add("docs", {"a", "b"}));
  auto rec = wal::decode(control->objects.at(wal::key_of("docs", 2)));
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(rec->batch.ids, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(remove("docs", {"a", "nope"})->deleted, 1u);
  rec = wal::decode(control->objects.at(wal::key_of("docs", 3)));
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->ids, std::vector<std::string>{"a"}); // resolved ids only
  // A delete that removes nothing, and a refused batch, log nothing.
  ASSERT_EQ(remove("docs", {"nope"})->deleted, 0u);
  EXPECT_FALSE(add("docs", {"", "c"}));
  EXPECT_EQ(control->objects.count(wal::key_of("docs", 4)), 0u);
}

TEST_F(wal_test, concurrent_changes_share_one_store_write) {
  ASSERT_TRUE(create("docs"));
  auto appends_before = calls("append");
  // Twenty adds queued before anything runs: the first goes alone, the
  // other nineteen gather while it is written.
  for (int i = 0; i < 20; ++i)
    self->send(reg, add_atom::value, std::string{"docs"},
               batch({"id" + std::to_string(i)}, static_cast<float>(i)));
  sched.run();
  EXPECT_EQ(calls("append") - appends_before, 2u);
  EXPECT_EQ(table->find("docs")->length(), 20u);
  EXPECT_EQ(control->objects.count(wal::key_of("docs", 21)), 1u);
}

TEST_F(wal_test, a_restart_without_any_save_finds_every_acknowledged_change) {
  ASSERT_TRUE(create("docs"));
  ASSERT_TRUE(add("docs", {"a", "b", "c"}, 1));
  ASSERT_TRUE(add("docs", {"b"}, 7)); // an upsert
  ASSERT_TRUE(remove("docs", {"c"}));
  ASSERT_TRUE(create("empty"));
  EXPECT_EQ(control->objects.count(lhv1::key_of("docs")), 0u); // no blob
  restart();
  ASSERT_TRUE(status->rehydration().done());
  auto idx = table->find("docs");
  ASSERT_TRUE(idx);
  auto got = idx->get(std::vector<std::string>{"a", "b", "c"}, true);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->items.size(), 2u);
  EXPECT_EQ(got->items[1].vector, (std::vector<float>{7, 0}));
  EXPECT_EQ(got->items[1].metadata, R"({"n":0})");
  EXPECT_EQ(got->missing, std::vector<std::string>{"c"});
  ASSERT_TRUE(table->find("empty"));
  // The sequence goes on where the log ended.
  ASSERT_TRUE(add("docs", {"d"}));
  EXPECT_EQ(control->objects.count(wal::key_of("docs", 5)), 1u);
}

TEST_F(wal_test, an_acknowledged_drop_never_comes_back) {
  ASSERT_TRUE(create("docs"));
  ASSERT_TRUE(add("docs", {"a"}));
  ASSERT_TRUE(ask<ok_atom>(reg, delete_atom::value, std::string{"docs"}));
  restart();
  EXPECT_FALSE(table->find("docs"));
  // A new index of that name follows the tombstone and survives too.
  ASSERT_TRUE(create("docs"));
  EXPECT_EQ(control->objects.count(wal::key_of("docs", 4)), 1u);
  restart();
  ASSERT_TRUE(table->find("docs"));
  EXPECT_EQ(table->find("docs")->length(), 0u);
}

TEST_F(wal_test, a_failed_log_write_changes_nothing) {
  ASSERT_TRUE(create("docs"));
  ASSERT_TRUE(add("docs", {"a"}));
  control->fail_appends = 1;
  auto r = add("docs", {"b"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not durable"), std::string::npos)
    << r.error().message;
  // The index was loaded again from the store: "b" is not there.
  sched.run();
  auto idx = table->find("docs");
  ASSERT_TRUE(idx);
  EXPECT_FALSE(idx->diverged());
  EXPECT_EQ(idx->length(), 1u);
  // And it takes changes again, numbered on from the store's log.
  ASSERT_TRUE(add("docs", {"c"}));
  EXPECT_EQ(control->objects.count(wal::key_of("docs", 3)), 1u);
  restart();
  EXPECT_EQ(table->find("docs")->length(), 2u);
}

TEST_F(wal_test, a_failed_create_leaves_no_index) {
  control->fail_appends = 1;
  auto r = create("docs");
  ASSERT_FALSE(r);
  EXPECT_FALSE(table->find("docs"));
  ASSERT_TRUE(create("docs"));
}

TEST_F(wal_test, a_snapshot_trims_the_log_it_holds) {
  stop();
  start(true);
  ASSERT_TRUE(create("docs"));
  ASSERT_TRUE(add("docs", {"a", "b"}));
  sched.trigger_timeouts();
  sched.run();
  ASSERT_EQ(control->objects.count(lhv1::key_of("docs")), 1u);
  EXPECT_EQ(control->objects.count(wal::key_of("docs", 1)), 0u);
  EXPECT_EQ(control->objects.count(wal::key_of("docs", 2)), 0u);
  ASSERT_TRUE(add("docs", {"c"})); // after the snapshot: in the log
  restart();
  EXPECT_EQ(table->find("docs")->length(), 3u);
}

TEST_F(wal_test, a_dead_index_actor_is_replaced_from_the_store) {
  ASSERT_TRUE(create("docs"));
  ASSERT_TRUE(add("docs", {"a", "b"}));
  ASSERT_TRUE(create("other"));
  auto old = table->find("docs");
  // Ended as an uncaught exception ends an actor (CAF's runtime_error):
  // the registry and the other index live on, and "docs" comes back as
  // the store holds it.
  auto victim = caf::actor_cast<caf::actor>(actor_of("docs"));
  caf::anon_send(victim, caf::exit_msg{victim.address(),
                                       caf::make_error(caf::sec::runtime_error)});
  sched.run();
  auto idx = table->find("docs");
  ASSERT_TRUE(idx) << status->rehydration().loading.size() << " loading, "
                   << status->rehydration().failed.size() << " failed";
  EXPECT_NE(idx, old);
  EXPECT_EQ(idx->length(), 2u);
  ASSERT_TRUE(add("docs", {"c"}));
  ASSERT_TRUE(add("other", {"x"}));
  EXPECT_TRUE(status->rehydration().done());
}

namespace {

// A fault point: the Nth store call of a kind fails, or stalls (never
// answered; its write lost, or landed).
using fault_mode = fake_store_control::fault_mode;
struct fault_case {
  const char* kind;
  int nth;
  fault_mode mode = fault_mode::fail;
  bool lands = false;
};

class wal_fault_test : public wal_test,
                       public ::testing::WithParamInterface<fault_case> {};

} // namespace

TEST_P(wal_fault_test, nothing_acknowledged_is_lost_and_nothing_failed_lands) {
  auto [kind, nth, mode, lands] = GetParam();
  stop();
  start(true); // with background saves: the snapshot and trim paths too
  control->fail_nth[kind] = nth;
  control->mode = mode;
  control->stall_lands = lands;
  std::set<std::string> acked, failed, deleted;
  auto saves = [&] {
    sched.trigger_timeouts(); // pauses, retry backoffs and stalls end
    sched.run();
  };
  if (!create("docs")) { // the create's own record can be the fault
    control->fail_nth.clear();
    saves();
    ASSERT_TRUE(create("docs"));
  }
  for (int i = 0; i < 8; ++i) {
    auto id = "i" + std::to_string(i);
    (add("docs", {id}) ? acked : failed).insert(id);
    if (i % 3 == 2) {
      auto gone = *acked.begin();
      if (auto r = remove("docs", {gone}); r && r->deleted == 1) {
        acked.erase(gone);
        deleted.insert(gone);
      }
    }
    saves();
  }
  EXPECT_GE(control->seen[kind], 1) << "the fault point was never reached";
  if (std::string_view{kind} == "append" && nth > 1) { // past the create's
    EXPECT_FALSE(failed.empty()) << "no add saw the log fault";
  }
  restart();
  auto idx = table->find("docs");
  ASSERT_TRUE(idx) << "not loadable after a " << kind << " fault";
  auto all = std::vector<std::string>(acked.begin(), acked.end());
  all.insert(all.end(), failed.begin(), failed.end());
  all.insert(all.end(), deleted.begin(), deleted.end());
  auto got = idx->get(all, false);
  ASSERT_TRUE(got);
  std::set<std::string> present;
  for (auto& item : got->items)
    present.insert(item.id);
  if (!lands) {
    EXPECT_EQ(present, acked) << kind << " fault at call " << nth;
    EXPECT_EQ(idx->length(), acked.size());
    return;
  }
  // A write that landed behind a timed-out answer: its outcome was
  // unknown to the client, so it may be there; nothing acknowledged is
  // lost and no acknowledged delete comes back.
  for (auto& id : acked)
    EXPECT_TRUE(present.contains(id)) << id << " lost";
  for (auto& id : present)
    EXPECT_TRUE(acked.contains(id) || failed.contains(id)) << id;
  EXPECT_EQ(idx->length(), present.size());
}

INSTANTIATE_TEST_SUITE_P(
  points, wal_fault_test,
  ::testing::Values(
    fault_case{"append", 1}, fault_case{"append", 2}, fault_case{"append", 4},
    fault_case{"append", 7}, fault_case{"put", 1}, fault_case{"put", 2},
    fault_case{"trim", 1}, fault_case{"trim", 2},
    fault_case{"append", 1, fault_mode::stall},
    fault_case{"append", 4, fault_mode::stall},
    fault_case{"append", 4, fault_mode::stall, true},
    fault_case{"put", 1, fault_mode::stall},
    fault_case{"put", 2, fault_mode::stall, true},
    fault_case{"trim", 1, fault_mode::stall},
    fault_case{"trim", 1, fault_mode::stall, true}),
  [](const auto& info) {
    auto& p = info.param;
    return std::string{p.kind} + "_" + std::to_string(p.nth)
           + (p.mode == fault_mode::stall ? "_stalls" : "_fails")
           + (p.lands ? "_and_lands" : "");
  });

TEST_F(wal_test, a_failed_blob_delete_after_a_drop_is_retried_and_never_undoes_it) {
  stop();
  start(true);
  ASSERT_TRUE(create("docs"));
  ASSERT_TRUE(add("docs", {"a"}));
  sched.trigger_timeouts();
  sched.run();
  ASSERT_EQ(control->objects.count(lhv1::key_of("docs")), 1u);
  control->fail_nth["delete"] = 1;
  ASSERT_TRUE(ask<ok_atom>(reg, delete_atom::value, std::string{"docs"}));
  EXPECT_EQ(control->objects.count(lhv1::key_of("docs")), 1u); // it failed
  restart(); // before the retry: the blob is there, the tombstone wins
  EXPECT_FALSE(table->find("docs"));
  stop();
  start(true); // this start's drop notice deletes the leftover blob
  sched.trigger_timeouts();
  sched.run();
  EXPECT_EQ(control->objects.count(lhv1::key_of("docs")), 0u);
  EXPECT_FALSE(table->find("docs"));
}
