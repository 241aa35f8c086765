// The object store on RocksDB: put/get/delete/list of keys -> bytes, values
// of any size up to a limit, stored as chunks written atomically so a
// reader sees the old object or the new one, never a mix: in one
// WriteBatch, or for large values in one SST file that RocksDB ingests
// (no WAL and memtable copies: as fast as writing a file). Blocking:
// callers run it off CAF's shared scheduler (actors/store_actor.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/error.hpp"

namespace rocksdb {
class Env;
class Status;
} // namespace rocksdb

namespace lh {

/// The error code of a failed RocksDB status: a full disk, an I/O error
/// and a busy store each keep their own code (and HTTP status), the rest
/// is ec::storage_failure.
ec error_code_of(const rocksdb::Status& s);

struct rocks_store_options {
  std::string path;
  uint64_t max_value_bytes = uint64_t{4} << 30;
  size_t chunk_bytes = size_t{1} << 20; // values above this are chunked
  // Values of at least this size (and chunked) are written as an ingested
  // SST file instead of a WriteBatch.
  uint64_t ingest_bytes = uint64_t{4} << 20;
  bool sync = true; // fsync the WAL on every write (SST files always are)
  // A put is refused with ec::no_space unless the file system keeps this
  // much free beyond twice the value (its WAL record, then its SST). Debian's
  // RocksDB 7.8 asserts (aborts the process) when a synced write follows an
  // ENOSPC, so the store must not let RocksDB run out of space.
  uint64_t min_free_bytes = uint64_t{64} << 20;
  // Where RocksDB does its file I/O; null: the default. Tests pass a
  // file system that fails or loses unsynced writes (power_loss_test).
  rocksdb::Env* env = nullptr;
};

class rocks_store {
public:
  static expected<std::unique_ptr<rocks_store>>
  open(const rocks_store_options& options);

  ~rocks_store();

  /// Stores `value` under `key`, replacing any old value atomically. Takes
  /// the value by value: a small one is freed once copied into the write
  /// batch; a large one is streamed into an SST file, never copied whole.
  expected<void> put(std::string_view key, std::string value);

  /// Whether writes have room: ec::no_space when less than twice
  /// min_free_bytes is free (puts are refused below min_free_bytes plus
  /// twice the value), ec::io_error when RocksDB has stopped writes after
  /// a background error. For /ready.
  expected<void> check_writable() const;

  /// The value of `key`; ec::not_found when missing.
  expected<std::string> get(std::string_view key);

  /// Deletes `key`; ec::not_found when missing.
  expected<void> remove(std::string_view key);

  /// Keys starting with `prefix`, in byte order.
  expected<std::vector<std::string>> list(std::string_view prefix);

  /// Writes of one key ordered by the writer's generation (say, the last
  /// log sequence an index blob holds): refused with ec::stale_write when
  /// the key's stored generation is higher, so a late write never replaces
  /// a newer one or undoes a delete. The generation is kept after a delete;
  /// a plain remove() clears it.
  expected<void> put_if_newer(std::string_view key, std::string value,
                              uint64_t generation);
  expected<void> remove_if_newer(std::string_view key, uint64_t generation);

  /// Stores several objects (key, value) in ONE synced write: all or none
  /// land (the write-ahead log's group commit). Views: the caller keeps
  /// the bytes, which are copied once, into the write batch;
  /// `on_copied` (if any) runs once they are, before the write, so the
  /// caller can free the values (the keys must stay): a large record is
  /// not held twice while RocksDB adds its memtable copy.
  using object_ref = std::pair<std::string_view, std::string_view>;
  expected<void> put_all(std::span<const object_ref> objects,
                         const std::function<void()>& on_copied = {});

  /// Deletes every object whose key is in [from, to), in one write. When
  /// that leaves a large memtable (mostly the records just deleted), it is
  /// flushed in the background, which frees its memory.
  expected<void> remove_range(std::string_view from, std::string_view to);

  /// Bytes RocksDB's memtables hold now (active, and immutable ones not
  /// yet flushed).
  size_t memtable_bytes() const;

  struct impl;

private:
  explicit rocks_store(std::unique_ptr<impl> d);
  std::unique_ptr<impl> impl_;
};

} // namespace lh
