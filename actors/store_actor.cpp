#include "actors/store_actor.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"

namespace lh {

namespace {

// Storage failures are logged here, once; client errors are not.
caf::error failed(const error& err) {
  if (err.code != ec::invalid_argument && err.code != ec::not_found
      && err.code != ec::payload_too_large)
    spdlog::error("store: {}", err.message);
  return to_caf(err);
}

} // namespace

store_actor::behavior_type
rocks_store_actor(store_actor::stateful_pointer<rocks_store_state> self,
                  std::shared_ptr<rocks_store> store) {
  self->state.store = std::move(store);
  return {
    [self](put_atom, const std::string& key,
           const bytes_message& value) -> caf::result<ok_atom> {
      auto ok = self->state.store->put(key, value.take());
      if (!ok)
        return failed(ok.error());
      return ok_atom::value;
    },
    [self](get_atom, const std::string& key) -> caf::result<bytes_message> {
      auto value = self->state.store->get(key);
      if (!value)
        return failed(value.error());
      return bytes_message::wrap(std::move(*value));
    },
    [self](delete_atom, const std::string& key) -> caf::result<ok_atom> {
      auto ok = self->state.store->remove(key);
      if (!ok)
        return failed(ok.error());
      return ok_atom::value;
    },
    [self](list_atom,
           const std::string& prefix) -> caf::result<std::vector<std::string>> {
      auto keys = self->state.store->list(prefix);
      if (!keys)
        return failed(keys.error());
      return std::move(*keys);
    },
  };
}

} // namespace lh

namespace lh {

store_actor::behavior_type
store_pool_actor(store_actor::stateful_pointer<store_pool_state> self,
                 std::vector<store_actor> workers) {
  self->state.workers = std::move(workers);
  // Workers die with the pool, so one exit message stops them all.
  for (auto& w : self->state.workers)
    self->link_to(w);
  auto pick = [self]() -> store_actor& {
    auto& s = self->state;
    return s.workers[s.next++ % s.workers.size()];
  };
  return {
    [=](put_atom, const std::string& key, const bytes_message& value) {
      return self->delegate(pick(), put_atom::value, key, value);
    },
    [=](get_atom, const std::string& key) {
      return self->delegate(pick(), get_atom::value, key);
    },
    [=](delete_atom, const std::string& key) {
      return self->delegate(pick(), delete_atom::value, key);
    },
    [=](list_atom, const std::string& prefix) {
      return self->delegate(pick(), list_atom::value, prefix);
    },
  };
}

store_actor spawn_rocks_store(caf::actor_system& sys,
                              std::shared_ptr<rocks_store> store,
                              size_t workers) {
  std::vector<store_actor> handles;
  for (size_t i = 0; i < std::max<size_t>(1, workers); ++i)
    handles.push_back(sys.spawn<caf::detached>(rocks_store_actor, store));
  return sys.spawn(store_pool_actor, std::move(handles));
}

} // namespace lh
