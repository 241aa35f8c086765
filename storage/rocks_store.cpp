#include "storage/rocks_store.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>

#include "storage/big_endian.hpp"
#include "storage/huge_pages.hpp"
#include "storage/key_rules.hpp"

namespace lh {

namespace {

// Layout inside RocksDB. An object `k` has a header record at "o" + k and,
// when chunked, chunk records at "c" + k + '\0' + big-endian index. Keys
// never hold NUL (key_rules), so chunk names cannot collide.
constexpr char header_tag = 'o';
constexpr char chunk_tag = 'c';
// The write generation of object `k` sits at "g" + k (put_if_newer).
constexpr char generation_tag = 'g';
constexpr char inline_format = 1;  // header byte, then the value itself
constexpr char chunked_format = 2; // header byte, u64 size, u32 chunk count
// A memtable at least this big is flushed after a range delete.
constexpr uint64_t dead_memtable_flush_bytes = 4 << 20;

std::string tagged_key(char tag, std::string_view key) {
  std::string out;
  out.reserve(key.size() + 1);
  out += tag;
  out += key;
  return out;
}

std::string header_key(std::string_view key) {
  return tagged_key(header_tag, key);
}

std::string generation_key(std::string_view key) {
  return tagged_key(generation_tag, key);
}

std::string chunk_key(std::string_view key, uint32_t index) {
  std::string out;
  out.reserve(key.size() + 6);
  out += chunk_tag;
  out += key;
  out += '\0';
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((index >> shift) & 0xff);
  return out;
}

struct header {
  char format = inline_format;
  uint64_t size = 0;
  uint32_t chunks = 0;
};

expected<header> parse_header(std::string_view key, std::string_view bytes) {
  if (bytes.empty())
    return make_error(ec::corrupt_data,
                      "empty header record for key '" + std::string{key} + "'");
  header h;
  h.format = bytes[0];
  if (h.format == inline_format) {
    h.size = bytes.size() - 1;
    return h;
  }
  if (h.format != chunked_format || bytes.size() != 13)
    return make_error(ec::corrupt_data,
                      "bad header record for key '" + std::string{key} + "'");
  h.size = read_be(bytes.data() + 1, 8);
  h.chunks = static_cast<uint32_t>(read_be(bytes.data() + 9, 4));
  return h;
}

// Writes the records of a chunked object in key order, as an SST file
// wants (a write batch takes any order): its chunks, the deletion of old
// chunks past the new count (orphans otherwise), then its header. Writer
// is a rocksdb::WriteBatch or a rocksdb::SstFileWriter.
template <class Writer>
rocksdb::Status write_chunked(Writer& w, std::string_view key,
                              std::string_view value, size_t chunk_bytes,
                              uint32_t old_chunks) {
  rocksdb::Status s;
  uint32_t chunks = 0;
  for (uint64_t offset = 0; s.ok() && offset < value.size();
       offset += chunk_bytes) {
    auto n = std::min<uint64_t>(chunk_bytes, value.size() - offset);
    s = w.Put(chunk_key(key, chunks++),
              rocksdb::Slice{value.data() + offset, n});
  }
  for (uint32_t i = chunks; s.ok() && i < old_chunks; ++i)
    s = w.Delete(chunk_key(key, i));
  std::string h;
  h += chunked_format;
  append_be(h, value.size(), 8);
  append_be(h, chunks, 4);
  if (s.ok())
    s = w.Put(header_key(key), h);
  return s;
}

// What a write batch of `objects` values (`value_bytes` in all, keys of
// `key_bytes`) takes: the values, and per record (each chunk of a chunked
// value, each header) its key and RocksDB's few bytes of framing.
size_t batch_bytes_for(uint64_t value_bytes, size_t key_bytes, size_t objects,
                       size_t chunk_bytes) {
  constexpr size_t per_record = 64; // framing, generated chunk/header keys
  auto records = objects * 2 + value_bytes / chunk_bytes + 1;
  return static_cast<size_t>(value_bytes) + key_bytes * 2
         + records * per_record;
}

error storage_error(std::string_view what, std::string_view key,
                    const rocksdb::Status& s) {
  return make_error(error_code_of(s), std::string{what} + " of key '"
                                        + std::string{key}
                                        + "' failed: " + s.ToString());
}

// True when `path` holds nothing but, at most, our ingest folder (which a
// store recreates at every open).
bool directory_is_empty(const std::string& path) {
  std::error_code ignored;
  for (auto& entry : std::filesystem::directory_iterator{path, ignored})
    if (entry.path().filename() != "ingest")
      return false;
  return true;
}

} // namespace

ec error_code_of(const rocksdb::Status& s) {
  // No space is an I/O error with a subcode: test it first.
  if (s.IsNoSpace())
    return ec::no_space;
  if (s.IsIOError())
    return ec::io_error;
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut())
    return ec::busy;
  if (s.IsCorruption())
    return ec::corrupt_data;
  return ec::storage_failure;
}

struct rocks_store::impl {
  // Refuses a write of `bytes` while the file system is nearly full, so
  // that RocksDB never meets ENOSPC (see rocks_store_options).
  expected<void> check_free_space(size_t bytes) const {
    struct statvfs fs {};
    if (::statvfs(options.path.c_str(), &fs) != 0)
      return {}; // cannot tell: let RocksDB report what happens
    auto free = uint64_t{fs.f_bavail} * fs.f_frsize;
    auto need = 2 * uint64_t{bytes} + options.min_free_bytes;
    if (free >= need)
      return {};
    return make_error(ec::no_space, "disk full: " + std::to_string(free)
                                      + " bytes free at '" + options.path
                                      + "', a write of " + std::to_string(bytes)
                                      + " bytes needs " + std::to_string(need));
  }
  rocks_store_options options;
  rocksdb::Options db_options;
  std::unique_ptr<rocksdb::DB> db;
  std::atomic<uint64_t> ingest_files{0};

  // SST files being written for ingestion; emptied at open (a crash can
  // leave one behind, never ingested).
  std::string ingest_dir() const { return options.path + "/ingest"; }

  // A range delete trims log records below a snapshot: most of them are
  // still in the memtable (up to write_buffer_size, 64 MiB), held until it
  // fills - ~10 MiB of a 232 MiB lakehouse after a 60k x 784 load. A
  // flush in the background writes their tombstones (a put and its delete
  // cancel within one memtable) and frees that memory.
  void release_dead_memtable() {
    uint64_t bytes = 0;
    if (db->GetIntProperty(rocksdb::DB::Properties::kCurSizeActiveMemTable,
                           &bytes)
        && bytes >= dead_memtable_flush_bytes) {
      rocksdb::FlushOptions background;
      background.wait = false;
      (void)db->Flush(background); // best effort: memory, not data
    }
  }

  // A large put as one SST file (see write_chunked), ingested atomically.
  expected<void> put_by_ingestion(std::string_view key, std::string_view value,
                                  uint32_t old_chunks) {
    auto path = ingest_dir() + "/" + std::to_string(++ingest_files) + ".sst";
    // Keep the written pages cached, as a plain file write would.
    rocksdb::SstFileWriter writer{rocksdb::EnvOptions{}, db_options, nullptr,
                                  false};
    auto s = writer.Open(path);
    if (s.ok())
      s = write_chunked(writer, key, value, options.chunk_bytes, old_chunks);
    if (s.ok())
      s = writer.Finish(); // fsyncs the file
    if (s.ok()) {
      rocksdb::IngestExternalFileOptions ingest;
      ingest.move_files = true;
      s = db->IngestExternalFile({path}, ingest);
    }
    std::error_code ignored;
    std::filesystem::remove(path, ignored); // moved in, or failed
    if (!s.ok())
      return storage_error("put", key, s);
    return {};
  }
  // A put's checks before any lock: the key's form, the value's size, room.
  expected<void> check_put(std::string_view key, size_t bytes) const {
    if (auto ok = validate_key(key); !ok)
      return ok;
    if (bytes > options.max_value_bytes)
      return make_error(ec::payload_too_large,
                        "value of " + std::to_string(bytes)
                          + " bytes is over the limit of "
                          + std::to_string(options.max_value_bytes));
    return check_free_space(bytes);
  }

  // The generation stored for `key` (0 when none); key lock held.
  expected<uint64_t> stored_generation(std::string_view key) {
    rocksdb::PinnableSlice value;
    auto s = db->Get({}, db->DefaultColumnFamily(), generation_key(key),
                     &value);
    if (s.IsNotFound())
      return uint64_t{0};
    if (!s.ok())
      return storage_error("read", key, s);
    if (value.size() != 8)
      return make_error(ec::corrupt_data, "bad generation record for key '"
                                            + std::string{key} + "'");
    return read_be(value.data(), 8);
  }

  // ec::stale_write when `key` holds a newer generation; key lock held.
  expected<void> check_generation(std::string_view key, uint64_t generation) {
    auto stored = stored_generation(key);
    if (!stored)
      return stored.error();
    if (*stored > generation)
      return make_error(ec::stale_write,
                        "key '" + std::string{key} + "' holds generation "
                          + std::to_string(*stored) + ", newer than "
                          + std::to_string(generation));
    return {};
  }

  static void put_generation(rocksdb::WriteBatch& batch, std::string_view key,
                             std::optional<uint64_t> generation) {
    if (!generation) {
      batch.Delete(generation_key(key)); // a plain write resets the order
      return;
    }
    std::string g;
    append_be(g, *generation, 8);
    batch.Put(generation_key(key), g);
  }

  // The records of one object that fits a write batch (old chunks deleted).
  expected<void> write_into(rocksdb::WriteBatch& batch, std::string_view key,
                            std::string_view value) {
    auto old = read_header(key, nullptr);
    if (!old)
      return old.error();
    uint32_t old_chunks = *old ? (*old)->chunks : 0;
    rocksdb::Status s;
    if (value.size() > options.chunk_bytes) {
      s = write_chunked(batch, key, value, options.chunk_bytes, old_chunks);
    } else {
      auto hkey = header_key(key);
      char format = inline_format;
      rocksdb::Slice parts[] = {rocksdb::Slice{&format, 1},
                                rocksdb::Slice{value}};
      rocksdb::Slice key_slice{hkey};
      s = batch.Put(rocksdb::SliceParts{&key_slice, 1},
                    rocksdb::SliceParts{parts, 2});
      // An old chunked object's chunks would be orphans.
      for (uint32_t i = 0; s.ok() && i < old_chunks; ++i)
        s = batch.Delete(chunk_key(key, i));
    }
    if (!s.ok())
      return storage_error("put", key, s);
    return {};
  }

  // A put with the key lock held. A generation is written with the value
  // (in one batch), or before an ingested one: a crash between the two
  // leaves the newer generation with the older value, which the next save
  // of that generation replaces.
  expected<void> put_locked(std::string_view key, std::string value,
                            std::optional<uint64_t> generation) {
    if (value.size() > options.chunk_bytes
        && value.size() >= options.ingest_bytes) {
      auto old = read_header(key, nullptr);
      if (!old)
        return old.error();
      rocksdb::WriteBatch gen;
      put_generation(gen, key, generation);
      auto s = db->Write(write_options(), &gen);
      if (!s.ok())
        return storage_error("put", key, s);
      return put_by_ingestion(key, value, *old ? (*old)->chunks : 0);
    }
    rocksdb::WriteBatch batch;
    put_generation(batch, key, generation);
    if (auto ok = write_into(batch, key, value); !ok)
      return ok;
    // The batch holds its own copy now: free the caller's before writing.
    std::string{}.swap(value);
    auto s = db->Write(write_options(), &batch);
    if (!s.ok())
      return storage_error("put", key, s);
    return {};
  }

  // A delete with the key lock held; the generation stays behind it.
  expected<void> remove_locked(std::string_view key,
                               std::optional<uint64_t> generation) {
    auto old = read_header(key, nullptr);
    if (!old)
      return old.error();
    rocksdb::WriteBatch batch;
    put_generation(batch, key, generation);
    if (*old) {
      batch.Delete(header_key(key));
      for (uint32_t i = 0; i < (*old)->chunks; ++i)
        batch.Delete(chunk_key(key, i));
    } else if (!generation) {
      return make_error(ec::not_found,
                        "no object with key '" + std::string{key} + "'");
    }
    auto s = db->Write(write_options(), &batch);
    if (!s.ok())
      return storage_error("delete", key, s);
    if (!*old)
      return make_error(ec::not_found,
                        "no object with key '" + std::string{key} + "'");
    return {};
  }

  // Writers of one key are serialized so that replacing a chunked object
  // deletes exactly the chunks the old header names.
  std::array<std::mutex, 64> key_locks;

  size_t lock_index(std::string_view key) const {
    return std::hash<std::string_view>{}(key) % key_locks.size();
  }
  std::mutex& lock_for(std::string_view key) {
    return key_locks[lock_index(key)];
  }

  rocksdb::WriteOptions write_options() const {
    rocksdb::WriteOptions w;
    w.sync = options.sync;
    return w;
  }

  // The header of `key`, or nullopt when the key is missing.
  expected<std::optional<header>> read_header(std::string_view key,
                                              const rocksdb::Snapshot* snap) {
    rocksdb::ReadOptions r;
    r.snapshot = snap;
    rocksdb::PinnableSlice value;
    auto s = db->Get(r, db->DefaultColumnFamily(), header_key(key), &value);
    if (s.IsNotFound())
      return std::optional<header>{};
    if (!s.ok())
      return storage_error("read", key, s);
    auto h = parse_header(key, value.ToStringView());
    if (!h)
      return h.error();
    return std::optional<header>{*h};
  }
};

rocks_store::rocks_store(std::unique_ptr<impl> d) : impl_(std::move(d)) {
}

rocks_store::~rocks_store() = default;

expected<std::unique_ptr<rocks_store>>
rocks_store::open(const rocks_store_options& options) {
  std::error_code fs_error;
  std::filesystem::create_directories(options.path, fs_error);
  if (fs_error)
    return make_error(ec::storage_failure, "cannot create data directory '"
                                             + options.path
                                             + "': " + fs_error.message());
  // A new store only in a directory that holds nothing yet. Over files
  // that lack a database (CURRENT lost, say), RocksDB would create an empty
  // one, start ready with no data, and delete the orphaned SST files as
  // obsolete on the next open.
  bool fresh = directory_is_empty(options.path);
  rocksdb::Options db_options;
  db_options.create_if_missing = fresh;
  db_options.paranoid_checks = true;
  if (options.env != nullptr)
    db_options.env = options.env;
  db_options.IncreaseParallelism(2);
  // Vector blobs are floats: compression costs CPU and saves little.
  db_options.compression = rocksdb::kNoCompression;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db_options, options.path, &raw);
  if (!s.ok())
    return make_error(fresh ? error_code_of(s) : ec::corrupt_data,
                      "cannot open RocksDB at '" + options.path
                        + "': " + s.ToString()
                        + (fresh ? ""
                                 : " (the directory holds files, so no new "
                                   "empty store is made over them: restore "
                                   "it, or move it away to start afresh)"));
  auto d = std::make_unique<impl>();
  d->options = options;
  d->db_options = db_options;
  d->db.reset(raw);
  // Only now, holding RocksDB's lock on the directory: files a crash left
  // half-written are never ingested, so they go.
  std::filesystem::remove_all(d->ingest_dir(), fs_error);
  std::filesystem::create_directories(d->ingest_dir(), fs_error);
  if (fs_error)
    return make_error(ec::storage_failure, "cannot create '" + d->ingest_dir()
                                             + "': " + fs_error.message());
  return std::unique_ptr<rocks_store>{new rocks_store(std::move(d))};
}

expected<void> rocks_store::check_writable() const {
  auto& d = *impl_;
  uint64_t errors = 0;
  if (d.db->GetIntProperty(rocksdb::DB::Properties::kBackgroundErrors, &errors)
      && errors > 0)
    return make_error(ec::io_error,
                      "RocksDB at '" + d.options.path + "' reported "
                        + std::to_string(errors)
                        + " background errors and may refuse writes");
  // Ready means room to spare: /ready turns 503 at twice the free space
  // below which writes are refused, before they start failing.
  return d.check_free_space(d.options.min_free_bytes / 2);
}

expected<void> rocks_store::put(std::string_view key, std::string value) {
  auto& d = *impl_;
  if (auto ok = d.check_put(key, value.size()); !ok)
    return ok;
  std::lock_guard guard{d.lock_for(key)};
  return d.put_locked(key, std::move(value), std::nullopt);
}

expected<void> rocks_store::put_if_newer(std::string_view key,
                                         std::string value,
                                         uint64_t generation) {
  auto& d = *impl_;
  if (auto ok = d.check_put(key, value.size()); !ok)
    return ok;
  std::lock_guard guard{d.lock_for(key)};
  if (auto fresh = d.check_generation(key, generation); !fresh)
    return fresh;
  return d.put_locked(key, std::move(value), generation);
}

expected<void> rocks_store::put_all(std::span<const object_ref> objects,
                                    const std::function<void()>& on_copied) {
  auto& d = *impl_;
  uint64_t total = 0;
  size_t keys_bytes = 0;
  for (auto& [key, value] : objects) {
    if (auto ok = validate_key(key); !ok)
      return ok;
    total += value.size();
    keys_bytes += key.size();
  }
  if (total > d.options.max_value_bytes)
    return make_error(ec::payload_too_large,
                      "a group of " + std::to_string(total)
                        + " bytes is over the limit of "
                        + std::to_string(d.options.max_value_bytes));
  if (auto room = d.check_free_space(total); !room)
    return room;
  // Every lock the keys hash to, in index order: two groups never wait on
  // each other in a cycle.
  std::vector<size_t> locks;
  for (auto& [key, value] : objects)
    locks.push_back(d.lock_index(key));
  std::sort(locks.begin(), locks.end());
  locks.erase(std::unique(locks.begin(), locks.end()), locks.end());
  std::vector<std::unique_lock<std::mutex>> held;
  for (auto i : locks)
    held.emplace_back(d.key_locks[i]);
  // Sized up front: a batch's buffer grows by doubling, and growing a
  // 156 MB log record's batch from 128 to 256 MB held both at once.
  rocksdb::WriteBatch batch{
    batch_bytes_for(total, keys_bytes, objects.size(), d.options.chunk_bytes)};
  for (auto& [key, value] : objects)
    if (auto ok = d.write_into(batch, key, value); !ok)
      return ok;
  if (on_copied)
    on_copied(); // the values may be freed from here on (not the keys)
  auto s = d.db->Write(d.write_options(), &batch);
  if (!s.ok())
    return storage_error("put", objects.empty() ? "" : objects[0].first, s);
  return {};
}

expected<std::string> rocks_store::get(std::string_view key) {
  auto& d = *impl_;
  // One snapshot for the header and every chunk: a concurrent put is
  // either wholly visible or not at all.
  struct snapshot_guard {
    rocksdb::DB* db;
    const rocksdb::Snapshot* snap;
    ~snapshot_guard() { db->ReleaseSnapshot(snap); }
  } guard{d.db.get(), d.db->GetSnapshot()};
  rocksdb::ReadOptions r;
  r.snapshot = guard.snap;
  rocksdb::PinnableSlice value;
  auto s = d.db->Get(r, d.db->DefaultColumnFamily(), header_key(key), &value);
  if (s.IsNotFound())
    return make_error(ec::not_found,
                      "no object with key '" + std::string{key} + "'");
  if (!s.ok())
    return storage_error("get", key, s);
  auto h = parse_header(key, value.ToStringView());
  if (!h)
    return h.error();
  if (h->format == inline_format)
    return std::string{value.ToStringView().substr(1)};
  std::string out;
  reserve_huge(out, h->size);
  for (uint32_t i = 0; i < h->chunks; ++i) {
    rocksdb::PinnableSlice chunk;
    s = d.db->Get(r, d.db->DefaultColumnFamily(), chunk_key(key, i), &chunk);
    if (!s.ok())
      return s.IsNotFound()
               ? make_error(ec::corrupt_data, "chunk " + std::to_string(i)
                                                + " of key '" + std::string{key}
                                                + "' is missing")
               : storage_error("get", key, s);
    out.append(chunk.data(), chunk.size());
  }
  if (out.size() != h->size)
    return make_error(ec::corrupt_data,
                      "key '" + std::string{key} + "' has "
                        + std::to_string(out.size()) + " bytes in chunks, "
                        + "header says " + std::to_string(h->size));
  return out;
}

expected<void> rocks_store::remove(std::string_view key) {
  auto& d = *impl_;
  std::lock_guard guard{d.lock_for(key)};
  return d.remove_locked(key, std::nullopt);
}

expected<void> rocks_store::remove_if_newer(std::string_view key,
                                            uint64_t generation) {
  auto& d = *impl_;
  if (auto ok = validate_key(key); !ok)
    return ok;
  std::lock_guard guard{d.lock_for(key)};
  if (auto fresh = d.check_generation(key, generation); !fresh)
    return fresh;
  return d.remove_locked(key, generation);
}

expected<void> rocks_store::remove_range(std::string_view from,
                                         std::string_view to) {
  auto& d = *impl_;
  if (to <= from)
    return {};
  // Objects, not raw records: each header with its chunks. The range holds
  // log records below a snapshot, which nobody writes any more, so no key
  // lock is taken.
  auto start = header_key(from);
  auto end = header_key(to);
  std::unique_ptr<rocksdb::Iterator> it{d.db->NewIterator({})};
  rocksdb::WriteBatch batch;
  for (it->Seek(start); it->Valid(); it->Next()) {
    auto k = it->key().ToStringView();
    if (k >= end || k.empty() || k[0] != header_tag)
      break;
    auto key = k.substr(1);
    auto h = parse_header(key, it->value().ToStringView());
    batch.Delete(it->key());
    for (uint32_t i = 0; h && i < h->chunks; ++i)
      batch.Delete(chunk_key(key, i));
  }
  if (!it->status().ok())
    return storage_error("delete range", from, it->status());
  if (batch.Count() == 0)
    return {};
  auto s = d.db->Write(d.write_options(), &batch);
  if (!s.ok())
    return storage_error("delete range", from, s);
  d.release_dead_memtable();
  return {};
}

size_t rocks_store::memtable_bytes() const {
  uint64_t bytes = 0;
  impl_->db->GetIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables,
                            &bytes);
  return static_cast<size_t>(bytes);
}

expected<std::vector<std::string>> rocks_store::list(std::string_view prefix) {
  auto& d = *impl_;
  auto start = header_key(prefix);
  std::unique_ptr<rocksdb::Iterator> it{d.db->NewIterator({})};
  std::vector<std::string> keys;
  for (it->Seek(start); it->Valid(); it->Next()) {
    auto k = it->key().ToStringView();
    if (!k.starts_with(start))
      break;
    keys.emplace_back(k.substr(1));
  }
  if (!it->status().ok())
    return storage_error("list", prefix, it->status());
  return keys;
}

} // namespace lh
