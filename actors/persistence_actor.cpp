#include "actors/persistence_actor.hpp"

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "config/metrics.hpp"
#include "index/lhv1.hpp"
#include "index/wal_record.hpp"

namespace lh {

namespace {

using self_pointer = persistence_actor::stateful_pointer<persistence_state>;

// The pause before the next save of an index, in lengths of its last save:
// saves of a busy index then take about a tenth of the time, leaving its
// lock and the CPU to inserts (at a quarter, a 60k x 784 bulk load over
// HTTP spent 5.8 of its 18 s saving, and its insert rate was 0.72x the
// in-process build's against vectord's 0.87x). And at least min_save_pause:
// changes are durable in the log, so a snapshot only bounds the log's length
// (and replay time); saving a small busy index after every change would double
// the synced writes (bench/wal).
constexpr int save_pause_factor = 9;
constexpr std::chrono::milliseconds min_save_pause{1000};

void start(self_pointer self, const save_scheduler::action& act);

// Saves (and drops' blob removals) for /metrics: how many, how many
// failed, how long the good ones took.
void count_save(bool ok, std::chrono::steady_clock::duration took) {
  static auto& saves = metrics::process().counters(
    "lakehouse_saves_total", "Index snapshots saved into the store, by result",
    {"result"});
  static auto& ok_saves = saves.with({"ok"});
  static auto& failed_saves = saves.with({"failed"});
  static auto& seconds = metrics::process()
                           .histograms("lakehouse_save_duration_seconds",
                                       "Time to encode and store one index "
                                       "snapshot (and trim its log)",
                                       {}, metrics::seconds_buckets())
                           .get();
  (ok ? ok_saves : failed_saves).inc();
  if (ok)
    seconds.observe(std::chrono::duration<double>(took).count());
}

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
  count_save(err == nullptr, took);
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
        : std::max(
          min_save_pause,
          save_pause_factor
            * std::chrono::duration_cast<std::chrono::milliseconds>(took)),
      retry_atom::value, name);
  if (next)
    start(self, *next);
  if (st.schedule.idle()) {
    for (auto& promise : st.flushes)
      promise.deliver(ok_atom::value);
    st.flushes.clear();
  }
}

// After a blob or a drop landed: the log records it holds go, in one call
// (records at or after `to` stay).
void trim(self_pointer self, const std::string& name, uint64_t to) {
  auto& st = self->state;
  self
    ->request(st.store, st.timeout, trim_atom::value, wal::prefix_of(name),
              wal::key_of(name, to))
    .then([self, name](ok_atom) { done(self, name, nullptr); },
          [self, name](caf::error& e) {
            auto err = from_caf(e);
            done(self, name, &err);
          });
}

// The blob of a dropped index goes, then its log below the drop's record
// (the tombstone stays: a late blob older than it is never loaded). The
// delete carries the drop's sequence, so no late save lands after it.
void remove_blob(self_pointer self, const std::string& name) {
  auto& st = self->state;
  auto sequence = st.drop_sequence[name];
  auto key = lhv1::key_of(name);
  auto then_trim = [self, name, sequence](caf::error& e) {
    auto err = from_caf(e);
    if (err.code == ec::not_found) // already gone is what a delete wants
      return trim(self, name, sequence);
    done(self, name, &err);
  };
  self->request(st.store, st.timeout, delete_atom::value, key, sequence)
    .then([self, name, sequence](ok_atom) { trim(self, name, sequence); },
          [self, name, key, sequence, then_trim](caf::error& e) mutable {
            if (from_caf(e).code != ec::stale_write)
              return then_trim(e);
            // Newer than the drop: a blob that never loaded (its sequence
            // unknown). The tombstone keeps it from loading, so it goes.
            auto& st = self->state;
            self->request(st.store, st.timeout, delete_atom::value, key)
              .then([self, name,
                     sequence](ok_atom) { trim(self, name, sequence); },
                    then_trim);
          });
}

// Puts a held blob once its log is durable up to the record it may hold
// part of; drops it when its index is being reloaded (the reload saves).
void put_when_durable(self_pointer self, const std::string& name) {
  auto& st = self->state;
  auto it = st.held.find(name);
  if (it == st.held.end())
    return;
  auto& h = it->second;
  if (h.index->diverged()) {
    st.held.erase(it);
    return done(self, name, nullptr);
  }
  if (h.index->durable() < h.at.started) {
    self->delayed_send(self, std::chrono::milliseconds{2}, durable_atom::value,
                       name);
    return;
  }
  auto applied = h.at.applied;
  auto bytes = std::move(h.bytes);
  st.held.erase(it);
  auto landed = [self, name, applied](caf::error* e) {
    auto err = e != nullptr ? from_caf(*e) : error{};
    // stale: a newer blob is in already, holding these records too.
    if (e == nullptr || err.code == ec::stale_write)
      return trim(self, name, applied + 1);
    done(self, name, &err);
  };
  self
    ->request(st.store, st.timeout, put_atom::value, lhv1::key_of(name),
              bytes_message::wrap(std::move(bytes)), applied)
    .then([landed](ok_atom) { landed(nullptr); },
          [landed](caf::error& e) { landed(&e); });
}

void start(self_pointer self, const save_scheduler::action& act) {
  auto& st = self->state;
  auto name = act.name;
  st.started[name] = std::chrono::steady_clock::now();
  if (act.what == save_scheduler::kind::remove)
    return remove_blob(self, name);
  // Not in the table: dropped, or being reloaded (which saves after). A
  // notice that came after the drop's must not leave the blob behind.
  auto idx = st.table->find(name);
  if (!idx && st.drop_sequence.contains(name))
    return remove_blob(self, name);
  if (!idx || idx->diverged())
    return done(self, name, nullptr);
  log_position at;
  auto blob = lhv1::encode_index(*idx, &at);
  if (!blob) {
    auto err = blob.error();
    return done(self, name, &err);
  }
  st.held[name] = {idx, std::move(*blob), at};
  put_when_durable(self, name);
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
    [self](dropped_atom, const std::string& name, uint64_t sequence) {
      auto& st = self->state;
      st.drop_sequence[name] = std::max(st.drop_sequence[name], sequence);
      if (auto act = st.schedule.dropped(name))
        start(self, *act);
    },
    [self](durable_atom, const std::string& name) {
      put_when_durable(self, name);
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
