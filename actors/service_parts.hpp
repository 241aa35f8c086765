// The actor parts each binary is made of, started the same way wherever
// they appear: storaged and lakehouse open a store, vectord and lakehouse
// run a registry. Used by the *_main.cpp files.
#pragma once

#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "config/settings.hpp"
#include "storage/index_table.hpp"

namespace lh {

/// Opens RocksDB under `s.data_dir` and spawns its writer pool.
expected<store_actor> open_store(caf::actor_system& sys,
                                 const storaged_settings& s);

/// Spawns the registry (detached index actors, a worker pool with a thread
/// per core for parallel inserts) publishing into `table`.
registry_actor spawn_registry(caf::actor_system& sys,
                              std::shared_ptr<index_table> table);

/// "config: FILE" or "config: built-in defaults", for start-up lines.
std::string config_origin(const settings& s);

} // namespace lh
