#include "actors/index_actor.hpp"

#include <optional>

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "config/metrics.hpp"
#include "index/wal_record.hpp"

namespace lh {

namespace {

using self_pointer = index_actor::stateful_pointer<index_state>;

const std::string& name_of(self_pointer self) {
  return self->state.index->params().name;
}

error stopped(self_pointer self) {
  return make_error(ec::unavailable,
                    "the actor of index '" + name_of(self) + "' stopped");
}

// Answers every queued change with `why` (the actor ends, or its index
// is being loaded again).
void refuse_waiting(self_pointer self, const error& why) {
  auto waiting = std::move(self->state.waiting);
  self->state.waiting.clear();
  for (auto& change : waiting)
    change.refuse(why);
}

// A diverged actor quits once every record it sent is answered (all fail:
// group_commit fails the rest of a failed group's indexes) and nothing is
// being applied, so that every request it took gets its answer.
void quit_when_answered(self_pointer self) {
  auto& st = self->state;
  if (!st.index->diverged())
    return;
  refuse_waiting(self, make_error(ec::unavailable,
                                  "index '" + name_of(self)
                                    + "' is being loaded again after a "
                                      "failed log write"));
  if (st.logging == 0 && !st.running)
    self->quit();
}

// Memory went ahead of the store: stop taking changes, ask for a reload.
void diverge(self_pointer self, const error& why) {
  auto& st = self->state;
  if (!st.index->diverged()) {
    st.index->set_diverged();
    spdlog::error("index '{}': {}; loading it again from the store",
                  name_of(self), why.message);
    if (st.links.registry)
      self->send(st.links.registry, load_atom::value, name_of(self));
  }
  quit_when_answered(self);
}

// The queue's depth as /metrics shows it.
void publish_depth(self_pointer self) {
  auto& st = self->state;
  st.index->set_queue(st.waiting.size() + (st.running ? 1 : 0),
                      st.waiting.size() >= st.links.max_queued);
}

// Starts the next queued change, if none is being applied.
void run_next(self_pointer self) {
  auto& st = self->state;
  publish_depth(self);
  if (st.running || st.waiting.empty())
    return;
  auto change = std::move(st.waiting.front());
  st.waiting.pop_front();
  st.running = true;
  publish_depth(self);
  st.abandon = std::move(change.refuse);
  change.start();
}

// The running change is applied (or refused): the next one may start.
void finished(self_pointer self) {
  auto& st = self->state;
  st.running = false;
  st.abandon = nullptr;
  if (st.index->diverged())
    quit_when_answered(self);
  else
    run_next(self);
}

// Queues a change of the index; `start(promise)` runs it when its turn
// comes and must end with finished(). Past max_queued it is refused at
// once: the client retries later instead of waiting in an ever longer line.
template <class Result, class Start>
caf::result<Result> enqueue(self_pointer self, Start start) {
  auto& st = self->state;
  if (st.waiting.size() >= st.links.max_queued) {
    metrics::refused("index_queue_full");
    return to_caf(
      make_error(ec::queue_full, "index '" + name_of(self) + "' has "
                                   + std::to_string(st.waiting.size())
                                   + " changes waiting; retry later"));
  }
  auto promise = self->make_response_promise<Result>();
  st.waiting.push_back(
    {[start, promise]() mutable { start(promise); },
     [promise](const error& why) mutable { promise.deliver(to_caf(why)); }});
  run_next(self);
  return promise;
}

// What a mutation's work hands back to the actor: its result, the log
// record to write, and whether it threw (part of it may be applied).
template <class T>
struct applied {
  expected<T> result = make_error(ec::internal, "not applied");
  std::string record;
  bool threw = false;
};

// Runs `work` on the pool (inline without one, as in deterministic tests)
// and then `then(outcome)` back on the actor. `work` touches only what it
// captured, never the actor's state. An exception becomes an ec::internal
// result for this request alone, never the end of the actor.
template <class T, class Work, class Then>
void apply_off_actor(self_pointer self, const char* what, Work work,
                     Then then) {
  auto guarded = [what, work]() mutable {
    applied<T> out;
    try {
      work(out);
    } catch (const std::exception& e) {
      out.result = make_error(ec::internal,
                              std::string{what} + " failed: " + e.what());
      out.threw = true;
    }
    return out;
  };
  auto& st = self->state;
  if (!st.links.pool) {
    auto out = guarded();
    return then(out);
  }
  auto outcome = std::make_shared<std::optional<applied<T>>>();
  st.on_applied = [outcome, then]() mutable { then(**outcome); };
  st.links.pool->post(
    [outcome, guarded, me = caf::actor_cast<index_actor>(self)]() mutable {
      *outcome = guarded();
      caf::anon_send(me, applied_atom::value);
    });
}

// The record `sequence` was applied: deliver `result` once it is durable.
template <class Result>
void log_then_answer(self_pointer self, uint64_t sequence, std::string record,
                     Result result,
                     caf::typed_response_promise<Result> promise) {
  auto& st = self->state;
  st.next_sequence = sequence + 1;
  if (!st.links.wal) { // no log (tests of the actors alone)
    if (st.links.persistence)
      self->send(st.links.persistence, changed_atom::value, name_of(self));
    promise.deliver(std::move(result));
    return;
  }
  auto idx = st.index;
  ++st.logging;
  self
    ->request(st.links.wal, caf::infinite, append_atom::value,
              wal_entry::of(idx->params().name, sequence, std::move(record)))
    .then(
      [self, idx, sequence, promise, result](ok_atom) mutable {
        --self->state.logging;
        idx->set_durable(std::max(idx->durable(), sequence));
        if (self->state.links.persistence)
          self->send(self->state.links.persistence, changed_atom::value,
                     idx->params().name);
        promise.deliver(std::move(result));
        quit_when_answered(self);
      },
      [self, promise](caf::error& e) mutable {
        --self->state.logging;
        promise.deliver(e);
        diverge(self, from_caf(e));
      });
}

// A mutation that failed: a refused one (invalid input) changed nothing;
// any other failure may have changed part of the index, which the log
// does not hold, so the index is loaded again.
template <class T>
void answer_failure(self_pointer self, const applied<T>& out,
                    caf::typed_response_promise<T>& promise) {
  auto& err = out.result.error();
  if (out.threw || err.code != ec::invalid_argument) {
    if (self->state.links.wal)
      diverge(self, err); // logs it
    else
      spdlog::error("index '{}': {}", name_of(self), err.message);
  }
  promise.deliver(to_caf(err));
}

// Why a mutation cannot start: an empty message (a bug), or an index
// that is being loaded again.
std::optional<error> refuse(self_pointer self, bool has_payload) {
  if (!has_payload)
    return make_error(ec::internal, "empty mutation message");
  if (!self->state.index->diverged())
    return std::nullopt;
  return make_error(ec::unavailable,
                    "index '" + name_of(self)
                      + "' is being loaded again after a failed log write");
}

void add(self_pointer self, const batch_message& msg,
         caf::typed_response_promise<add_result> promise) {
  if (auto why = refuse(self, msg.batch != nullptr)) {
    promise.deliver(to_caf(*why));
    return finished(self);
  }
  auto& st = self->state;
  auto sequence = st.next_sequence;
  auto work = [idx = st.index, batch = msg.batch, pool = st.links.pool.get(),
               logged = static_cast<bool>(st.links.wal),
               sequence](applied<add_result>& out) {
    // Encoded before the batch moves in; only kept if the add succeeds.
    if (logged)
      out.record = wal::encode_add(sequence, *batch);
    idx->begin_record(sequence);
    out.result = idx->add(std::move(*batch), pool);
    if (out.result)
      idx->end_record(sequence);
    else
      idx->begin_record(sequence - 1);
  };
  apply_off_actor<add_result>(
    self, "add", std::move(work),
    [self, sequence, promise](applied<add_result>& out) mutable {
      if (out.result)
        log_then_answer(self, sequence, std::move(out.record), *out.result,
                        promise);
      else
        answer_failure(self, out, promise);
      finished(self);
    });
}

void remove(self_pointer self, const delete_message& msg,
            caf::typed_response_promise<delete_result> promise) {
  if (auto why = refuse(self, msg.request != nullptr)) {
    promise.deliver(to_caf(*why));
    return finished(self);
  }
  auto& st = self->state;
  auto sequence = st.next_sequence;
  auto work = [idx = st.index, request = msg.request,
               logged = static_cast<bool>(st.links.wal),
               sequence](applied<delete_result>& out) {
    idx->begin_record(sequence);
    out.result = idx->remove(*request);
    if (!out.result || out.result->deleted == 0) { // nothing changed
      idx->begin_record(sequence - 1);
      return;
    }
    idx->end_record(sequence);
    if (logged)
      out.record = wal::encode_remove(sequence, out.result->removed);
    out.result->removed.clear(); // the reply does not carry them
  };
  apply_off_actor<delete_result>(
    self, "delete", std::move(work),
    [self, sequence, promise](applied<delete_result>& out) mutable {
      if (!out.result)
        answer_failure(self, out, promise);
      else if (out.result->deleted == 0) // no record
        promise.deliver(std::move(*out.result));
      else
        log_then_answer(self, sequence, std::move(out.record),
                        std::move(*out.result), promise);
      finished(self);
    });
}

// Logs the drop after every change taken before it; answers its sequence.
// Nothing after it starts until the record is answered.
void drop(self_pointer self, caf::typed_response_promise<uint64_t> promise) {
  auto& st = self->state;
  auto sequence = st.next_sequence;
  if (!st.links.wal) {
    promise.deliver(sequence);
    return finished(self);
  }
  st.next_sequence = sequence + 1;
  self
    ->request(st.links.wal, caf::infinite, append_atom::value,
              wal_entry::of(name_of(self), sequence,
                            wal::encode_drop(sequence)))
    .then(
      [self, promise, sequence](ok_atom) mutable {
        promise.deliver(sequence);
        finished(self);
      },
      [self, promise, sequence](caf::error& e) mutable {
        // Not dropped: the registry puts the index back, and the log
        // expects this sequence again.
        self->state.next_sequence = sequence;
        promise.deliver(std::move(e));
        finished(self);
      });
}

} // namespace

index_actor::behavior_type
index(index_actor::stateful_pointer<index_state> self,
      std::shared_ptr<vector_index> idx, index_links links) {
  self->state.next_sequence = idx->log().applied + 1;
  self->state.index = std::move(idx);
  self->state.links = std::move(links);
  // Stopped (a drop, the registry's end): every change it took is
  // answered. A change still running on the pool completes there; its
  // client learns only that the actor stopped.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto why = stopped(self);
    if (auto abandon = std::move(self->state.abandon))
      abandon(why);
    refuse_waiting(self, why);
    self->quit(msg.reason);
  });
  return {
    [self](add_atom, const batch_message& msg) -> caf::result<add_result> {
      return enqueue<add_result>(self, [self, msg](auto promise) {
        add(self, msg, promise);
      });
    },
    [self](delete_atom,
           const delete_message& msg) -> caf::result<delete_result> {
      return enqueue<delete_result>(self, [self, msg](auto promise) {
        remove(self, msg, promise);
      });
    },
    [self](drop_atom) -> caf::result<uint64_t> {
      return enqueue<uint64_t>(self,
                               [self](auto promise) { drop(self, promise); });
    },
    [self](applied_atom) {
      if (auto then = std::move(self->state.on_applied)) {
        self->state.on_applied = nullptr;
        then();
      }
    },
  };
}

} // namespace lh
