// Rehydration in the registry, on the deterministic scheduler with a fake
// store: twenty indexes with one corrupt blob and one store call that never
// answers, a store that cannot list at first, and what the API answers for
// indexes still loading or failed.
#include <caf/send.hpp>

#include "actors/persistence_actor.hpp"
#include "actors/registry_actor.hpp"
#include "actors/wal_writer.hpp"
#include "index/lhv1.hpp"
#include "tests/actors/actor_fixture.hpp"
#include "tests/actors/fake_store.hpp"
#include "tests/actors/test_registry.hpp"

namespace {

using namespace lh;
using lh::test::fake_store;
using lh::test::fake_store_control;

constexpr uint32_t dim = 4;
constexpr std::chrono::milliseconds load_timeout{100};

// The vector of item i: distinct, so a search for it finds it.
std::vector<float> vector_of(size_t i) {
  auto x = static_cast<float>(i);
  return {x, 1.0f, -x / 2, 0.5f};
}

class rehydration_test : public lh::test::actor_fixture {
protected:
  rehydration_test()
    : control(std::make_shared<fake_store_control>()),
      table(std::make_shared<index_table>()),
      status(std::make_shared<index_status>(true)),
      store(sys.spawn(fake_store, control)),
      saver(sys.spawn(persistence, store, table, status,
                      std::chrono::seconds{5})) {}
  ~rehydration_test() override {
    for (auto& a :
         {caf::actor_cast<caf::actor>(reg), caf::actor_cast<caf::actor>(saver),
          caf::actor_cast<caf::actor>(store), caf::actor_cast<caf::actor>(wal)})
      if (a)
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }

  // Saves an index of `n` items (metadata on each) as the store's blob.
  void save_index(const std::string& name, size_t n) {
    vector_index idx{{name, dim, metric::l2, 8, 50, 16}};
    add_batch b;
    b.dimension = dim;
    for (size_t i = 0; i < n; ++i) {
      b.ids.push_back("item-" + std::to_string(i));
      b.metadata.push_back(R"({"i":)" + std::to_string(i) + "}");
      auto v = vector_of(i);
      b.vectors.insert(b.vectors.end(), v.begin(), v.end());
    }
    ASSERT_TRUE(idx.add(b, nullptr));
    control->objects[lhv1::key_of(name)] = lhv1::encode_index(idx).value();
  }

  void start_registry(size_t parallelism) {
    wal = sys.spawn(wal_writer, store, load_timeout);
    auto o = lh::test::durable_registry(table, status, store, saver, wal,
                                        load_timeout);
    o.rehydrate_parallelism = parallelism;
    reg = sys.spawn(registry, o);
  }

  size_t gets() {
    size_t n = 0;
    for (auto& c : control->calls)
      n += c.starts_with("get ");
    return n;
  }

  std::shared_ptr<fake_store_control> control;
  std::shared_ptr<index_table> table;
  std::shared_ptr<index_status> status;
  store_actor store;
  persistence_actor saver;
  wal_actor wal;
  registry_actor reg;
};

std::string name_of(size_t i) {
  return "idx-" + std::to_string(i);
}

} // namespace

TEST_F(rehydration_test,
       twenty_indexes_load_around_a_corrupt_and_a_silent_blob) {
  for (size_t i = 0; i < 20; ++i)
    save_index(name_of(i), i + 1);
  auto& corrupt = control->objects[lhv1::key_of("idx-7")];
  corrupt[corrupt.size() - 3] ^= 0x10; // in the graph: checksum mismatch
  control->silent_gets.insert(lhv1::key_of("idx-13"));
  start_registry(4);
  sched.run();
  // Everything but the silent call is decided; that one holds one slot.
  auto p = status->rehydration();
  EXPECT_FALSE(p.done());
  EXPECT_EQ(p.total, 20u);
  EXPECT_EQ(p.loaded, 18u);
  EXPECT_EQ(p.loading, (std::set<std::string, std::less<>>{"idx-13"}));
  ASSERT_EQ(p.failed.count("idx-7"), 1u);
  EXPECT_NE(p.failed["idx-7"].find("checksum"), std::string::npos)
    << p.failed["idx-7"];
  // The index still loading: not ready, for the API too.
  auto add = ask<add_result>(reg, add_atom::value, std::string{"idx-13"},
                             batch_message{std::make_shared<add_batch>()});
  ASSERT_FALSE(add);
  EXPECT_EQ(add.error().code, ec::not_ready);
  // Its timeout fires: rehydration is done, naming both failures.
  sched.trigger_timeouts();
  sched.run();
  p = status->rehydration();
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.loaded, 18u);
  ASSERT_EQ(p.failed.size(), 2u);
  EXPECT_NE(p.failed["idx-13"].find("did not load within 100 ms"),
            std::string::npos)
    << p.failed["idx-13"];
  // The loaded indexes are exact: length, ids, metadata, distances.
  EXPECT_EQ(table->names().size(), 18u);
  for (size_t i = 0; i < 20; ++i) {
    auto idx = table->find(name_of(i));
    if (i == 7 || i == 13) {
      EXPECT_EQ(idx, nullptr);
      continue;
    }
    ASSERT_NE(idx, nullptr) << name_of(i);
    EXPECT_EQ(idx->length(), i + 1);
    auto hits = idx->search(vector_of(i), 1, std::nullopt);
    ASSERT_TRUE(hits);
    EXPECT_EQ((*hits)[0].id, "item-" + std::to_string(i));
    EXPECT_NEAR((*hits)[0].distance, 0, 1e-5);
    EXPECT_EQ((*hits)[0].metadata, R"({"i":)" + std::to_string(i) + "}");
  }
  // Nothing was saved back: loading is not a change.
  for (auto& c : control->calls)
    EXPECT_FALSE(c.starts_with("put ")) << c;
}

TEST_F(rehydration_test, a_failed_index_blocks_its_name_until_dropped) {
  save_index("good", 3);
  control->objects[lhv1::key_of("bad")] = "LHV1 garbage";
  start_registry(2);
  sched.run();
  ASSERT_TRUE(status->rehydration().done());
  // Creating over a saved-but-unloadable index would lose its blob.
  auto created = ask<index_info>(
    reg, create_atom::value, index_params{"bad", dim, metric::l2, 8, 50, 16});
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ec::unavailable);
  // Dropping it discards the blob; then the name is free.
  ASSERT_TRUE(ask<ok_atom>(reg, delete_atom::value, std::string{"bad"}));
  EXPECT_EQ(control->objects.count(lhv1::key_of("bad")), 0u);
  EXPECT_TRUE(status->rehydration().failed.empty());
  created = ask<index_info>(reg, create_atom::value,
                            index_params{"bad", dim, metric::l2, 8, 50, 16});
  EXPECT_TRUE(created);
}

TEST_F(rehydration_test, a_slow_blob_holds_one_slot_while_the_others_load) {
  for (size_t i = 0; i < 6; ++i)
    save_index(name_of(i), 2);
  control->silent_gets.insert(lhv1::key_of("idx-0")); // the first to start
  start_registry(2);
  sched.run();
  EXPECT_EQ(gets(), 6u);
  EXPECT_EQ(status->rehydration().loaded, 5u);
}

TEST_F(rehydration_test, at_most_parallelism_blobs_load_at_once) {
  for (size_t i = 0; i < 5; ++i) {
    save_index(name_of(i), 2);
    control->silent_gets.insert(lhv1::key_of(name_of(i)));
  }
  start_registry(3);
  sched.run();
  EXPECT_EQ(gets(), 3u); // three slots, all held
  sched.trigger_timeouts();
  sched.run();
  EXPECT_EQ(gets(), 5u); // the timeouts freed the slots for the other two
}

TEST_F(rehydration_test, a_store_that_cannot_list_is_retried_until_it_can) {
  save_index("docs", 4);
  control->fail_lists = 2;
  start_registry(2);
  sched.run();
  auto p = status->rehydration();
  EXPECT_FALSE(p.listed);
  EXPECT_NE(p.list_error.find("store is down"), std::string::npos);
  // Meanwhile no name is known to be free.
  auto created = ask<index_info>(
    reg, create_atom::value, index_params{"other", dim, metric::l2, 8, 50, 16});
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ec::not_ready);
  for (int i = 0; i < 2; ++i) {
    sched.trigger_timeouts();
    sched.run();
  }
  p = status->rehydration();
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.loaded, 1u);
  ASSERT_NE(table->find("docs"), nullptr);
  EXPECT_EQ(table->find("docs")->length(), 4u);
}

TEST_F(rehydration_test, changes_after_start_are_saved) {
  start_registry(2);
  sched.run();
  ASSERT_TRUE(status->rehydration().done());
  ASSERT_TRUE(ask<index_info>(
    reg, create_atom::value, index_params{"docs", dim, metric::l2, 8, 50, 16}));
  auto b = std::make_shared<add_batch>();
  b->dimension = dim;
  b->ids = {"a", "b"};
  b->metadata = {"", ""};
  for (size_t i = 0; i < 2; ++i)
    for (auto x : vector_of(i))
      b->vectors.push_back(x);
  ASSERT_TRUE(ask<add_result>(reg, add_atom::value, std::string{"docs"},
                              batch_message{b}));
  sched.trigger_timeouts(); // the index rests after its first save
  sched.run();
  auto blob = control->objects.find(lhv1::key_of("docs"));
  ASSERT_NE(blob, control->objects.end());
  auto d = lhv1::decode(blob->second);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->ids, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(ask<ok_atom>(reg, delete_atom::value, std::string{"docs"}));
  sched.trigger_timeouts();
  sched.run();
  EXPECT_EQ(control->objects.count(lhv1::key_of("docs")), 0u);
}
