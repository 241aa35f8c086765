#include "actors/index_loader.hpp"

#include "actors/caf_error.hpp"
#include "index/lhv1.hpp"

namespace lh {

index_loader_actor::behavior_type
index_loader(index_loader_actor::pointer self, store_actor store,
             std::chrono::milliseconds timeout) {
  return {
    [=](load_atom, const std::string& name) -> caf::result<loaded_index> {
      auto promise = self->make_response_promise<loaded_index>();
      self->request(store, timeout, get_atom::value, lhv1::key_of(name))
        .then(
          [=](const bytes_message& blob) mutable {
            auto bytes = blob.take();
            auto index = lhv1::restore(name, bytes);
            if (index)
              promise.deliver(loaded_index{std::move(*index)});
            else
              promise.deliver(to_caf(index.error()));
            self->quit();
          },
          [=](caf::error& err) mutable {
            promise.deliver(std::move(err));
            self->quit();
          });
      return promise;
    },
  };
}

} // namespace lh
