// Asks an actor from a thread that is not an actor (a Beast I/O thread)
// without blocking it, and without spawning an actor per request: a few
// long-lived relay actors send the requests and hand each reply, or the
// error, to a callback. The requests waiting for an answer are bounded;
// past the bound a request fails at once with ec::overloaded (503).
// Used by the *_bridge.cpp files.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/caf_error.hpp"
#include "config/metrics.hpp"
#include "config/settings.hpp"

namespace lh {

/// Work a relay actor runs in its own context (it sends one request).
struct relay_job {
  std::function<void(caf::event_based_actor*)> run;
};

/// An on_error for ask() that hands the error to an expected<T> callback.
template <class Callback>
std::function<void(error)> forward_error(Callback done) {
  return [done = std::move(done)](error err) { done(std::move(err)); };
}

class relay {
public:
  /// `actors` = 0: one relay actor per core.
  explicit relay(caf::actor_system& sys, size_t actors = 0,
                 size_t max_waiting = default_max_waiting_requests);
  ~relay();
  relay(const relay&) = delete;
  relay& operator=(const relay&) = delete;

  /// Requests sent and not answered yet.
  size_t waiting() const { return waiting_->load(std::memory_order_relaxed); }
  /// Whether an ask now would be refused with ec::overloaded.
  bool saturated() const { return waiting() >= max_waiting_; }

  /// Sends `xs...` to `dest`; `on_reply` gets the reply values, `on_error`
  /// gets a timeout, a dead actor, the error the actor answered with, or
  /// ec::overloaded when too many requests wait already. `timeout` is a
  /// std::chrono duration or caf::infinite (wait for the answer, however
  /// long; a dead actor still ends the wait).
  template <class Handle, class Timeout, class OnReply, class... Ts>
  void ask(const Handle& dest, Timeout timeout, OnReply on_reply,
           std::function<void(error)> on_error, Ts... xs) {
    if (waiting_->fetch_add(1, std::memory_order_relaxed) >= max_waiting_) {
      waiting_->fetch_sub(1, std::memory_order_relaxed);
      metrics::refused("bridge_saturated");
      return on_error(make_error(
        ec::overloaded, "server saturated: " + std::to_string(max_waiting_)
                          + " requests are waiting for an answer; retry"));
    }
    // Released with the reply handlers, which CAF destroys once either
    // has run (or with the relay): the count needs no hook in on_reply.
    auto ticket = std::make_shared<waiting_ticket>(waiting_);
    auto job = [=](caf::event_based_actor* self) mutable {
      self->request(dest, timeout, std::move(xs)...)
        .then(std::move(on_reply),
              [on_error, ticket](caf::error& err) { on_error(from_caf(err)); });
    };
    caf::anon_send(pick(), relay_job{std::move(job)});
  }

private:
  struct waiting_ticket {
    explicit waiting_ticket(std::shared_ptr<std::atomic<size_t>> w)
      : waiting(std::move(w)) {
      waiting_gauge().add(1);
    }
    ~waiting_ticket() {
      waiting->fetch_sub(1, std::memory_order_relaxed);
      waiting_gauge().add(-1);
    }
    std::shared_ptr<std::atomic<size_t>> waiting;
  };

  // Requests waiting in every relay of the process, for /metrics.
  static metrics::gauge& waiting_gauge();

  const caf::actor& pick() {
    return actors_[next_.fetch_add(1, std::memory_order_relaxed)
                   % actors_.size()];
  }

  std::vector<caf::actor> actors_;
  std::atomic<size_t> next_{0};
  std::shared_ptr<std::atomic<size_t>> waiting_;
  size_t max_waiting_;
};

} // namespace lh

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lh::relay_job)
