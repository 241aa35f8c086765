#include "actors/persistence_actor.hpp"

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "index/lhv1.hpp"

namespace lh {

namespace {

using self_pointer = persistence_actor::stateful_pointer<persistence_state>;

// The pause before the next save of an index, in lengths of its last save:
// saves of a busy index then take about a quarter of the time, leaving
// its lock and the CPU to inserts.
constexpr int save_pause_factor = 3;

void start(self_pointer self, const save_scheduler::action& act);

// A store call for `name` ended; start what follows, or back off.
void done(self_pointer self, const std::string& name, const error* err) {
  auto& st = self->state;
  auto was_failing = st.failing.size();
  if (err != nullptr) {
    st.failing[name] = err->message;
    auto failures = st.schedule.failures(name) + 1;
    spdlog::warn("persistence: saving '{}' failed ({}), retry {} in {} ms",
                 name, err->message, failures, retry_backoff(failures).count());
  } else {
    st.failing.erase(name);
  }
  if (st.status && (err != nullptr || was_failing != st.failing.size()))
    st.status->publish_save_failures(st.failing);
  auto took = std::chrono::steady_clock::now() - st.started[name];
  st.started.erase(name);
  if (err == nullptr)
    spdlog::debug(
      "persistence: '{}' saved in {} ms", name,
      std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
  auto next = st.schedule.finished(name, err == nullptr);
  if (st.schedule.waiting(name))
    self->delayed_send(
      self,
      err != nullptr
        ? retry_backoff(st.schedule.failures(name))
        : save_pause_factor
            * std::chrono::duration_cast<std::chrono::milliseconds>(took),
      retry_atom::value, name);
  if (next)
    start(self, *next);
  if (st.schedule.idle()) {
    for (auto& promise : st.flushes)
      promise.deliver(ok_atom::value);
    st.flushes.clear();
  }
}

void start(self_pointer self, const save_scheduler::action& act) {
  auto& st = self->state;
  auto name = act.name;
  st.started[name] = std::chrono::steady_clock::now();
  auto on_error = [self, name](caf::error& e) {
    auto err = from_caf(e);
    done(self, name, &err);
  };
  // A save of an index no longer in the table deletes its blob instead: a
  // change notice that arrived after the drop's (from an add that finished
  // just before it) must not leave the blob of a dropped index behind.
  auto idx = act.what == save_scheduler::kind::save ? st.table->find(name)
                                                    : nullptr;
  if (act.what == save_scheduler::kind::remove || !idx) {
    self->request(st.store, st.timeout, delete_atom::value, lhv1::key_of(name))
      .then([self, name](ok_atom) { done(self, name, nullptr); },
            [self, name, on_error](caf::error& e) mutable {
              // Already gone is what a delete wants.
              if (from_caf(e).code == ec::not_found)
                return done(self, name, nullptr);
              on_error(e);
            });
    return;
  }
  auto blob = lhv1::encode_index(*idx);
  if (!blob) {
    auto err = blob.error();
    return done(self, name, &err);
  }
  self
    ->request(st.store, st.timeout, put_atom::value, lhv1::key_of(name),
              bytes_message::wrap(std::move(*blob)))
    .then([self, name](ok_atom) { done(self, name, nullptr); }, on_error);
}

} // namespace

persistence_actor::behavior_type
persistence(persistence_actor::stateful_pointer<persistence_state> self,
            store_actor store, std::shared_ptr<index_table> table,
            std::shared_ptr<index_status> status,
            std::chrono::milliseconds timeout) {
  self->state.store = std::move(store);
  self->state.table = std::move(table);
  self->state.status = std::move(status);
  self->state.timeout = timeout;
  return {
    [self](changed_atom, const std::string& name) {
      if (auto act = self->state.schedule.changed(name))
        start(self, *act);
    },
    [self](dropped_atom, const std::string& name) {
      if (auto act = self->state.schedule.dropped(name))
        start(self, *act);
    },
    [self](retry_atom, const std::string& name) {
      if (auto act = self->state.schedule.retry(name))
        start(self, *act);
    },
    [self](flush_atom) -> caf::result<ok_atom> {
      if (self->state.schedule.idle())
        return ok_atom::value;
      auto promise = self->make_response_promise<ok_atom>();
      self->state.flushes.push_back(promise);
      return promise;
    },
  };
}

} // namespace lh
