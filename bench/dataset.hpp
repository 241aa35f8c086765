// Loading fashion-mnist (Debian's dataset-fashion-mnist: gzipped idx files)
// and exact nearest neighbours for recall. Used by bench/ann.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct matrix {
  size_t rows = 0;
  size_t dim = 0;
  std::vector<float> values; // rows x dim
  const float* row(size_t i) const { return values.data() + i * dim; }
};

/// Reads an idx3-ubyte image file (gzipped), at most `limit` rows.
matrix load_idx_images(const std::string& gz_path, size_t limit);

/// Reads an idx1-ubyte label file (gzipped), at most `limit` labels.
std::vector<uint8_t> load_idx_labels(const std::string& gz_path, size_t limit);

/// Exact top-k (L2) of each query among `base`, using `threads` threads.
std::vector<std::vector<uint32_t>> exact_top_k(const matrix& base,
                                               const matrix& queries, size_t k,
                                               size_t threads);

/// recall@k of `found` (ids per query) against `truth`.
double recall_at_k(const std::vector<std::vector<uint32_t>>& found,
                   const std::vector<std::vector<uint32_t>>& truth, size_t k);

} // namespace bench
