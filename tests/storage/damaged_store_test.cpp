// A damaged data directory is never silently empty: with RocksDB's CURRENT
// file lost, RocksDB itself would create an empty database over the old
// files, open it ready with no data on the next try, and delete the old
// SST files as obsolete. rocks_store refuses, every time, and the files
// stay for a restore.
#include "storage/rocks_store.hpp"

#include <filesystem>

#include <gtest/gtest.h>

namespace {

size_t sst_files(const std::filesystem::path& dir) {
  size_t n = 0;
  for (auto& e : std::filesystem::directory_iterator{dir})
    n += e.path().extension() == ".sst";
  return n;
}

} // namespace

TEST(damaged_store, lost_current_file_is_refused_not_replaced_by_an_empty_db) {
  auto dir = std::filesystem::temp_directory_path()
             / ("lh-damaged-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto store = lh::rocks_store::open({.path = dir.string(), .sync = false});
    ASSERT_TRUE(store) << store.error().message;
    // 8 MiB: written as an ingested SST file.
    ASSERT_TRUE((*store)->put("big", std::string(8 << 20, 'x')));
  }
  auto before = sst_files(dir);
  ASSERT_GE(before, 1u);
  std::filesystem::remove(dir / "CURRENT");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto again = lh::rocks_store::open({.path = dir.string(), .sync = false});
    ASSERT_FALSE(again) << "attempt " << attempt << " opened an empty store";
    EXPECT_EQ(again.error().code, lh::ec::corrupt_data);
    EXPECT_NE(again.error().message.find("holds files"), std::string::npos)
      << again.error().message;
  }
  EXPECT_EQ(sst_files(dir), before); // nothing deleted
  // A fresh, empty directory still makes a new store.
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(lh::rocks_store::open({.path = dir.string(), .sync = false}));
  std::filesystem::remove_all(dir);
}
