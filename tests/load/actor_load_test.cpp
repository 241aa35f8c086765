// The actor-level load harness (tests/load/actor_load.hpp) in short mode:
// 16 indexes of mixed dimensions, 16 clients, a few seconds (CI sets
// LAKEHOUSE_LOAD_SECONDS=20 under ASan). It passes when no invariant broke:
// well-formed replies, exact lengths, just-added items found, dropped
// indexes not found, no request waiting past the watchdog, every index
// back after a restart.
#include <cstdlib>
#include <iostream>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "tests/load/actor_load.hpp"

namespace {

std::chrono::milliseconds load_duration() {
  if (auto* s = std::getenv("LAKEHOUSE_LOAD_SECONDS"))
    return std::chrono::milliseconds{static_cast<int64_t>(std::atof(s) * 1000)};
  return std::chrono::milliseconds{4000};
}

lh::load::options short_run() {
  lh::load::options o;
  o.indexes = 16;
  o.clients = 16;
  o.duration = load_duration();
  o.dimensions = {32, 96, 256, 768};
  return o;
}

TEST(actor_load, mixed_load_keeps_every_invariant) {
  spdlog::set_level(spdlog::level::warn); // not a line per create and drop
  auto r = lh::load::run(short_run());
  std::cout << r.table() << "items at end: " << r.items_at_end
            << ", recall retries: " << r.recall_retries << "\n";
  for (auto& v : r.violations)
    ADD_FAILURE() << v;
  EXPECT_TRUE(r.restart_checked);
  // The run did something of every kind.
  for (size_t i = 0; i < lh::load::op_count; ++i)
    EXPECT_GT(r.ops[i].done, 0u)
      << lh::load::op_name(static_cast<lh::load::op>(i));
}

// The negative control: clients that forget their deletes hold models
// the service does not match, and the harness must say so.
TEST(actor_load, catches_clients_that_forget_their_deletes) {
  spdlog::set_level(spdlog::level::warn);
  auto o = short_run();
  o.duration = std::chrono::milliseconds{1500};
  o.forget_deletes = true;
  auto r = lh::load::run(o);
  ASSERT_GT(r.ops[static_cast<size_t>(lh::load::op::delete_ids)].done, 0u);
  // Caught by a later delete's count, a length, or the check at rest.
  EXPECT_FALSE(r.violations.empty());
}

} // namespace
