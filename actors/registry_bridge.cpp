#include "actors/registry_bridge.hpp"

#include "actors/bridge.hpp"

namespace lh {

namespace {

// Errors pass through, except that an index actor gone under the request
// means its index was dropped.
template <class T>
auto dropped_or(const async_registry::callback<T>& done,
                const std::string& name) {
  return [done, name](error err) {
    if (err.code == ec::unavailable)
      err = make_error(ec::not_found, "index '" + name + "' was dropped");
    done(std::move(err));
  };
}

// Every call here is a mutation, and each waits for its answer: a reply
// of "timed out" for a change that then lands in full would be a lie. A
// dead registry or index actor still ends the wait with an error.
class registry_bridge final : public async_registry {
public:
  registry_bridge(caf::actor_system& sys, registry_actor registry,
                  size_t max_waiting)
    : relay_(sys, 0, max_waiting), registry_(std::move(registry)) {}

  bool saturated() const override { return relay_.saturated(); }

  void create(index_params params, callback<index_info> done) override {
    relay_.ask(
      registry_, caf::infinite,
      [done](const index_info& info) { done(info); }, forward_error(done),
      create_atom::value, std::move(params));
  }

  void drop(std::string name, callback<void> done) override {
    relay_.ask(
      registry_, caf::infinite, [done](ok_atom) { done({}); },
      forward_error(done), delete_atom::value, std::move(name));
  }

  void add(std::string name, add_batch batch,
           callback<add_result> done) override {
    auto msg = batch_message{std::make_shared<add_batch>(std::move(batch))};
    relay_.ask(
      registry_, caf::infinite, [done](const add_result& r) { done(r); },
      dropped_or(done, name), add_atom::value, name, std::move(msg));
  }

  void remove(std::string name, delete_request request,
              callback<delete_result> done) override {
    auto msg = delete_message{
      std::make_shared<const delete_request>(std::move(request))};
    relay_.ask(
      registry_, caf::infinite,
      [done](const delete_result& r) { done(r); }, dropped_or(done, name),
      delete_atom::value, name, std::move(msg));
  }

private:
  relay relay_;
  registry_actor registry_;
};

} // namespace

std::shared_ptr<async_registry>
make_registry_bridge(caf::actor_system& sys, registry_actor registry,
                     size_t max_waiting) {
  return std::make_shared<registry_bridge>(sys, std::move(registry),
                                           max_waiting);
}

} // namespace lh
