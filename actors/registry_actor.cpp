#include "actors/registry_actor.hpp"

#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/index_actor.hpp"
#include "actors/index_loader.hpp"
#include "config/metrics.hpp"
#include "index/lhv1.hpp"
#include "index/retry_backoff.hpp"
#include "index/wal_record.hpp"

namespace lh {

void registry_state::publish_with(const std::string& name,
                                  std::shared_ptr<vector_index> index) {
  auto next = std::make_shared<index_table::map>(*options.table->snapshot());
  (*next)[name] = std::move(index);
  options.table->publish(std::move(next));
}

void registry_state::publish_without(const std::string& name) {
  auto next = std::make_shared<index_table::map>(*options.table->snapshot());
  next->erase(name);
  options.table->publish(std::move(next));
}

expected<index_actor> registry_state::actor_of(const std::string& name) const {
  auto it = actors.find(name);
  if (it != actors.end())
    return it->second;
  if (auto why = loading.progress().blocks(name))
    return *why;
  return make_error(ec::not_found, "no index named '" + name + "'");
}

uint64_t registry_state::sequence_for_new(const std::string& name) const {
  auto it = next_sequence.find(name);
  if (it != next_sequence.end())
    return it->second;
  return loading.last_listed_sequence(name) + 1;
}

namespace {

using self_pointer = registry_actor::stateful_pointer<registry_state>;

// How often a long rehydration logs its progress.
constexpr auto progress_interval = std::chrono::seconds{5};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
    .count();
}

// Spawns the index actor of `idx` and publishes it.
void install(self_pointer self, const std::string& name,
             std::shared_ptr<vector_index> idx) {
  auto& st = self->state;
  auto& o = st.options;
  index_links links{o.pool, o.persistence, o.wal,
                    caf::actor_cast<registry_actor>(self),
                    o.max_queued_changes};
  auto actor = self->spawn<caf::linked>(index, idx, links);
  self->monitor(actor); // its death reloads the index (on_down)
  st.actors.emplace(name, actor);
  st.next_sequence.erase(name);
  st.publish_with(name, std::move(idx));
}

// Takes the index out of the name space; its actor lives on unlinked
// until it has answered what it took (a drop, or a reload, ends it).
index_actor uninstall(self_pointer self, const std::string& name) {
  auto& st = self->state;
  auto it = st.actors.find(name);
  auto actor = it->second;
  st.actors.erase(it);
  st.publish_without(name);
  self->unlink_from(actor);
  self->demonitor(actor.address());
  return actor;
}

void notify_changed(self_pointer self, const std::string& name) {
  if (auto& p = self->state.options.persistence)
    self->send(p, changed_atom::value, name);
}

// The drop of `name` is durable at `sequence`: the blob and the log below
// its tombstone go, and a new index of that name follows it.
void dropped(self_pointer self, const std::string& name, uint64_t sequence) {
  self->state.next_sequence[name] = sequence + 1;
  if (auto& p = self->state.options.persistence)
    self->send(p, dropped_atom::value, name, sequence);
}

// Logs a create or drop the registry makes itself; `then` runs once the
// record is durable (or at once without a log), `fail` if it is not.
template <class Then, class Fail>
void log_record(self_pointer self, const std::string& name, uint64_t sequence,
                std::string record, Then then, Fail fail) {
  auto& wal = self->state.options.wal;
  if (!wal)
    return then();
  self->send(wal, expect_atom::value, name, sequence);
  self
    ->request(wal, caf::infinite, append_atom::value,
              wal_entry::of(name, sequence, std::move(record)))
    .then([then](ok_atom) mutable { then(); },
          [fail](caf::error& e) mutable { fail(from_caf(e)); });
}

// Publishes the progress for HTTP threads; logs the summary at the end.
void publish_progress(self_pointer self) {
  auto& st = self->state;
  auto& progress = st.loading.progress();
  if (progress.done() && st.options.store && !st.summary_logged) {
    st.summary_logged = true;
    std::string failed;
    for (auto& [name, why] : progress.failed)
      failed += (failed.empty() ? "" : "; ") + name + ": " + why;
    auto& m = metrics::process();
    m.gauges("lakehouse_rehydration_seconds",
             "How long loading every index at start took")
      .get()
      .set(seconds_since(st.started));
    m.gauges("lakehouse_rehydrated_indexes",
             "Indexes loaded at start, and those that failed to load",
             {"result"})
      .with({"loaded"})
      .set(static_cast<double>(progress.loaded));
    m.gauges("lakehouse_rehydrated_indexes", "", {"result"})
      .with({"failed"})
      .set(static_cast<double>(progress.failed.size()));
    if (failed.empty())
      spdlog::info("registry: rehydrated {} indexes in {:.1f} s",
                   progress.loaded, seconds_since(st.started));
    else
      spdlog::warn("registry: rehydrated {} of {} indexes in {:.1f} s; not "
                   "loaded: {}",
                   progress.loaded, progress.total, seconds_since(st.started),
                   failed);
  }
  st.options.status->publish(progress);
}

void load_more(self_pointer self);

void start_load(self_pointer self, const std::string& name) {
  auto& o = self->state.options;
  // Linked: a loader dies with the registry (say, a stop during start).
  auto loader = o.detached
                  ? self->spawn<caf::detached + caf::linked>(
                    index_loader, o.store, o.rehydrate_timeout, o.pool)
                  : self->spawn<caf::linked>(index_loader, o.store,
                                             o.rehydrate_timeout, o.pool);
  auto finish = [self, name](const error* why) {
    auto& st = self->state;
    if (why == nullptr) {
      st.loading.loaded(name);
      st.reloading.erase(name);
    } else if (auto it = st.reloading.find(name); it != st.reloading.end()) {
      // A reload waits for the store to return; the index stays loading.
      auto wait = retry_backoff(++it->second);
      spdlog::warn("registry: index '{}' not loaded again yet ({}); retry in "
                   "{} ms",
                   name, why->message, wait.count());
      st.loading.postpone(name);
      self->delayed_send(self, wait, load_atom::value, name);
    } else {
      spdlog::warn("registry: index '{}' not loaded: {}", name, why->message);
      st.loading.failed(name, why->message);
    }
    publish_progress(self);
    load_more(self);
  };
  self->request(loader, o.rehydrate_timeout, load_atom::value, name)
    .then(
      [self, name, finish](const loaded_index& loaded) {
        auto& st = self->state;
        if (st.options.wal)
          self->send(st.options.wal, expect_atom::value, name,
                     loaded.next_sequence);
        if (loaded.index) {
          install(self, name, loaded.index);
          if (loaded.replayed > 0) // a snapshot lets the log be trimmed
            notify_changed(self, name);
        } else {
          st.next_sequence[name] = loaded.next_sequence; // dropped
          if (auto& p = st.options.persistence) // its blob, if one is left
            self->send(p, dropped_atom::value, name, loaded.next_sequence - 1);
        }
        finish(nullptr);
      },
      [self, name, finish, loader](caf::error& e) {
        auto err = from_caf(e);
        if (err.code == ec::timeout)
          err.message = "did not load within "
                        + std::to_string(
                          self->state.options.rehydrate_timeout.count())
                        + " ms";
        self->unlink_from(loader); // its exit must not take the registry
        self->send_exit(loader, caf::exit_reason::user_shutdown);
        finish(&err);
      });
}

void load_more(self_pointer self) {
  while (auto name = self->state.loading.next())
    start_load(self, *name);
}

void list_failed(self_pointer self, caf::error& e);

// Lists the index blobs, then the log records: an index may have either.
void list_store(self_pointer self) {
  auto& o = self->state.options;
  self
    ->request(o.store, o.rehydrate_timeout, list_atom::value,
              std::string{lhv1::key_prefix})
    .then(
      [self](const std::vector<std::string>& blobs) {
        auto& o = self->state.options;
        self
          ->request(o.store, o.rehydrate_timeout, list_atom::value,
                    std::string{wal::key_prefix})
          .then(
            [self, blobs](const std::vector<std::string>& records) {
              auto& st = self->state;
              st.loading.listed(blobs, records);
              spdlog::info("registry: {} index blobs and {} log records in "
                           "the store: {} indexes to load, up to {} at a time",
                           blobs.size(), records.size(),
                           st.loading.progress().total,
                           st.options.rehydrate_parallelism);
              publish_progress(self);
              load_more(self);
            },
            [self](caf::error& e) { list_failed(self, e); });
      },
      [self](caf::error& e) { list_failed(self, e); });
}

void list_failed(self_pointer self, caf::error& e) {
  auto& st = self->state;
  auto why = from_caf(e).message;
  auto wait = retry_backoff(++st.list_failures);
  spdlog::warn("registry: cannot list the indexes in the store ({}); "
               "retry in {} ms",
               why, wait.count());
  st.loading.list_failed(why);
  publish_progress(self);
  self->delayed_send(self, wait, retry_atom::value);
}

// Loads `name` again from the store (the durable state): its log write
// failed, or its actor died. It is "loading" meanwhile, as at start.
void reload(self_pointer self, const std::string& name) {
  auto& st = self->state;
  uninstall(self, name);
  st.reloading.emplace(name, 0);
  st.loading.reload(name);
  publish_progress(self);
  load_more(self);
}

// The actor of a live index, by address.
const std::string* name_of(self_pointer self, const caf::actor_addr& who) {
  for (auto& [name, actor] : self->state.actors)
    if (actor.address() == who)
      return &name;
  return nullptr;
}

// Index actors are monitored: one that ends while its index is live died
// (an exception CAF caught, a kill). Its index is loaded again from the
// store, or (ephemeral) gets a new actor over the same in-memory index.
void on_down(self_pointer self, caf::down_msg& msg) {
  auto* name = name_of(self, msg.source);
  if (name == nullptr)
    return;          // dropped or replaced on purpose
  auto dead = *name; // reload erases the entry
  auto& st = self->state;
  if (!st.options.store) {
    spdlog::error("registry: the actor of index '{}' died ({}); it is "
                  "restarted",
                  dead, to_string(msg.reason));
    auto idx = st.options.table->find(dead);
    uninstall(self, dead);
    return install(self, dead, std::move(idx));
  }
  spdlog::error("registry: the actor of index '{}' died ({}); loading the "
                "index again from the store",
                dead, to_string(msg.reason));
  reload(self, dead);
}

// Index actors and loaders are linked, so that they end with the
// registry; their own ends are on_down's (index actors) or a request's
// error (loaders). Only an exit sent to the registry (a stop: CAF names
// the receiver as its source) ends it.
void on_exit(self_pointer self, caf::exit_msg& msg) {
  if (msg.reason && (!msg.source || msg.source == self->address()))
    self->quit(msg.reason);
}

} // namespace

registry_actor::behavior_type
registry(registry_actor::stateful_pointer<registry_state> self,
         registry_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  bool persistent = static_cast<bool>(st.options.store);
  if (!st.options.status)
    st.options.status = std::make_shared<index_status>(persistent);
  st.loading = rehydration{st.options.rehydrate_parallelism};
  if (persistent) {
    st.started = std::chrono::steady_clock::now();
    list_store(self);
    self->delayed_send(self, progress_interval, progress_atom::value);
  } else {
    st.loading.listed({}); // ephemeral: nothing to load
  }
  // Index actors are linked to it: when the registry goes, they go. They
  // are monitored too: when one of them dies, its index is loaded again.
  self->set_exit_handler([self](caf::exit_msg& msg) { on_exit(self, msg); });
  self->set_down_handler([self](caf::down_msg& msg) { on_down(self, msg); });
  return {
    [self](create_atom, const index_params& params) -> caf::result<index_info> {
      auto& st = self->state;
      if (auto ok = validate_params(params); !ok)
        return to_caf(ok.error());
      // Still loading, or saved but failed to load: not a free name.
      if (auto why = st.loading.progress().blocks(params.name))
        return to_caf(*why);
      if (st.actors.contains(params.name))
        return to_caf(make_error(ec::already_exists,
                                 "index '" + params.name + "' already exists"));
      if (st.dropping.contains(params.name))
        return to_caf(
          make_error(ec::unavailable, "index '" + params.name
                                        + "' is being dropped; try again"));
      auto name = params.name;
      auto sequence = st.sequence_for_new(name);
      auto idx = std::make_shared<vector_index>(params);
      idx->begin_record(sequence);
      idx->end_record(sequence);
      // Installed at once, so that a second create finds the name taken;
      // answered once its record is durable.
      install(self, name, idx);
      auto promise = self->make_response_promise<index_info>();
      log_record(
        self, name, sequence, wal::encode_create(sequence, params),
        [self, idx, name, sequence, promise]() mutable {
          idx->set_durable(sequence);
          notify_changed(self, name);
          auto& p = idx->params();
          spdlog::info("registry: created index '{}' (dimension {}, {}, m {}, "
                       "ef_construction {}, ef_search {})",
                       name, p.dimension, to_string(p.space), p.m,
                       p.ef_construction, p.ef_search);
          promise.deliver(idx->info());
        },
        [self, idx, name, promise](const error& why) mutable {
          // Not created: gone again (its actor fails whatever it logged).
          auto& st = self->state;
          if (st.actors.contains(name) && st.options.table->find(name) == idx)
            self->send_exit(uninstall(self, name),
                            caf::exit_reason::user_shutdown);
          spdlog::error("registry: index '{}' not created: {}", name,
                        why.message);
          promise.deliver(to_caf(why));
        });
      return promise;
    },
    [self](delete_atom, const std::string& name) -> caf::result<ok_atom> {
      auto& st = self->state;
      auto it = st.actors.find(name);
      if (it == st.actors.end()) {
        auto why = st.loading.progress().blocks(name);
        if (!why)
          return to_caf(
            make_error(ec::not_found, "no index named '" + name + "'"));
        if (why->code != ec::unavailable)
          return to_caf(*why); // still loading
        // A blob that failed to load: the user discards it. Its drop is
        // logged after the newest record listed.
        auto sequence = st.sequence_for_new(name);
        st.dropping.insert(name);
        auto promise = self->make_response_promise<ok_atom>();
        log_record(
          self, name, sequence, wal::encode_drop(sequence),
          [self, name, sequence, promise]() mutable {
            auto& st = self->state;
            st.dropping.erase(name);
            st.loading.forget(name);
            st.reloading.erase(name);
            publish_progress(self);
            dropped(self, name, sequence);
            spdlog::info("registry: dropped index '{}', which had failed to "
                         "load; its blob and log are deleted",
                         name);
            promise.deliver(ok_atom::value);
          },
          [self, name, promise](const error& why) mutable {
            self->state.dropping.erase(name);
            promise.deliver(to_caf(why));
          });
        return promise;
      }
      // Out of the name space at once: later requests find no index. The
      // actor logs the drop after every change it took before it.
      auto idx = st.options.table->find(name);
      auto actor = uninstall(self, name);
      if (!st.options.wal) { // ephemeral: nothing to log
        self->send_exit(actor, caf::exit_reason::user_shutdown);
        dropped(self, name, 0);
        spdlog::info("registry: dropped index '{}'", name);
        return ok_atom::value;
      }
      st.dropping.insert(name);
      auto promise = self->make_response_promise<ok_atom>();
      self->request(actor, caf::infinite, drop_atom::value)
        .then(
          [self, name, actor, promise](uint64_t sequence) mutable {
            self->state.dropping.erase(name);
            // An add still queued there gets an error reply: it is gone.
            self->send_exit(actor, caf::exit_reason::user_shutdown);
            dropped(self, name, sequence);
            spdlog::info("registry: dropped index '{}'", name);
            promise.deliver(ok_atom::value);
          },
          [self, name, actor, idx, promise](caf::error& e) mutable {
            // Not dropped: the index is back, unchanged.
            auto& st = self->state;
            st.dropping.erase(name);
            st.actors.emplace(name, actor);
            self->link_to(actor);
            st.publish_with(name, idx);
            spdlog::error("registry: index '{}' not dropped: {}", name,
                          from_caf(e).message);
            promise.deliver(std::move(e));
          });
      return promise;
    },
    [self](add_atom, const std::string& name,
           const batch_message& batch) -> caf::result<add_result> {
      auto actor = self->state.actor_of(name);
      if (!actor)
        return to_caf(actor.error());
      return self->delegate(*actor, add_atom::value, batch);
    },
    [self](delete_atom, const std::string& name,
           const delete_message& msg) -> caf::result<delete_result> {
      auto actor = self->state.actor_of(name);
      if (!actor)
        return to_caf(actor.error());
      return self->delegate(*actor, delete_atom::value, msg);
    },
    [self](retry_atom) {
      if (!self->state.loading.progress().listed)
        list_store(self);
    },
    [self](load_atom, const std::string& name) {
      // An index actor's log write failed (or a reload is retried): load
      // the index again from the store, as at start.
      auto& st = self->state;
      if (st.actors.contains(name)) {
        auto current = st.options.table->find(name);
        if (current && current->diverged())
          reload(self, name); // its actor quits once its records are answered
      } else if (st.reloading.contains(name)) {
        st.loading.retry(name); // the backoff after a failed reload ended
        load_more(self);
      }
    },
    [self](progress_atom) {
      auto& st = self->state;
      auto& p = st.loading.progress();
      if (p.done())
        return;
      spdlog::info("registry: rehydrating: {}/{} indexes loaded after {:.0f} s",
                   p.loaded, p.total, seconds_since(st.started));
      self->delayed_send(self, progress_interval, progress_atom::value);
    },
  };
}

} // namespace lh
