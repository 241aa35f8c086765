// A RocksDB FileSystem for power-loss tests (in the style of RocksDB's
// own fault-injection file system): it remembers how much of each file was
// synced; at the "cut" every later write fails, and lose_unsynced() then
// cuts each file back to its synced length, as a machine losing power
// would leave it. Pass it as rocks_store_options.env through
// rocksdb::NewCompositeEnv.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

namespace lh::test {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

// What the file system knows of every file written through it.
struct disk_state {
  std::mutex m;
  std::map<std::string, uint64_t> written, synced;
  bool cut = false; // the power is gone: nothing more is written

  IOStatus append(const std::string& name, size_t n) {
    std::lock_guard g{m};
    if (cut)
      return IOStatus::IOError("power cut");
    written[name] += n;
    return IOStatus::OK();
  }
  IOStatus sync(const std::string& name) {
    std::lock_guard g{m};
    if (cut)
      return IOStatus::IOError("power cut");
    synced[name] = written[name];
    return IOStatus::OK();
  }
  // After the cut: what the disk holds is what was synced.
  void lose_unsynced() {
    std::lock_guard g{m};
    for (auto& [name, size] : written) {
      std::error_code ec;
      if (std::filesystem::exists(name, ec))
        std::filesystem::resize_file(name, synced[name], ec);
    }
  }
};

class tracked_file : public rocksdb::FSWritableFileOwnerWrapper {
public:
  tracked_file(std::unique_ptr<rocksdb::FSWritableFile> f, std::string name,
               std::shared_ptr<disk_state> disk)
    : FSWritableFileOwnerWrapper(std::move(f)), name_(std::move(name)),
      disk_(std::move(disk)) {}

  IOStatus Append(const Slice& data, const IOOptions& o,
                  IODebugContext* dbg) override {
    if (auto s = disk_->append(name_, data.size()); !s.ok())
      return s;
    return target()->Append(data, o, dbg);
  }
  IOStatus Append(const Slice& data, const IOOptions& o,
                  const rocksdb::DataVerificationInfo& v,
                  IODebugContext* dbg) override {
    if (auto s = disk_->append(name_, data.size()); !s.ok())
      return s;
    return target()->Append(data, o, v, dbg);
  }
  IOStatus PositionedAppend(const Slice&, uint64_t, const IOOptions&,
                            IODebugContext*) override {
    return IOStatus::NotSupported("positioned appends are not tracked");
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* dbg) override {
    if (auto s = target()->Sync(o, dbg); !s.ok())
      return s;
    return disk_->sync(name_);
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    if (auto s = target()->Fsync(o, dbg); !s.ok())
      return s;
    return disk_->sync(name_);
  }

private:
  std::string name_;
  std::shared_ptr<disk_state> disk_;
};

class power_loss_fs : public rocksdb::FileSystemWrapper {
public:
  explicit power_loss_fs(std::shared_ptr<disk_state> disk)
    : FileSystemWrapper(rocksdb::FileSystem::Default()),
      disk_(std::move(disk)) {}
  const char* Name() const override { return "power_loss_fs"; }

  IOStatus NewWritableFile(const std::string& name,
                           const rocksdb::FileOptions& o,
                           std::unique_ptr<rocksdb::FSWritableFile>* out,
                           IODebugContext* dbg) override {
    {
      std::lock_guard g{disk_->m};
      if (disk_->cut)
        return IOStatus::IOError("power cut");
      disk_->written[name] = 0;
      disk_->synced[name] = 0;
    }
    std::unique_ptr<rocksdb::FSWritableFile> file;
    auto s = target()->NewWritableFile(name, o, &file, dbg);
    if (s.ok())
      *out = std::make_unique<tracked_file>(std::move(file), name, disk_);
    return s;
  }
  IOStatus RenameFile(const std::string& from, const std::string& to,
                      const IOOptions& o, IODebugContext* dbg) override {
    auto s = target()->RenameFile(from, to, o, dbg);
    std::lock_guard g{disk_->m};
    if (s.ok() && disk_->written.contains(from)) {
      disk_->written[to] = disk_->written[from];
      disk_->synced[to] = disk_->synced[from];
      disk_->written.erase(from);
      disk_->synced.erase(from);
    }
    return s;
  }
  IOStatus DeleteFile(const std::string& name, const IOOptions& o,
                      IODebugContext* dbg) override {
    {
      std::lock_guard g{disk_->m};
      disk_->written.erase(name);
      disk_->synced.erase(name);
    }
    return target()->DeleteFile(name, o, dbg);
  }

private:
  std::shared_ptr<disk_state> disk_;
};

} // namespace lh::test
