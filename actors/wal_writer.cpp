#include "actors/wal_writer.hpp"

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "index/wal_record.hpp"

namespace lh {

namespace {

using self_pointer = wal_actor::stateful_pointer<wal_writer_state>;

void answer(self_pointer self, uint64_t token, const error* why) {
  auto& waiting = self->state.waiting;
  auto it = waiting.find(token);
  if (it == waiting.end())
    return;
  if (why == nullptr)
    it->second.deliver(ok_atom::value);
  else
    it->second.deliver(to_caf(*why));
  waiting.erase(it);
}

// Starts the next group when none is in flight.
void write_next(self_pointer self) {
  auto& st = self->state;
  auto group = st.commits.next_group();
  if (!group)
    return;
  auto objects = std::make_shared<object_group>();
  objects->reserve(group->size());
  std::vector<uint64_t> tokens;
  for (auto& e : *group) {
    objects->emplace_back(wal::key_of(e.index, e.sequence), *e.bytes);
    tokens.push_back(e.token);
  }
  auto done = [self, tokens](const error* why) {
    for (auto t : tokens)
      answer(self, t, why);
    auto later = self->state.commits.finished(why == nullptr);
    if (why != nullptr) {
      spdlog::error("log: a group of {} records was not written ({}); {} "
                    "later records of the same indexes fail with it",
                    tokens.size(), why->message, later.size());
      for (auto t : later)
        answer(self, t, why);
    }
    write_next(self);
  };
  self
    ->request(st.store, st.timeout, append_atom::value,
              group_message{std::move(objects)})
    .then([done](ok_atom) { done(nullptr); },
          [done](caf::error& e) {
            auto why = from_caf(e);
            why.message = "the change is not durable, the log write failed: "
                          + why.message;
            done(&why);
          });
}

} // namespace

wal_actor::behavior_type
wal_writer(wal_actor::stateful_pointer<wal_writer_state> self,
           store_actor store, std::chrono::milliseconds timeout) {
  self->state.store = std::move(store);
  self->state.timeout = timeout;
  return {
    [self](append_atom, const wal_entry& e) -> caf::result<ok_atom> {
      auto& st = self->state;
      auto token = st.next_token++;
      auto offered = st.commits.offer({e.index, e.sequence, e.bytes, token});
      if (!offered)
        return to_caf(offered.error());
      auto promise = self->make_response_promise<ok_atom>();
      st.waiting.emplace(token, promise);
      write_next(self);
      return promise;
    },
    [self](expect_atom, const std::string& index, uint64_t next) {
      self->state.commits.expect(index, next);
    },
  };
}

} // namespace lh
