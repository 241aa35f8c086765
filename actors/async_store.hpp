// The object store as seen from non-actor code (HTTP handlers): async calls
// that complete through a callback, on some other thread. No CAF here, so
// the handlers compile without actor headers. Made by make_store_bridge.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/error.hpp"
#include "storage/object_group.hpp"

namespace lh {

class async_store {
public:
  template <class T>
  using callback = std::function<void(expected<T>)>;

  virtual ~async_store() = default;
  virtual void put(std::string key, std::string value, callback<void> done) = 0;
  virtual void get(std::string key, callback<std::string> done) = 0;
  virtual void remove(std::string key, callback<void> done) = 0;
  virtual void list(std::string prefix, callback<std::vector<std::string>> done)
    = 0;
  /// The ordered forms (rocks_store::put_if_newer), a group in one write,
  /// and the deletion of the keys in [from, to).
  virtual void put_if_newer(std::string key, std::string value,
                            uint64_t generation, callback<void> done)
    = 0;
  virtual void remove_if_newer(std::string key, uint64_t generation,
                               callback<void> done)
    = 0;
  virtual void put_all(object_group objects, callback<void> done) = 0;
  virtual void remove_range(std::string from, std::string to,
                            callback<void> done)
    = 0;
};

} // namespace lh
