// The checks of create parameters, batches and queries, declared in
// index/vector_index.hpp: every refusal names the field or item and value.
#include "index/vector_index.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_set>

#include "config/request_limits.hpp"

namespace lh {

namespace {

error bad(std::string msg) {
  return make_error(ec::invalid_argument, std::move(msg));
}

template <class T>
expected<void> check_range(std::string_view what, T value, T lo, T hi,
                           std::string_view set_by = "") {
  if (value < lo || value > hi)
    return bad(std::string{what} + " " + std::to_string(value)
               + " is out of range " + std::to_string(lo) + ".."
               + std::to_string(hi) + std::string{set_by});
  return {};
}

// Vectors whose distances a float computation can carry: finite values;
// for cosine a norm that is a normal float (it is kept to give the vector
// back); for l2 and dot a squared norm of at most max_squared_norm, so
// that no distance between two of them overflows to inf or NaN (an l2
// squared distance is at most (|a| + |b|)^2 = 4 x 1e37 < FLT_MAX).
constexpr double max_squared_norm = 1e37;

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

expected<void> check_vector(const index_params& p, const float* v,
                            const std::string& where) {
  // Summed without a branch per value (eight sums side by side, so the
  // loop is not one chain of dependent adds): a value that is not finite
  // makes the sum so, and finite floats cannot (65,536 of FLT_MAX^2 stay
  // far below DBL_MAX). Only then is the culprit looked for.
  std::array<double, 8> sums{};
  uint32_t j = 0;
  for (; j + 8 <= p.dimension; j += 8)
    for (uint32_t k = 0; k < 8; ++k)
      sums[k] += double{v[j + k]} * v[j + k];
  for (; j < p.dimension; ++j)
    sums[0] += double{v[j]} * v[j];
  double sum = 0;
  for (auto s : sums)
    sum += s;
  if (!std::isfinite(sum))
    for (j = 0; j < p.dimension; ++j)
      if (!std::isfinite(v[j]))
        return bad(where + "value " + std::to_string(j) + " is not finite");
  if (p.space == metric::cosine) {
    if (sum == 0)
      return bad(where
                 + "vector has zero norm, which cosine distance cannot "
                   "compare");
    auto norm = std::sqrt(sum);
    if (norm < std::numeric_limits<float>::min()
        || norm > std::numeric_limits<float>::max())
      return bad(where + "vector's norm " + short_number(norm)
                 + " is outside what cosine distance can compare ("
                 + short_number(std::numeric_limits<float>::min()) + ".."
                 + short_number(std::numeric_limits<float>::max()) + ")");
  } else if (sum > max_squared_norm) {
    return bad(where + "vector's squared norm " + short_number(sum)
               + " is over " + short_number(max_squared_norm) + ": "
               + std::string{to_string(p.space)}
               + " distances to it would overflow");
  }
  return {};
}

} // namespace

expected<void> validate_index_name(std::string_view name) {
  if (name.empty() || name.size() > index_limits::max_name_bytes)
    return bad("index name must be 1.."
               + std::to_string(index_limits::max_name_bytes)
               + " characters, got " + std::to_string(name.size()));
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok)
      return bad("index name '" + std::string{name}
                 + "' may only contain A-Z a-z 0-9 _ . -");
  }
  if (name == "." || name == "..")
    return bad("index name '" + std::string{name} + "' is reserved");
  return {};
}

expected<void> validate_params(const index_params& p) {
  if (auto ok = validate_index_name(p.name); !ok)
    return ok;
  if (auto ok = check_range<uint32_t>("dimension", p.dimension, 1,
                                      limits().max_dimension,
                                      " (limits.max_dimension)");
      !ok)
    return ok;
  if (auto ok = check_range<uint32_t>("m", p.m, index_limits::min_m,
                                      index_limits::max_m);
      !ok)
    return ok;
  if (auto ok = check_range<uint32_t>("ef_construction", p.ef_construction,
                                      index_limits::min_ef_construction,
                                      index_limits::max_ef_construction);
      !ok)
    return ok;
  return check_range<uint32_t>("ef_search", p.ef_search,
                               index_limits::min_ef_search,
                               index_limits::max_ef_search);
}

expected<void> validate_batch(const index_params& p, const add_batch& batch) {
  auto n = batch.size();
  if (batch.dimension != p.dimension
      || batch.vectors.size() != n * size_t{p.dimension}
      || batch.metadata.size() != n)
    return bad("vectors must have dimension " + std::to_string(p.dimension)
               + " for index '" + p.name + "'");
  std::unordered_set<std::string_view> seen;
  seen.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto where = "item " + std::to_string(i) + ": ";
    auto& id = batch.ids[i];
    if (id.empty())
      return bad(where + "id is empty");
    if (id.size() > index_limits::max_id_bytes)
      return bad(where + "id is " + std::to_string(id.size())
                 + " bytes, over the limit of "
                 + std::to_string(index_limits::max_id_bytes));
    if (!seen.insert(id).second)
      return bad(where + "id '" + id + "' appears twice in the batch");
    if (batch.metadata[i].size() > limits().max_metadata_bytes)
      return bad(where + "metadata is "
                 + std::to_string(batch.metadata[i].size())
                 + " bytes, over the limit of "
                 + std::to_string(limits().max_metadata_bytes)
                 + " (limits.max_metadata_bytes)");
    if (auto ok = check_vector(p, batch.vectors.data() + i * p.dimension,
                               where);
        !ok)
      return ok;
  }
  return {};
}

expected<void> validate_query(const index_params& p, std::span<const float> q) {
  if (q.size() != p.dimension)
    return bad("query has dimension " + std::to_string(q.size()) + ", index '"
               + p.name + "' has " + std::to_string(p.dimension));
  return check_vector(p, q.data(), "query: ");
}

hnsw_params graph_params(const index_params& p) {
  return {p.dimension, p.space, p.m, p.ef_construction, 100};
}

expected<void> validate_search(const index_params& p, const search_query& q) {
  if (auto ok = validate_query(p, q.vector); !ok)
    return ok;
  if (auto ok = check_range<size_t>("k", q.k, 1, limits().max_k,
                                    " (limits.max_k)");
      !ok)
    return ok;
  if (q.ef)
    return check_range<size_t>("ef", *q.ef, 1, index_limits::max_ef_search);
  return {};
}

expected<void> validate_id_list(std::string_view what,
                                std::span<const std::string> ids,
                                size_t max_ids) {
  if (ids.empty() || ids.size() > max_ids)
    return bad(std::string{what} + " must list 1.." + std::to_string(max_ids)
               + " ids, got " + std::to_string(ids.size()));
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].empty())
      return bad(std::string{what} + "[" + std::to_string(i)
                 + "]: id is empty");
    if (ids[i].size() > index_limits::max_id_bytes)
      return bad(std::string{what} + "[" + std::to_string(i) + "]: id is "
                 + std::to_string(ids[i].size()) + " bytes, over the limit of "
                 + std::to_string(index_limits::max_id_bytes));
  }
  return {};
}

expected<void> validate_scroll(const scroll_request& r) {
  if (r.limit < 1 || r.limit > index_limits::max_scroll_limit)
    return bad("limit " + std::to_string(r.limit) + " is out of range 1.."
               + std::to_string(index_limits::max_scroll_limit));
  if (r.after && r.after->size() > index_limits::max_id_bytes)
    return bad("after is " + std::to_string(r.after->size())
               + " bytes, longer than any id");
  return {};
}

expected<void> validate_delete(const delete_request& r) {
  if (r.where && !r.ids.empty())
    return bad("delete takes ids or a filter, not both");
  if (r.where)
    return {};
  return validate_id_list("ids", r.ids, index_limits::max_delete_ids);
}

} // namespace lh
