#include "actors/registry_bridge.hpp"

#include "actors/bridge.hpp"

namespace lh {

namespace {

class registry_bridge final : public async_registry {
public:
  registry_bridge(caf::actor_system& sys, registry_actor registry,
                  std::chrono::milliseconds timeout)
    : sys_(sys), registry_(std::move(registry)), timeout_(timeout) {}

  void create(index_params params, callback<index_info> done) override {
    ask(
      sys_, registry_, timeout_, [done](const index_info& info) { done(info); },
      forward_error(done), create_atom::value, std::move(params));
  }

  void drop(std::string name, callback<void> done) override {
    ask(
      sys_, registry_, timeout_, [done](ok_atom) { done({}); },
      forward_error(done), delete_atom::value, std::move(name));
  }

  void add(std::string name, add_batch batch,
           callback<add_result> done) override {
    auto msg = batch_message{std::make_shared<add_batch>(std::move(batch))};
    ask(
      sys_, registry_, timeout_, [done](const add_result& r) { done(r); },
      [done, name](error err) {
        // The index actor went away under the request: it was dropped.
        if (err.code == ec::unavailable)
          err = make_error(ec::not_found, "index '" + name + "' was dropped");
        done(std::move(err));
      },
      add_atom::value, name, std::move(msg));
  }

private:
  caf::actor_system& sys_;
  registry_actor registry_;
  std::chrono::milliseconds timeout_;
};

} // namespace

std::shared_ptr<async_registry>
make_registry_bridge(caf::actor_system& sys, registry_actor registry,
                     std::chrono::milliseconds timeout) {
  return std::make_shared<registry_bridge>(sys, std::move(registry), timeout);
}

} // namespace lh
