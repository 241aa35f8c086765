// Asks an actor from a thread that is not an actor (a Beast I/O thread)
// without blocking it: a short-lived actor sends the request and hands the
// reply, or the error, to a callback. Used by the *_bridge.cpp files.
#pragma once

#include <chrono>
#include <functional>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/caf_error.hpp"

namespace lh {

/// An on_error for ask() that hands the error to an expected<T> callback.
template <class Callback>
std::function<void(error)> forward_error(Callback done) {
  return [done = std::move(done)](error err) { done(std::move(err)); };
}

/// Sends `xs...` to `dest`; `on_reply` gets the reply values, `on_error`
/// gets a timeout, a dead actor or the error the actor answered with.
/// `timeout` is a std::chrono duration or caf::infinite (wait for the
/// answer, however long; a dead actor still ends the wait).
template <class Handle, class Timeout, class OnReply, class... Ts>
void ask(caf::actor_system& sys, const Handle& dest, Timeout timeout,
         OnReply on_reply, std::function<void(error)> on_error, Ts... xs) {
  // `dest` goes in as a spawn argument, not a capture: CAF 0.17.6
  // dereferences a null tuple when a function actor gets no arguments
  // (UBSan reports it).
  sys.spawn(
    [=](caf::event_based_actor* self, const Handle& to) mutable {
      self->request(to, timeout, std::move(xs)...)
        .then(std::move(on_reply),
              [on_error](caf::error& err) { on_error(from_caf(err)); });
    },
    dest);
}

} // namespace lh
