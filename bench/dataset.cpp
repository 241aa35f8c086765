#include "bench/dataset.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <thread>
#include <unordered_set>

namespace bench {

namespace {

uint32_t read_be32(FILE* f) {
  unsigned char b[4];
  if (std::fread(b, 1, 4, f) != 4)
    throw std::runtime_error("truncated idx header");
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8)
         | b[3];
}

using pipe = std::unique_ptr<FILE, int (*)(FILE*)>;

// The decompressed file, checked to start with `magic`.
pipe open_idx(const std::string& gz_path, uint32_t magic) {
  // gzip from the base system decompresses; no zlib dependency needed.
  auto cmd = "gzip -dc '" + gz_path + "'";
  pipe f{popen(cmd.c_str(), "r"), pclose};
  if (!f)
    throw std::runtime_error("cannot run " + cmd);
  if (read_be32(f.get()) != magic)
    throw std::runtime_error(gz_path + " is not the idx file expected");
  return f;
}

} // namespace

std::vector<uint8_t> load_idx_labels(const std::string& gz_path, size_t limit) {
  auto f = open_idx(gz_path, 0x801);
  std::vector<uint8_t> labels(std::min<size_t>(read_be32(f.get()), limit));
  if (std::fread(labels.data(), 1, labels.size(), f.get()) != labels.size())
    throw std::runtime_error(gz_path + " is truncated");
  return labels;
}

matrix load_idx_images(const std::string& gz_path, size_t limit) {
  auto f = open_idx(gz_path, 0x803);
  auto count = read_be32(f.get());
  auto rows = read_be32(f.get());
  auto cols = read_be32(f.get());
  matrix m;
  m.rows = std::min<size_t>(count, limit);
  m.dim = size_t{rows} * cols;
  m.values.resize(m.rows * m.dim);
  std::vector<unsigned char> buf(m.dim);
  for (size_t i = 0; i < m.rows; ++i) {
    if (std::fread(buf.data(), 1, m.dim, f.get()) != m.dim)
      throw std::runtime_error(gz_path + " is truncated");
    for (size_t j = 0; j < m.dim; ++j)
      m.values[i * m.dim + j] = buf[j];
  }
  return m;
}

std::vector<std::vector<uint32_t>> exact_top_k(const matrix& base,
                                               const matrix& queries, size_t k,
                                               size_t threads) {
  std::vector<std::vector<uint32_t>> out(queries.rows);
  auto work = [&](size_t first, size_t step) {
    std::vector<std::pair<float, uint32_t>> dist(base.rows);
    for (size_t q = first; q < queries.rows; q += step) {
      auto* a = queries.row(q);
      for (size_t i = 0; i < base.rows; ++i) {
        auto* b = base.row(i);
        float s = 0;
        for (size_t j = 0; j < base.dim; ++j) {
          float d = a[j] - b[j];
          s += d * d;
        }
        dist[i] = {s, static_cast<uint32_t>(i)};
      }
      std::partial_sort(dist.begin(), dist.begin() + k, dist.end());
      for (size_t r = 0; r < k; ++r)
        out[q].push_back(dist[r].second);
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t)
    pool.emplace_back(work, t, threads);
  for (auto& t : pool)
    t.join();
  return out;
}

double recall_at_k(const std::vector<std::vector<uint32_t>>& found,
                   const std::vector<std::vector<uint32_t>>& truth, size_t k) {
  size_t hits = 0, total = 0;
  for (size_t q = 0; q < truth.size(); ++q) {
    std::unordered_set<uint32_t> want(truth[q].begin(), truth[q].begin() + k);
    for (size_t r = 0; r < std::min(k, found[q].size()); ++r)
      hits += want.count(found[q][r]);
    total += k;
  }
  return total ? double(hits) / double(total) : 0;
}

} // namespace bench
