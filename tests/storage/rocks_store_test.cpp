#include "storage/rocks_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "storage/object_group.hpp"

namespace {

// Every test runs twice: large values written as a WriteBatch, and as an
// ingested SST file (the parameter: ingest every chunked value).
class rocks_store_test : public ::testing::TestWithParam<bool> {
protected:
  void SetUp() override {
    std::string test
      = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(test.begin(), test.end(), '/', '-');
    dir_ = std::filesystem::temp_directory_path()
           / ("lh-rocks-" + std::to_string(::getpid()) + "-" + test);
    std::filesystem::remove_all(dir_);
    store_ = open();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<lh::rocks_store> open(size_t chunk = 1 << 20) {
    auto s = lh::rocks_store::open({.path = dir_.string(),
                                    .max_value_bytes = uint64_t{1} << 30,
                                    .chunk_bytes = chunk,
                                    .ingest_bytes = GetParam() ? 0 : UINT64_MAX,
                                    .sync = false});
    EXPECT_TRUE(s) << s.error().message;
    return std::move(*s);
  }
  static std::string random_bytes(size_t n, unsigned seed) {
    std::string out(n, '\0');
    std::mt19937_64 rng{seed};
    for (size_t i = 0; i + 8 <= n; i += 8) {
      auto v = rng();
      std::memcpy(out.data() + i, &v, 8);
    }
    return out;
  }
  std::filesystem::path dir_;
  std::unique_ptr<lh::rocks_store> store_;
};

} // namespace

TEST_P(rocks_store_test, round_trips_small_values) {
  ASSERT_TRUE(store_->put("a", "hello"));
  EXPECT_EQ(*store_->get("a"), "hello");
  ASSERT_TRUE(store_->put("a", ""));
  EXPECT_EQ(*store_->get("a"), "");
  std::string binary{"\0\x01\xff", 3};
  ASSERT_TRUE(store_->put("b/c", binary));
  EXPECT_EQ(*store_->get("b/c"), binary);
}

TEST_P(rocks_store_test, missing_key_is_not_found) {
  auto v = store_->get("nope");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, lh::ec::not_found);
  auto d = store_->remove("nope");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, lh::ec::not_found);
}

TEST_P(rocks_store_test, delete_removes_value) {
  ASSERT_TRUE(store_->put("a", "1"));
  ASSERT_TRUE(store_->remove("a"));
  EXPECT_EQ(store_->get("a").error().code, lh::ec::not_found);
  EXPECT_TRUE(store_->list("")->empty());
}

TEST_P(rocks_store_test, chunked_64_mib_value_round_trips) {
  auto big = random_bytes(64u << 20, 7);
  ASSERT_TRUE(store_->put("big", big));
  auto back = store_->get("big");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->size(), big.size());
  EXPECT_TRUE(*back == big);
  // Survives a reopen.
  store_.reset();
  store_ = open();
  EXPECT_TRUE(*store_->get("big") == big);
}

TEST_P(rocks_store_test, replacing_a_chunked_value_leaves_no_old_chunks) {
  store_ = nullptr;
  store_ = open(1024); // small chunks so a few KiB are many chunks
  auto first = random_bytes(10 * 1024 + 5, 1);
  auto second = random_bytes(3 * 1024, 2);
  ASSERT_TRUE(store_->put("k", first));
  ASSERT_TRUE(store_->put("k", second));
  EXPECT_TRUE(*store_->get("k") == second);
  ASSERT_TRUE(store_->put("k", "tiny"));
  EXPECT_EQ(*store_->get("k"), "tiny");
  ASSERT_TRUE(store_->put("k", first));
  EXPECT_TRUE(*store_->get("k") == first);
  ASSERT_TRUE(store_->remove("k"));
  EXPECT_EQ(store_->list("")->size(), 0u);
}

TEST_P(rocks_store_test, readers_see_old_or_new_never_a_mix) {
  store_ = nullptr;
  store_ = open(4096);
  auto a = std::string(64 * 1024, 'a');
  auto b = std::string(96 * 1024, 'b');
  ASSERT_TRUE(store_->put("k", a));
  std::atomic<bool> done{false};
  std::thread writer{[&] {
    for (int i = 0; i < 200; ++i)
      ASSERT_TRUE(store_->put("k", i % 2 ? a : b));
    done = true;
  }};
  int reads = 0;
  while (!done) {
    auto v = store_->get("k");
    ASSERT_TRUE(v);
    ASSERT_TRUE(*v == a || *v == b) << "mixed value of " << v->size();
    ++reads;
  }
  writer.join();
  EXPECT_GT(reads, 0);
}

TEST_P(rocks_store_test, lists_by_prefix_in_byte_order) {
  for (auto k : {"_vectors/b.lhv1", "_vectors/a.lhv1", "_vectorsX", "z", "_v"})
    ASSERT_TRUE(store_->put(k, "x"));
  auto keys = store_->list("_vectors/");
  ASSERT_TRUE(keys);
  EXPECT_EQ(*keys,
            (std::vector<std::string>{"_vectors/a.lhv1", "_vectors/b.lhv1"}));
  auto all = store_->list("");
  EXPECT_EQ(*all,
            (std::vector<std::string>{"_v", "_vectors/a.lhv1",
                                      "_vectors/b.lhv1", "_vectorsX", "z"}));
}

TEST_P(rocks_store_test, chunk_records_never_show_in_listings) {
  store_ = nullptr;
  store_ = open(16);
  ASSERT_TRUE(store_->put("k", std::string(100, 'x')));
  EXPECT_EQ(*store_->list(""), std::vector<std::string>{"k"});
}

TEST_P(rocks_store_test, refuses_bad_keys_and_oversized_values) {
  EXPECT_EQ(store_->put("", "x").error().code, lh::ec::invalid_argument);
  EXPECT_EQ(store_->put("a/../b", "x").error().code, lh::ec::invalid_argument);
  auto small = lh::rocks_store::open(
    {.path = (dir_ / "small").string(), .max_value_bytes = 10, .sync = false});
  ASSERT_TRUE(small);
  EXPECT_EQ((*small)->put("k", std::string(11, 'x')).error().code,
            lh::ec::payload_too_large);
  EXPECT_EQ((*small)->get("k").error().code, lh::ec::not_found);
}

TEST_P(rocks_store_test, a_write_older_than_the_stored_generation_is_refused) {
  auto big = random_bytes(3 << 20, 5); // chunked (and ingested when asked)
  ASSERT_TRUE(store_->put_if_newer("_vectors/a.lhv1", big, 7));
  // A late save of generation 5 loses to 7; 7 again (a retry) is taken.
  auto late = store_->put_if_newer("_vectors/a.lhv1", "old", 5);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, lh::ec::stale_write);
  EXPECT_TRUE(*store_->get("_vectors/a.lhv1") == big);
  ASSERT_TRUE(store_->put_if_newer("_vectors/a.lhv1", "seven", 7));
  EXPECT_EQ(*store_->get("_vectors/a.lhv1"), "seven");
  // A delete at 9 stays ordered after it: a save of 8 cannot bring it back.
  ASSERT_TRUE(store_->remove_if_newer("_vectors/a.lhv1", 9));
  EXPECT_EQ(store_->put_if_newer("_vectors/a.lhv1", "eight", 8).error().code,
            lh::ec::stale_write);
  EXPECT_EQ(store_->get("_vectors/a.lhv1").error().code, lh::ec::not_found);
  EXPECT_TRUE(store_->put_if_newer("_vectors/a.lhv1", "ten", 10));
  // A plain put resets the order: anything may follow it.
  ASSERT_TRUE(store_->put("_vectors/a.lhv1", "plain"));
  EXPECT_TRUE(store_->put_if_newer("_vectors/a.lhv1", "one", 1));
}

TEST_P(rocks_store_test, put_all_writes_a_group_and_remove_range_trims_it) {
  lh::object_group group;
  for (int i = 0; i < 5; ++i)
    group.emplace_back("_wal/x/" + std::to_string(i), "r" + std::to_string(i));
  group.emplace_back("_wal/x/big", random_bytes(3 << 20, 9)); // chunked
  std::vector<lh::rocks_store::object_ref> refs(group.begin(), group.end());
  ASSERT_TRUE(store_->put_all(refs));
  EXPECT_EQ(store_->list("_wal/x/")->size(), 6u);
  EXPECT_TRUE(*store_->get("_wal/x/big") == group.back().second);
  // [1, 3) goes; the rest stays, chunks of what stays included.
  ASSERT_TRUE(store_->remove_range("_wal/x/1", "_wal/x/3"));
  EXPECT_EQ(*store_->list("_wal/x/"),
            (std::vector<std::string>{"_wal/x/0", "_wal/x/3", "_wal/x/4",
                                      "_wal/x/big"}));
  ASSERT_TRUE(store_->remove_range("_wal/x/", "_wal/x/c"));
  EXPECT_TRUE(store_->list("_wal/x/")->empty());
  EXPECT_EQ(store_->get("_wal/x/big").error().code, lh::ec::not_found);
  // A group with one bad key writes nothing.
  std::vector<lh::rocks_store::object_ref> bad{{"_wal/y/1", "a"}, {"", "b"}};
  EXPECT_FALSE(store_->put_all(bad));
  EXPECT_TRUE(store_->list("_wal/y/")->empty());
}

// Trimmed log records no longer hold memtable memory: the trim flushes a
// large memtable in the background.
TEST_P(rocks_store_test, remove_range_frees_the_memtable_of_what_it_deleted) {
  lh::object_group group;
  for (int i = 0; i < 12; ++i) // 12 x 512 KiB, inline (below chunk_bytes)
    group.emplace_back("_wal/m/" + std::to_string(100 + i),
                       random_bytes(512 << 10, 20 + i));
  std::vector<lh::rocks_store::object_ref> refs(group.begin(), group.end());
  ASSERT_TRUE(store_->put_all(refs));
  ASSERT_GE(store_->memtable_bytes(), size_t{6} << 20);
  ASSERT_TRUE(store_->remove_range("_wal/m/", "_wal/m/z"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (store_->memtable_bytes() >= (size_t{1} << 20)
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  EXPECT_LT(store_->memtable_bytes(), size_t{1} << 20);
  EXPECT_TRUE(store_->list("_wal/m/")->empty());
  // A small trim leaves a small memtable alone (nothing to gain).
  ASSERT_TRUE(store_->put("_wal/n/1", "r"));
  auto before = store_->memtable_bytes();
  ASSERT_TRUE(store_->remove_range("_wal/n/", "_wal/n/z"));
  EXPECT_GE(store_->memtable_bytes(), before);
}

// The log writer frees a group's records once they are in the write
// batch, before the write: what lands is still every byte of them.
TEST_P(rocks_store_test, put_all_values_can_be_freed_once_copied) {
  auto big = random_bytes(3 << 20, 11);
  auto values = std::make_unique<std::vector<std::string>>(
    std::vector<std::string>{"small", big});
  std::vector<lh::rocks_store::object_ref> refs{{"_wal/z/1", (*values)[0]},
                                                {"_wal/z/2", (*values)[1]}};
  bool copied = false;
  ASSERT_TRUE(store_->put_all(refs, [&] {
    copied = true;
    // Overwritten, then freed: a write that still read them would differ.
    for (auto& v : *values)
      std::fill(v.begin(), v.end(), '#');
    values.reset();
  }));
  EXPECT_TRUE(copied);
  EXPECT_EQ(*store_->get("_wal/z/1"), "small");
  EXPECT_TRUE(*store_->get("_wal/z/2") == big);
}

INSTANTIATE_TEST_SUITE_P(write_paths, rocks_store_test, ::testing::Bool(),
                         [](const auto& info) {
                           return info.param ? "ingested_sst" : "write_batch";
                         });
