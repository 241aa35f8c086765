// A full disk, for real: rocks_store on a 4 MiB tmpfs. Writes past the
// space fail with ec::no_space (507 over HTTP), reads keep working, and
// nothing written before is lost. Needs root to mount; skipped elsewhere.
// The RocksDB status mapping itself is checked without a disk.
#include "storage/rocks_store.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sys/mount.h>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <rocksdb/status.h>

#include "http/storage_routes.hpp"

TEST(rocks_status, keeps_no_space_io_errors_and_busy_apart) {
  EXPECT_EQ(lh::error_code_of(rocksdb::Status::NoSpace("full")),
            lh::ec::no_space);
  EXPECT_EQ(lh::error_code_of(rocksdb::Status::IOError("eio")),
            lh::ec::io_error);
  EXPECT_EQ(lh::error_code_of(rocksdb::Status::Busy()), lh::ec::busy);
  EXPECT_EQ(lh::error_code_of(rocksdb::Status::TryAgain()), lh::ec::busy);
  EXPECT_EQ(lh::error_code_of(rocksdb::Status::Corruption()),
            lh::ec::corrupt_data);
  EXPECT_EQ(lh::error_code_of(rocksdb::Status::NotSupported()),
            lh::ec::storage_failure);
}

namespace {

class small_disk : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path()
           / ("lh-full-disk-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=4m") != 0)
      GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_)
      ::umount(dir_.c_str());
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  bool mounted_ = false;
};

} // namespace

TEST_F(small_disk, writes_fail_as_no_space_reads_work_and_writes_resume) {
  // Another tenant of the disk: 2 MiB of it.
  auto junk = dir_ / "junk";
  {
    std::ofstream out{junk, std::ios::binary};
    std::string mib(1 << 20, 'j');
    out << mib << mib;
    ASSERT_TRUE(out.good());
  }
  auto opened = lh::rocks_store::open({.path = (dir_ / "db").string(),
                                       .chunk_bytes = 64 << 10,
                                       .sync = true,
                                       .min_free_bytes = 1 << 20});
  ASSERT_TRUE(opened) << opened.error().message;
  auto& store = **opened;
  ASSERT_TRUE(store.put("kept", std::string(1000, 'k')));
  std::string value(256 << 10, 'v');
  std::optional<lh::error> failure;
  int written = 0;
  for (; written < 64 && !failure; ++written) // 16 MiB at most: bounded
    if (auto ok = store.put("fill/" + std::to_string(written), value); !ok)
      failure = ok.error();
  ASSERT_TRUE(failure) << "a 4 MiB disk took 16 MiB";
  EXPECT_EQ(failure->code, lh::ec::no_space) << failure->message;
  EXPECT_NE(failure->message.find("disk full"), std::string::npos);
  // /ready says so while it lasts.
  auto full = lh::http::storage_readiness(store);
  EXPECT_FALSE(full.ready);
  EXPECT_NE(boost::json::serialize(full.detail).find("disk full"),
            std::string::npos);
  // Reads work; what was written before is intact.
  auto kept = store.get("kept");
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(*kept, std::string(1000, 'k'));
  for (int i = 0; i + 1 < written; ++i)
    EXPECT_EQ(store.get("fill/" + std::to_string(i)).value(), value);
  // Space freed: writes resume.
  std::filesystem::remove(junk);
  auto again = store.put("after", value);
  EXPECT_TRUE(again) << again.error().message;
  EXPECT_EQ(store.get("after").value(), value);
  EXPECT_TRUE(lh::http::storage_readiness(store).ready);
}
