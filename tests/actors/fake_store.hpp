// A store_actor for actor tests: a map in memory whose misbehaviour the
// test controls (failing puts and lists, held puts, gets that never
// answer). Runs on the deterministic scheduler.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/caf_error.hpp"
#include "actors/interfaces.hpp"

namespace lh::test {

// What the fake store holds and how it misbehaves, shared with the test.
struct fake_store_control {
  std::map<std::string, std::string> objects;
  std::map<std::string, uint64_t> generations; // put_if_newer's order
  int fail_appends = 0;                        // the next N appends fail
  // Named fault points: the Nth call of a kind ("append", "put" with a
  // generation, "trim", "delete" with a generation) fails, once; or it
  // stalls: it is never answered, as a store that stopped responding
  // (`stall_lands`: its write still lands, as a store that froze after
  // writing).
  enum class fault_mode { fail, stall };
  std::map<std::string, int> fail_nth;
  fault_mode mode = fault_mode::fail;
  bool stall_lands = false;
  std::map<std::string, int> seen;
  std::optional<fault_mode> fault(const std::string& kind) {
    auto it = fail_nth.find(kind);
    if (++seen[kind] == (it == fail_nth.end() ? -1 : it->second))
      return mode;
    return std::nullopt;
  }
  std::vector<std::string> calls;    // "put KEY", "get KEY", ... in order
  int fail_puts = 0;                 // the next N puts fail
  int fail_lists = 0;                // the next N lists fail
  std::set<std::string> silent_gets; // gets of these keys never answer
  std::vector<caf::response_promise> unanswered;
  bool hold_puts = false; // keep puts unanswered until release()
  std::vector<std::pair<caf::response_promise, std::function<void()>>> held;

  /// Calls made so far that start with `prefix` ("put _vectors/", ...).
  size_t count(std::string_view prefix) const {
    size_t n = 0;
    for (auto& c : calls)
      n += c.starts_with(prefix);
    return n;
  }

  void release() {
    for (auto& [promise, apply] : held) {
      apply();
      promise.deliver(ok_atom::value);
    }
    held.clear();
  }
};

inline constexpr const char* release_key = "test/release-held-puts";

struct fake_store_state {
  std::shared_ptr<fake_store_control> control;
};

// A put as the store takes it: logged, maybe failed, maybe held.
inline caf::result<ok_atom>
fake_put(store_actor::stateful_pointer<fake_store_state> self,
         const std::shared_ptr<fake_store_control>& control,
         const std::string& key, std::string bytes) {
  control->calls.push_back("put " + key);
  if (control->fail_puts > 0) {
    --control->fail_puts;
    return to_caf(make_error(ec::unavailable, "store is down"));
  }
  if (control->hold_puts) {
    control->held.emplace_back(self->make_response_promise(),
                               [control, key, bytes] {
                                 control->objects[key] = bytes;
                               });
    return caf::delegated<ok_atom>{};
  }
  control->objects[key] = std::move(bytes);
  return ok_atom::value;
}

// A named fault point of `kind` in a handler: the injected error, or a
// stalled call (its promise kept, never delivered; `write` runs when the
// stall lands), or nothing (go on).
template <class Self>
std::optional<caf::result<ok_atom>>
injected(Self* self, const std::shared_ptr<fake_store_control>& control,
         const std::string& kind, const std::function<void()>& write) {
  auto mode = control->fault(kind);
  if (!mode)
    return std::nullopt;
  if (*mode == fake_store_control::fault_mode::fail)
    return to_caf(make_error(ec::io_error, "injected fault: " + kind));
  if (control->stall_lands)
    write();
  control->unanswered.push_back(self->make_response_promise());
  return caf::delegated<ok_atom>{};
}

inline store_actor::behavior_type
fake_store(store_actor::stateful_pointer<fake_store_state> self,
           std::shared_ptr<fake_store_control> control) {
  self->state.control = control;
  return {
    [=](put_atom, const std::string& key,
        const bytes_message& value) -> caf::result<ok_atom> {
      // Promises are delivered from inside this actor only (CAF needs its
      // context): a put of this key is the test's "release the held puts".
      if (key == release_key) {
        control->release();
        return ok_atom::value;
      }
      control->generations.erase(key); // a plain put resets the order
      return fake_put(self, control, key, value.take());
    },
    [=](put_atom, const std::string& key, const bytes_message& value,
        uint64_t generation) -> caf::result<ok_atom> {
      if (auto f = injected(self, control, "put", [&] {
            control->generations[key] = generation;
            control->objects[key] = value.take();
          }))
        return *f;
      if (control->generations[key] > generation)
        return to_caf(make_error(ec::stale_write, key));
      control->generations[key] = generation;
      return fake_put(self, control, key, value.take());
    },
    [=](get_atom, const std::string& key) -> caf::result<bytes_message> {
      control->calls.push_back("get " + key);
      if (control->silent_gets.contains(key)) {
        // Never answered: the promise is kept and never delivered.
        control->unanswered.push_back(self->make_response_promise());
        return caf::delegated<bytes_message>{};
      }
      auto it = control->objects.find(key);
      if (it == control->objects.end())
        return to_caf(make_error(ec::not_found, key));
      return bytes_message::wrap(it->second);
    },
    [=](delete_atom, const std::string& key) -> caf::result<ok_atom> {
      control->calls.push_back("delete " + key);
      if (control->objects.erase(key) == 0)
        return to_caf(make_error(ec::not_found, key));
      return ok_atom::value;
    },
    [=](delete_atom, const std::string& key,
        uint64_t generation) -> caf::result<ok_atom> {
      control->calls.push_back("delete " + key);
      if (auto f = injected(self, control, "delete", [&] {
            control->generations[key] = generation;
            control->objects.erase(key);
          }))
        return *f;
      if (control->generations[key] > generation)
        return to_caf(make_error(ec::stale_write, key));
      control->generations[key] = generation;
      if (control->objects.erase(key) == 0)
        return to_caf(make_error(ec::not_found, key));
      return ok_atom::value;
    },
    [=](append_atom, const group_message& group) -> caf::result<ok_atom> {
      control->calls.push_back("append "
                               + std::to_string(group.objects->size()));
      auto write = [&] {
        for (auto& [key, value] : *group.objects)
          control->objects[key] = value;
      };
      if (auto f = injected(self, control, "append", write))
        return *f;
      if (control->fail_appends > 0) {
        --control->fail_appends;
        return to_caf(make_error(ec::unavailable, "store is down"));
      }
      write();
      return ok_atom::value;
    },
    [=](trim_atom, const std::string& from,
        const std::string& to) -> caf::result<ok_atom> {
      control->calls.push_back("trim " + from + " " + to);
      auto write = [&] {
        if (from < to)
          control->objects.erase(control->objects.lower_bound(from),
                                 control->objects.lower_bound(to));
      };
      if (auto f = injected(self, control, "trim", write))
        return *f;
      write();
      return ok_atom::value;
    },
    [=](list_atom,
        const std::string& prefix) -> caf::result<std::vector<std::string>> {
      control->calls.push_back("list " + prefix);
      if (control->fail_lists > 0) {
        --control->fail_lists;
        return to_caf(make_error(ec::unavailable, "store is down"));
      }
      std::vector<std::string> keys;
      for (auto& [k, v] : control->objects)
        if (k.starts_with(prefix))
          keys.push_back(k);
      return keys;
    },
  };
}

} // namespace lh::test
