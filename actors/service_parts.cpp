#include "actors/service_parts.hpp"

#include <caf/actor_system.hpp>

#include "actors/registry_actor.hpp"
#include "actors/store_actor.hpp"

namespace lh {

expected<store_actor> open_store(caf::actor_system& sys,
                                 const storaged_settings& s) {
  auto store = rocks_store::open(
    {.path = s.data_dir, .max_value_bytes = s.max_value_bytes});
  if (!store)
    return store.error();
  return spawn_rocks_store(sys, std::shared_ptr<rocks_store>{std::move(*store)},
                           default_store_writers);
}

registry_actor spawn_registry(caf::actor_system& sys,
                              std::shared_ptr<index_table> table) {
  return sys.spawn(registry,
                   registry_options{std::move(table),
                                    std::make_shared<worker_pool>(0), true});
}

std::string config_origin(const settings& s) {
  return "config: "
         + (s.config_path.empty() ? std::string{"built-in defaults"}
                                  : s.config_path);
}

} // namespace lh
