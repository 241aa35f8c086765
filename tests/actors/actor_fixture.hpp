// A GoogleTest fixture with an actor system on CAF's deterministic test
// scheduler: messages are processed only when the test runs the scheduler,
// so actor tests are fast and never flaky. (CAF's own dsl fixture does not
// work with GoogleTest.)
#pragma once

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>

#include "actors/caf_error.hpp"

namespace lh::test {

class actor_fixture : public ::testing::Test {
protected:
  static caf::actor_system_config& config() {
    static caf::actor_system_config cfg = [] {
      caf::actor_system_config c;
      c.set("scheduler.policy", caf::atom("testing"));
      c.set("logger.file-verbosity", caf::atom("quiet"));
      add_error_renderer(c);
      return c;
    }();
    return cfg;
  }

  actor_fixture()
    : sys(config()),
      self(sys, true),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {}

  ~actor_fixture() override { sched.run(); }

  /// Sends a request, runs every actor until idle, and returns the reply
  /// (or the error) of type T.
  template <class T, class Handle, class... Ts>
  expected<T> ask(const Handle& dest, Ts&&... xs) {
    auto handle = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    // A reply that waits on a timeout (behind a stalled store call, say)
    // comes once the timeouts fire.
    while (self->mailbox().empty() && sched.trigger_timeouts() > 0)
      sched.run();
    std::optional<expected<T>> result;
    handle.receive([&](T& value) { result.emplace(std::move(value)); },
                   [&](caf::error& err) { result.emplace(from_caf(err)); });
    return std::move(*result);
  }

  caf::actor_system sys;
  caf::scoped_actor self;
  caf::scheduler::test_coordinator& sched;
};

} // namespace lh::test
