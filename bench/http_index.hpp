// Building an index over HTTP for the load benchmarks (multi_index,
// overload): random rows, add bodies, and a create-then-fill in batches.
#pragma once

#include <random>
#include <string>

#include "bench/dataset.hpp"
#include "http/client.hpp"

namespace bench {

/// `rows` x `dim` values uniform in [-1, 1).
matrix random_rows(size_t rows, size_t dim, std::mt19937& rng);

/// Rows [first, first + rows) of `m`.
matrix slice(const matrix& m, size_t first, size_t rows);

/// {"items":[...]} of `count` rows from `first` (wrapping), ids
/// id_prefix + (id_base + i).
std::string add_body(const matrix& rows, size_t first, size_t count,
                     const std::string& id_prefix, size_t id_base);

/// Whether `r` is an answer with `status`; else says what came, on stderr.
bool expect_status(const lh::expected<lh::http::response>& r, unsigned status,
                   const std::string& what);

/// Creates `name` (l2, the rows' dimension) under `prefix` and adds the
/// rows in batches of 500, ids "0", "1", ...
bool load_index(lh::http::blocking_client& c, const std::string& prefix,
                const std::string& name, const matrix& rows);

} // namespace bench
