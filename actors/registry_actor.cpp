#include "actors/registry_actor.hpp"

#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/index_actor.hpp"

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

registry_actor::behavior_type
registry(registry_actor::stateful_pointer<registry_state> self,
         registry_options options) {
  self->state.options = std::move(options);
  // Index actors are linked to it: when the registry goes, they go.
  return {
    [self](create_atom, const index_params& params) -> caf::result<index_info> {
      auto& st = self->state;
      if (auto ok = validate_params(params); !ok)
        return to_caf(ok.error());
      if (st.actors.contains(params.name))
        return to_caf(make_error(ec::already_exists, "index '" + params.name
                                                       + "' already exists"));
      auto idx = std::make_shared<vector_index>(params);
      auto actor = st.options.detached_indexes
                     ? self->spawn<caf::detached + caf::linked>(index, idx,
                                                                st.options.pool)
                     : self->spawn<caf::linked>(index, idx, st.options.pool);
      st.actors.emplace(params.name, actor);
      st.publish_with(params.name, idx);
      spdlog::info("registry: created index '{}' (dimension {}, {}, m {}, "
                   "ef_construction {}, ef_search {})",
                   params.name, params.dimension, to_string(params.space),
                   params.m, params.ef_construction, params.ef_search);
      return idx->info();
    },
    [self](delete_atom, const std::string& name) -> caf::result<ok_atom> {
      auto& st = self->state;
      auto it = st.actors.find(name);
      if (it == st.actors.end())
        return to_caf(make_error(ec::not_found,
                                 "no index named '" + name + "'"));
      auto actor = it->second;
      st.actors.erase(it);
      st.publish_without(name);
      self->unlink_from(actor);
      // An add still queued there gets an error reply: the index is gone.
      self->send_exit(actor, caf::exit_reason::user_shutdown);
      spdlog::info("registry: dropped index '{}'", name);
      return ok_atom::value;
    },
    [self](add_atom, const std::string& name,
           const batch_message& batch) -> caf::result<add_result> {
      auto& st = self->state;
      auto it = st.actors.find(name);
      if (it == st.actors.end())
        return to_caf(make_error(ec::not_found,
                                 "no index named '" + name + "'"));
      return self->delegate(it->second, add_atom::value, batch);
    },
  };
}

} // namespace lh
