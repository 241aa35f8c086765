#include "actors/index_actor.hpp"

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"

namespace lh {

index_actor::behavior_type
index(index_actor::stateful_pointer<index_state> self,
      std::shared_ptr<vector_index> idx, std::shared_ptr<worker_pool> pool,
      persistence_actor persistence) {
  self->state.index = std::move(idx);
  self->state.pool = std::move(pool);
  self->state.persistence = std::move(persistence);
  return {
    [self](add_atom, const batch_message& msg) -> caf::result<add_result> {
      if (!msg.batch)
        return to_caf(make_error(ec::internal, "empty batch message"));
      auto& st = self->state;
      auto result = st.index->add(std::move(*msg.batch), st.pool.get());
      // A refused batch changed nothing; anything else may have changed
      // the index, which is saved in the background (coalesced), never
      // delaying the reply.
      bool refused = !result && result.error().code == ec::invalid_argument;
      if (!refused && st.persistence)
        self->send(st.persistence, changed_atom::value,
                   st.index->params().name);
      if (!result) {
        if (!refused)
          spdlog::error("index '{}': add failed: {}", st.index->params().name,
                        result.error().message);
        return to_caf(result.error());
      }
      return *result;
    },
    [self](delete_atom,
           const delete_message& msg) -> caf::result<delete_result> {
      if (!msg.request)
        return to_caf(make_error(ec::internal, "empty delete message"));
      auto& st = self->state;
      auto result = st.index->remove(*msg.request);
      if (!result)
        return to_caf(result.error());
      // Saved like an add: in the background, the reply not waiting.
      if (result->deleted > 0 && st.persistence)
        self->send(st.persistence, changed_atom::value,
                   st.index->params().name);
      return *result;
    },
  };
}

} // namespace lh
