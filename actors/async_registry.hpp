// The registry as seen from HTTP handlers: async calls completing through a
// callback on another thread. No CAF here. Made by make_registry_bridge.
#pragma once

#include <functional>
#include <string>

#include "config/error.hpp"
#include "index/vector_index.hpp"

namespace lh {

class async_registry {
public:
  template <class T>
  using callback = std::function<void(expected<T>)>;

  virtual ~async_registry() = default;
  /// Whether a call now would be refused as overloaded (too many waiting):
  /// the routes check it before reading a body.
  virtual bool saturated() const = 0;
  virtual void create(index_params params, callback<index_info> done) = 0;
  virtual void drop(std::string name, callback<void> done) = 0;
  virtual void add(std::string name, add_batch batch, callback<add_result> done)
    = 0;
  /// Deletes items of an index (by ids or filter), through its actor.
  virtual void
  remove(std::string name, delete_request request, callback<delete_result> done)
    = 0;
};

} // namespace lh
