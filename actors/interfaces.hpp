// Every typed actor interface of the product, in one place, so the whole
// message protocol reads from one file and the compiler checks it.
#pragma once

#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"

namespace lh {

/// An object store: keys -> bytes. Failures are lakehouse errors (see
/// actors/caf_error.hpp); a missing key is ec::not_found. A put or delete
/// with a generation is refused (ec::stale_write) when the key holds a
/// newer one (rocks_store::put_if_newer); append writes a group of objects
/// in one synced write; trim deletes the keys in [from, to).
using store_actor = caf::typed_actor<
  caf::replies_to<put_atom, std::string, bytes_message>::with<ok_atom>,
  caf::replies_to<put_atom, std::string, bytes_message,
                  uint64_t>::with<ok_atom>,
  caf::replies_to<get_atom, std::string>::with<bytes_message>,
  caf::replies_to<delete_atom, std::string>::with<ok_atom>,
  caf::replies_to<delete_atom, std::string, uint64_t>::with<ok_atom>,
  caf::replies_to<list_atom, std::string>::with<std::vector<std::string>>,
  caf::replies_to<append_atom, group_message>::with<ok_atom>,
  caf::replies_to<trim_atom, std::string, std::string>::with<ok_atom>>;

/// The write-ahead log writer: appends each record to the store, group
/// committing concurrent ones, and answers once it is durable. expect sets
/// the sequence an index's next record must have (group_commit); flush is
/// its own "write what is queued" message.
using wal_actor = caf::typed_actor<
  caf::replies_to<append_atom, wal_entry>::with<ok_atom>,
  caf::reacts_to<expect_atom, std::string, uint64_t>,
  caf::reacts_to<flush_atom>>;

/// One index: serializes its mutations, each logged before it is
/// answered. Searches do not come here; HTTP threads search the shared
/// vector_index directly (see index_table). drop logs the index's drop
/// and answers its sequence. applied_atom is its own: the worker pool
/// finished the change being applied.
using index_actor = caf::typed_actor<
  caf::replies_to<add_atom, batch_message>::with<add_result>,
  caf::replies_to<delete_atom, delete_message>::with<delete_result>,
  caf::replies_to<drop_atom>::with<uint64_t>, caf::reacts_to<applied_atom>>;

/// The registry: owns the name space of indexes and publishes the
/// index_table. Every mutation of an index is routed through it. At start
/// it rehydrates the indexes saved in the store; retry_atom (list again
/// after a failure) and progress_atom (log progress) are its own timers;
/// (load_atom, name) comes from an index actor whose log write failed:
/// load that index again from the store.
using registry_actor = caf::typed_actor<
  caf::replies_to<create_atom, index_params>::with<index_info>,
  caf::replies_to<delete_atom, std::string>::with<ok_atom>,
  caf::replies_to<add_atom, std::string, batch_message>::with<add_result>,
  caf::replies_to<delete_atom, std::string,
                  delete_message>::with<delete_result>,
  caf::reacts_to<retry_atom>, caf::reacts_to<progress_atom>,
  caf::reacts_to<load_atom, std::string>>;

/// Loads one index blob from the store and rebuilds the index, for the
/// registry's rehydration.
using index_loader_actor = caf::typed_actor<
  caf::replies_to<load_atom, std::string>::with<loaded_index>>;

/// Saves each index as ONE LHV1 blob into a store, coalescing notices
/// (index/save_scheduler), then trims the log records the blob holds.
/// (dropped, name, sequence): the index's drop is logged at `sequence`.
/// durable_atom is its own timer: a blob waits until the log records it
/// may hold part of are durable. retry_atom is its own backoff timer; flush
/// answers once nothing is left to save (at shutdown). Failing saves are
/// published on the index_status, which /ready reads.
using persistence_actor
  = caf::typed_actor<caf::reacts_to<changed_atom, std::string>,
                     caf::reacts_to<dropped_atom, std::string, uint64_t>,
                     caf::reacts_to<retry_atom, std::string>,
                     caf::reacts_to<durable_atom, std::string>,
                     caf::replies_to<flush_atom>::with<ok_atom>>;

} // namespace lh
