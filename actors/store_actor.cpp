#include "actors/store_actor.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"

namespace lh {

namespace {

// Storage failures are logged here, once; client errors (and a stale
// write, which a newer one made moot) are not.
caf::error failed(const error& err) {
  if (err.code != ec::invalid_argument && err.code != ec::not_found
      && err.code != ec::payload_too_large && err.code != ec::stale_write)
    spdlog::error("store: {}", err.message);
  return to_caf(err);
}

caf::result<ok_atom> answer(const expected<void>& ok) {
  if (!ok)
    return failed(ok.error());
  return ok_atom::value;
}

// A store call that throws (a bad_alloc for a huge value, say) answers
// ec::internal; the worker goes on, and so does the pool it is linked to.
template <class T, class Call>
caf::result<T> guarded(Call call) {
  try {
    return call();
  } catch (const std::exception& e) {
    return failed(make_error(ec::internal,
                             std::string{"store call threw: "} + e.what()));
  }
}

} // namespace

store_actor::behavior_type
rocks_store_actor(store_actor::stateful_pointer<rocks_store_state> self,
                  std::shared_ptr<rocks_store> store) {
  self->state.store = std::move(store);
  using ok_result = caf::result<ok_atom>;
  return {
    [self](put_atom, const std::string& key,
           const bytes_message& value) -> ok_result {
      return guarded<ok_atom>(
        [&] { return answer(self->state.store->put(key, value.take())); });
    },
    [self](put_atom, const std::string& key, const bytes_message& value,
           uint64_t generation) -> ok_result {
      return guarded<ok_atom>([&] {
        return answer(
          self->state.store->put_if_newer(key, value.take(), generation));
      });
    },
    [self](delete_atom, const std::string& key,
           uint64_t generation) -> ok_result {
      return guarded<ok_atom>([&] {
        return answer(self->state.store->remove_if_newer(key, generation));
      });
    },
    [self](append_atom, const group_message& group) -> ok_result {
      if (!group.objects)
        return failed(make_error(ec::internal, "empty group message"));
      return guarded<ok_atom>([&] {
        std::vector<rocks_store::object_ref> refs;
        for (auto& [key, value] : *group.objects)
          refs.emplace_back(key, value);
        return answer(self->state.store->put_all(refs));
      });
    },
    [self](trim_atom, const std::string& from,
           const std::string& to) -> ok_result {
      return guarded<ok_atom>(
        [&] { return answer(self->state.store->remove_range(from, to)); });
    },
    [self](get_atom, const std::string& key) -> caf::result<bytes_message> {
      return guarded<bytes_message>([&]() -> caf::result<bytes_message> {
        auto value = self->state.store->get(key);
        if (!value)
          return failed(value.error());
        return bytes_message::wrap(std::move(*value));
      });
    },
    [self](delete_atom, const std::string& key) -> ok_result {
      return guarded<ok_atom>(
        [&] { return answer(self->state.store->remove(key)); });
    },
    [self](list_atom,
           const std::string& prefix) -> caf::result<std::vector<std::string>> {
      using keys_result = caf::result<std::vector<std::string>>;
      return guarded<std::vector<std::string>>([&]() -> keys_result {
        auto keys = self->state.store->list(prefix);
        if (!keys)
          return failed(keys.error());
        return std::move(*keys);
      });
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
    [=](put_atom, const std::string& key, const bytes_message& value,
        uint64_t generation) {
      return self->delegate(pick(), put_atom::value, key, value, generation);
    },
    [=](delete_atom, const std::string& key, uint64_t generation) {
      return self->delegate(pick(), delete_atom::value, key, generation);
    },
    [=](append_atom, const group_message& group) {
      return self->delegate(pick(), append_atom::value, group);
    },
    [=](trim_atom, const std::string& from, const std::string& to) {
      return self->delegate(pick(), trim_atom::value, from, to);
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
