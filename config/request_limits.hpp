// Limits on what one request may ask: body sizes, batch size, k,
// dimension, metadata size and nesting, filter nesting. They come from
// [limits] in the config file (settings.cpp) and are set once at start,
// before any server runs; the parsers and validators read them here, so a
// limit is configured in one place and named in every refusal.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lh {

struct request_limits {
  uint64_t max_body_bytes = uint64_t{1} << 20;           // 413 past it
  uint64_t max_add_body_bytes = uint64_t{256} << 20; // add, batch search
  size_t max_batch_items = 100'000;                      // items per add
  size_t max_k = 1000;                                   // hits per search
  uint32_t max_dimension = 4096;                         // of a new index
  size_t max_metadata_bytes = 64 * 1024;                 // per item
  size_t max_json_depth = 64;  // nesting of a request (metadata, filters)
  size_t max_filter_depth = 16; // must/should/must_not groups in groups
};

/// The bounds a configured limit must stay within (what the code is built
/// and tested for); settings.cpp refuses values outside them.
struct request_limit_bounds {
  static constexpr uint64_t min_body_bytes = 4096;
  static constexpr uint64_t max_body_bytes = uint64_t{4} << 30;
  static constexpr size_t max_batch_items = 10'000'000;
  static constexpr size_t max_k = 10'000;
  static constexpr uint32_t max_dimension = 65'536;
  static constexpr size_t max_metadata_bytes = 16 << 20;
  static constexpr size_t min_json_depth = 4, max_json_depth = 1024;
  static constexpr size_t max_filter_depth = 64;
};

/// The limits in force: the defaults until set_request_limits.
const request_limits& limits();

/// Sets the limits; call before serving (tests: between servers). Not
/// synchronised with readers, by design: they are fixed while serving.
void set_request_limits(const request_limits& l);

/// Replaces the limits for a scope (tests), restoring them after.
class scoped_request_limits {
public:
  explicit scoped_request_limits(const request_limits& l) : saved_{limits()} {
    set_request_limits(l);
  }
  ~scoped_request_limits() { set_request_limits(saved_); }
  scoped_request_limits(const scoped_request_limits&) = delete;
  scoped_request_limits& operator=(const scoped_request_limits&) = delete;

private:
  request_limits saved_;
};

} // namespace lh
