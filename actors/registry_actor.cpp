#include "actors/registry_actor.hpp"

#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/index_actor.hpp"
#include "actors/index_loader.hpp"
#include "index/lhv1.hpp"
#include "index/retry_backoff.hpp"

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
  auto actor = o.detached
                 ? self->spawn<caf::detached + caf::linked>(index, idx, o.pool,
                                                            o.persistence)
                 : self->spawn<caf::linked>(index, idx, o.pool, o.persistence);
  st.actors.emplace(name, actor);
  st.publish_with(name, std::move(idx));
}

void notify(self_pointer self, bool dropped, const std::string& name) {
  auto& p = self->state.options.persistence;
  if (!p)
    return;
  if (dropped)
    self->send(p, dropped_atom::value, name);
  else
    self->send(p, changed_atom::value, name);
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
  auto loader = o.detached ? self->spawn<caf::detached + caf::linked>(
                  index_loader, o.store, o.rehydrate_timeout)
                           : self->spawn<caf::linked>(index_loader, o.store,
                                                      o.rehydrate_timeout);
  auto finish = [self, name](const error* why) {
    auto& st = self->state;
    if (why == nullptr) {
      st.loading.loaded(name);
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
        install(self, name, loaded.index);
        finish(nullptr);
      },
      [self, name, finish, loader](caf::error& e) {
        auto err = from_caf(e);
        if (err.code == ec::timeout)
          err.message = "did not load within "
                        + std::to_string(
                          self->state.options.rehydrate_timeout.count())
                        + " ms";
        else if (err.code == ec::not_found)
          err.message = "its blob is listed but missing from the store";
        self->unlink_from(loader); // its exit must not take the registry
        self->send_exit(loader, caf::exit_reason::user_shutdown);
        finish(&err);
      });
}

void load_more(self_pointer self) {
  while (auto name = self->state.loading.next())
    start_load(self, *name);
}

void list_store(self_pointer self) {
  auto& o = self->state.options;
  self
    ->request(o.store, o.rehydrate_timeout, list_atom::value,
              std::string{lhv1::key_prefix})
    .then(
      [self](const std::vector<std::string>& keys) {
        auto& st = self->state;
        spdlog::info("registry: {} index blobs in the store, loading up to {} "
                     "at a time",
                     keys.size(), st.options.rehydrate_parallelism);
        st.loading.listed(keys);
        publish_progress(self);
        load_more(self);
      },
      [self](caf::error& e) {
        auto& st = self->state;
        auto why = from_caf(e).message;
        auto wait = retry_backoff(++st.list_failures);
        spdlog::warn("registry: cannot list the indexes in the store ({}); "
                     "retry in {} ms",
                     why, wait.count());
        st.loading.list_failed(why);
        publish_progress(self);
        self->delayed_send(self, wait, retry_atom::value);
      });
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
  // Index actors are linked to it: when the registry goes, they go.
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
      auto idx = std::make_shared<vector_index>(params);
      install(self, params.name, idx);
      notify(self, false, params.name);
      spdlog::info("registry: created index '{}' (dimension {}, {}, m {}, "
                   "ef_construction {}, ef_search {})",
                   params.name, params.dimension, to_string(params.space),
                   params.m, params.ef_construction, params.ef_search);
      return idx->info();
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
        // A blob that failed to load: the user discards it.
        st.loading.forget(name);
        publish_progress(self);
        notify(self, true, name);
        spdlog::info("registry: dropped index '{}', which had failed to "
                     "load; its blob is deleted",
                     name);
        return ok_atom::value;
      }
      auto actor = it->second;
      st.actors.erase(it);
      st.publish_without(name);
      self->unlink_from(actor);
      // An add still queued there gets an error reply: the index is gone.
      self->send_exit(actor, caf::exit_reason::user_shutdown);
      notify(self, true, name);
      spdlog::info("registry: dropped index '{}'", name);
      return ok_atom::value;
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
