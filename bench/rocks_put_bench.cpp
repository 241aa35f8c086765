// Baseline for bench/storaged.sh: synced RocksDB puts of one value size,
// in-process, one thread, for a fixed time. Prints "puts_per_s <rate>".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <rocksdb/db.h>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s DIR VALUE_BYTES SECONDS\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  auto value_bytes = std::strtoul(argv[2], nullptr, 10);
  auto seconds = std::strtod(argv[3], nullptr);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.compression = rocksdb::kNoCompression;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    std::fprintf(stderr, "open: %s\n", s.ToString().c_str());
    return 1;
  }
  std::unique_ptr<rocksdb::DB> db{raw};
  rocksdb::WriteOptions sync;
  sync.sync = true;
  std::string value(value_bytes, 'v');
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  long n = 0;
  while (clock::now() < deadline) {
    s = db->Put(sync, "bench/" + std::to_string(n), value);
    if (!s.ok()) {
      std::fprintf(stderr, "put: %s\n", s.ToString().c_str());
      return 1;
    }
    ++n;
  }
  double elapsed = std::chrono::duration<double>(clock::now() - start).count();
  std::printf("puts_per_s %.0f\n", n / elapsed);
  return 0;
}
