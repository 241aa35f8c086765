#include "actors/index_actor.hpp"

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "index/wal_record.hpp"

namespace lh {

namespace {

using self_pointer = index_actor::stateful_pointer<index_state>;

const std::string& name_of(self_pointer self) {
  return self->state.index->params().name;
}

// A diverged actor quits once every record it sent is answered (all fail:
// group_commit fails the rest of a failed group's indexes), so that every
// request it took gets its answer.
void quit_when_answered(self_pointer self) {
  if (self->state.index->diverged() && self->state.logging == 0)
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

// The record `sequence` was applied: answer `result` once it is durable.
template <class Result>
caf::result<Result> log_then_answer(self_pointer self, uint64_t sequence,
                                    std::string record, Result result) {
  auto& st = self->state;
  st.next_sequence = sequence + 1;
  if (!st.links.wal) { // no log (tests of the actors alone)
    if (st.links.persistence)
      self->send(st.links.persistence, changed_atom::value, name_of(self));
    return result;
  }
  auto promise = self->make_response_promise<Result>();
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
  return promise;
}

// Runs a mutation; an exception (a bad_alloc, say) becomes an ec::internal
// answer for this request alone, never the end of the actor. Part of the
// change may be applied and it is not logged: the index is loaded again.
template <class T, class Body>
caf::result<T> guarded(self_pointer self, const char* what, Body body) {
  try {
    return body();
  } catch (const std::exception& e) {
    auto err = make_error(ec::internal, std::string{what} + " failed: "
                                          + e.what());
    if (self->state.links.wal)
      diverge(self, err); // logs it
    else
      spdlog::error("index '{}': {}", name_of(self), err.message);
    return to_caf(err);
  }
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

caf::result<add_result> add(self_pointer self, const batch_message& msg) {
  if (auto why = refuse(self, msg.batch != nullptr))
    return to_caf(*why);
  auto& st = self->state;
  auto sequence = st.next_sequence;
  // Encoded before the batch moves in; only kept if the add succeeds.
  std::string record;
  if (st.links.wal)
    record = wal::encode_add(sequence, *msg.batch);
  st.index->begin_record(sequence);
  auto result = st.index->add(std::move(*msg.batch), st.links.pool.get());
  if (!result) {
    st.index->begin_record(sequence - 1);
    // A refused batch changed nothing; any other failure may have
    // changed part of the index, which the log does not hold.
    if (result.error().code != ec::invalid_argument) {
      if (st.links.wal)
        diverge(self, result.error());
      else
        spdlog::error("index '{}': add failed: {}", name_of(self),
                      result.error().message);
    }
    return to_caf(result.error());
  }
  st.index->end_record(sequence);
  return log_then_answer(self, sequence, std::move(record), *result);
}

caf::result<delete_result> remove(self_pointer self,
                                  const delete_message& msg) {
  if (auto why = refuse(self, msg.request != nullptr))
    return to_caf(*why);
  auto& st = self->state;
  auto sequence = st.next_sequence;
  st.index->begin_record(sequence);
  auto result = st.index->remove(*msg.request);
  if (!result || result->deleted == 0) { // nothing changed: no record
    st.index->begin_record(sequence - 1);
    if (!result)
      return to_caf(result.error());
    return *result;
  }
  st.index->end_record(sequence);
  auto record = st.links.wal ? wal::encode_remove(sequence, result->removed)
                             : std::string{};
  result->removed.clear(); // the reply does not carry them
  return log_then_answer(self, sequence, std::move(record),
                         std::move(*result));
}

// Logs the drop after every change taken before it; answers its sequence.
caf::result<uint64_t> drop(self_pointer self) {
  auto& st = self->state;
  auto sequence = st.next_sequence;
  if (!st.links.wal)
    return sequence;
  auto promise = self->make_response_promise<uint64_t>();
  self
    ->request(st.links.wal, caf::infinite, append_atom::value,
              wal_entry::of(name_of(self), sequence,
                            wal::encode_drop(sequence)))
    .then([promise, sequence](ok_atom) mutable { promise.deliver(sequence); },
          [self, promise, sequence](caf::error& e) mutable {
            // Not dropped: the registry puts the index back, and the log
            // expects this sequence again.
            self->state.next_sequence = sequence;
            promise.deliver(std::move(e));
          });
  st.next_sequence = sequence + 1;
  return promise;
}

} // namespace

index_actor::behavior_type
index(index_actor::stateful_pointer<index_state> self,
      std::shared_ptr<vector_index> idx, index_links links) {
  self->state.next_sequence = idx->log().applied + 1;
  self->state.index = std::move(idx);
  self->state.links = std::move(links);
  return {
    [self](add_atom, const batch_message& msg) -> caf::result<add_result> {
      return guarded<add_result>(self, "add", [&] { return add(self, msg); });
    },
    [self](delete_atom,
           const delete_message& msg) -> caf::result<delete_result> {
      return guarded<delete_result>(self, "delete",
                                    [&] { return remove(self, msg); });
    },
    [self](drop_atom) -> caf::result<uint64_t> { return drop(self); },
  };
}

} // namespace lh
