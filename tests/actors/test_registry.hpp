// The registry options of a durable service on the test scheduler (no
// detached actors), as the actor tests over a fake store start it.
#pragma once

#include <chrono>
#include <memory>

#include "actors/registry_actor.hpp"

namespace lh::test {

inline registry_options
durable_registry(std::shared_ptr<index_table> table,
                 std::shared_ptr<index_status> status, store_actor store,
                 persistence_actor saver, wal_actor wal,
                 std::chrono::milliseconds timeout) {
  registry_options o;
  o.table = std::move(table);
  o.detached = false;
  o.status = std::move(status);
  o.store = std::move(store);
  o.persistence = std::move(saver);
  o.wal = std::move(wal);
  o.rehydrate_timeout = timeout;
  return o;
}

} // namespace lh::test
