#include "actors/store_bridge.hpp"

#include "actors/bridge.hpp"

namespace lh {

namespace {

class store_bridge final : public async_store {
public:
  store_bridge(caf::actor_system& sys, store_actor store,
               std::chrono::milliseconds timeout)
    : relay_(sys), store_(std::move(store)), timeout_(timeout) {}

  void put(std::string key, std::string value, callback<void> done) override {
    relay_.ask(
      store_, timeout_, [done](ok_atom) { done({}); },
      forward_error(done), put_atom::value, std::move(key),
      bytes_message::wrap(std::move(value)));
  }

  void get(std::string key, callback<std::string> done) override {
    relay_.ask(
      store_, timeout_,
      [done](const bytes_message& value) { done(value.take()); },
      forward_error(done), get_atom::value, std::move(key));
  }

  void remove(std::string key, callback<void> done) override {
    relay_.ask(
      store_, timeout_, [done](ok_atom) { done({}); },
      forward_error(done), delete_atom::value, std::move(key));
  }

  void list(std::string prefix,
            callback<std::vector<std::string>> done) override {
    relay_.ask(
      store_, timeout_,
      [done](std::vector<std::string>& keys) { done(std::move(keys)); },
      forward_error(done), list_atom::value, std::move(prefix));
  }

  void put_if_newer(std::string key, std::string value, uint64_t generation,
                    callback<void> done) override {
    relay_.ask(
      store_, timeout_, [done](ok_atom) { done({}); },
      forward_error(done), put_atom::value, std::move(key),
      bytes_message::wrap(std::move(value)), generation);
  }

  void remove_if_newer(std::string key, uint64_t generation,
                       callback<void> done) override {
    relay_.ask(
      store_, timeout_, [done](ok_atom) { done({}); },
      forward_error(done), delete_atom::value, std::move(key), generation);
  }

  void put_all(object_group objects, callback<void> done) override {
    relay_.ask(
      store_, timeout_, [done](ok_atom) { done({}); },
      forward_error(done), append_atom::value,
      group_message{std::make_shared<const object_group>(std::move(objects))});
  }

  void remove_range(std::string from, std::string to,
                    callback<void> done) override {
    relay_.ask(
      store_, timeout_, [done](ok_atom) { done({}); },
      forward_error(done), trim_atom::value, std::move(from), std::move(to));
  }

private:
  relay relay_;
  store_actor store_;
  std::chrono::milliseconds timeout_;
};

} // namespace

std::shared_ptr<async_store>
make_store_bridge(caf::actor_system& sys, store_actor store,
                  std::chrono::milliseconds timeout) {
  return std::make_shared<store_bridge>(sys, std::move(store), timeout);
}

} // namespace lh
