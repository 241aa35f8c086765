// The registry and index actors on the deterministic scheduler: ordering,
// all-or-nothing batches, create/drop races.
#include "actors/registry_actor.hpp"

#include <caf/send.hpp>

#include "tests/actors/actor_fixture.hpp"

namespace {

using namespace lh;

class registry_test : public lh::test::actor_fixture {
protected:
  registry_test()
    : table(std::make_shared<index_table>()),
      reg(sys.spawn(registry, options(table))) {}

  // Ephemeral, on the test scheduler.
  static registry_options options(std::shared_ptr<index_table> table) {
    registry_options o;
    o.table = std::move(table);
    o.detached = false;
    return o;
  }
  ~registry_test() override {
    caf::anon_send_exit(reg, caf::exit_reason::user_shutdown);
  }

  static index_params params(std::string name, uint32_t dim = 2) {
    return {std::move(name), dim, metric::l2, 16, 100, 64};
  }

  static batch_message batch(std::vector<std::string> ids,
                             std::vector<float> vectors, uint32_t dim = 2) {
    auto b = std::make_shared<add_batch>();
    b->dimension = dim;
    b->metadata.resize(ids.size());
    b->ids = std::move(ids);
    b->vectors = std::move(vectors);
    return batch_message{b};
  }

  expected<index_info> create(std::string name) {
    return ask<index_info>(reg, create_atom::value, params(std::move(name)));
  }

  std::shared_ptr<index_table> table;
  registry_actor reg;
};

} // namespace

TEST_F(registry_test, create_publishes_the_index) {
  auto info = create("docs");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->params.name, "docs");
  EXPECT_EQ(info->length, 0u);
  EXPECT_EQ(table->names(), std::vector<std::string>{"docs"});
  ASSERT_NE(table->find("docs"), nullptr);
}

TEST_F(registry_test, second_create_of_a_name_is_already_exists) {
  ASSERT_TRUE(create("docs"));
  auto again = create("docs");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ec::already_exists);
}

TEST_F(registry_test, invalid_params_are_refused_and_nothing_is_created) {
  auto p = params("docs");
  p.dimension = 0;
  auto r = ask<index_info>(reg, create_atom::value, p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ec::invalid_argument);
  EXPECT_TRUE(table->names().empty());
}

TEST_F(registry_test, drop_of_a_missing_index_is_not_found) {
  auto r = ask<ok_atom>(reg, delete_atom::value, std::string{"nope"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ec::not_found);
}

TEST_F(registry_test, create_drop_create_race_resolves_in_arrival_order) {
  // All three are queued before the registry runs once.
  auto h1 = self->request(reg, caf::infinite, create_atom::value,
                          params("docs", 2));
  auto h2 = self->request(reg, caf::infinite, delete_atom::value,
                          std::string{"docs"});
  auto h3 = self->request(reg, caf::infinite, create_atom::value,
                          params("docs", 3));
  auto h4 = self->request(reg, caf::infinite, create_atom::value,
                          params("docs", 4));
  sched.run();
  int ok = 0, exists = 0;
  auto count_info = [&](index_info&) { ++ok; };
  auto count_error = [&](caf::error& e) {
    exists += from_caf(e).code == ec::already_exists;
  };
  h1.receive(count_info, count_error);
  h2.receive([&](ok_atom) { ++ok; }, count_error);
  h3.receive(count_info, count_error);
  h4.receive(count_info, count_error);
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(exists, 1);
  // The survivor is the third request's index, dimension 3.
  ASSERT_NE(table->find("docs"), nullptr);
  EXPECT_EQ(table->find("docs")->params().dimension, 3u);
}

TEST_F(registry_test, adds_apply_in_arrival_order) {
  ASSERT_TRUE(create("docs"));
  auto h1 = self->request(reg, caf::infinite, add_atom::value,
                          std::string{"docs"}, batch({"a"}, {0, 0}));
  auto h2 = self->request(reg, caf::infinite, add_atom::value,
                          std::string{"docs"}, batch({"a", "b"}, {5, 5, 9, 9}));
  sched.run();
  size_t first = 0, second = 0;
  h1.receive([&](add_result& r) { first = r.length; }, [](caf::error&) {});
  h2.receive([&](add_result& r) { second = r.length; }, [](caf::error&) {});
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(second, 2u);
  auto hits = table->find("docs")->search(std::vector<float>{5, 5}, 1,
                                          std::nullopt);
  ASSERT_TRUE(hits);
  EXPECT_EQ((*hits)[0].id, "a"); // the later vector of "a" won
  EXPECT_NEAR((*hits)[0].distance, 0, 1e-6);
}

TEST_F(registry_test, a_bad_batch_is_refused_whole) {
  ASSERT_TRUE(create("docs"));
  ASSERT_TRUE(ask<add_result>(reg, add_atom::value, std::string{"docs"},
                              batch({"a"}, {1, 1})));
  auto r = ask<add_result>(reg, add_atom::value, std::string{"docs"},
                           batch({"b", "c", ""}, {1, 2, 3, 4, 5, 6}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ec::invalid_argument);
  EXPECT_NE(r.error().message.find("item 2"), std::string::npos);
  EXPECT_EQ(table->find("docs")->length(), 1u);
}

TEST_F(registry_test, add_to_a_missing_index_is_not_found) {
  auto r = ask<add_result>(reg, add_atom::value, std::string{"nope"},
                           batch({"a"}, {1, 1}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ec::not_found);
}

TEST_F(registry_test, drop_removes_the_index_and_a_later_add_is_not_found) {
  ASSERT_TRUE(create("docs"));
  auto held = table->find("docs");
  ASSERT_TRUE(ask<ok_atom>(reg, delete_atom::value, std::string{"docs"}));
  EXPECT_TRUE(table->names().empty());
  auto r = ask<add_result>(reg, add_atom::value, std::string{"docs"},
                           batch({"a"}, {1, 1}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ec::not_found);
  // A search that still holds the dropped index finishes safely.
  EXPECT_TRUE(held->search(std::vector<float>{1, 1}, 1, std::nullopt));
}
