#include "index/vector_index.hpp"

#include <cmath>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>

#include "index/worker_pool.hpp"

namespace lh {

namespace {

error bad(std::string msg) {
  return make_error(ec::invalid_argument, std::move(msg));
}

template <class T>
expected<void> check_range(std::string_view what, T value, T lo, T hi) {
  if (value < lo || value > hi)
    return bad(std::string{what} + " " + std::to_string(value)
               + " is out of range " + std::to_string(lo) + ".."
               + std::to_string(hi));
  return {};
}

// Finite values and, for cosine, a non-zero norm. `where` prefixes errors.
expected<void> check_vector(const index_params& p, const float* v,
                            const std::string& where) {
  double sum = 0;
  for (uint32_t j = 0; j < p.dimension; ++j) {
    if (!std::isfinite(v[j]))
      return bad(where + "value " + std::to_string(j) + " is not finite");
    sum += double{v[j]} * v[j];
  }
  if (p.space == metric::cosine && sum == 0)
    return bad(where
               + "vector has zero norm, which cosine distance cannot "
                 "compare");
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
                                      index_limits::max_dimension);
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
    if (batch.metadata[i].size() > index_limits::max_metadata_bytes)
      return bad(where + "metadata is "
                 + std::to_string(batch.metadata[i].size())
                 + " bytes, over the limit of "
                 + std::to_string(index_limits::max_metadata_bytes));
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

vector_index::vector_index(index_params params)
  : params_(std::move(params)),
    graph_(std::make_unique<hnsw_index>(graph_params(params_), 1024)) {
}

vector_index::vector_index(index_params params,
                           std::unique_ptr<hnsw_index> graph)
  : params_(std::move(params)), graph_(std::move(graph)) {
}

expected<std::shared_ptr<vector_index>>
vector_index::restore(index_params params, std::unique_ptr<hnsw_index> graph,
                      std::vector<std::string> ids,
                      std::vector<std::string> metadata) {
  auto corrupt = [&](const std::string& what) {
    return make_error(ec::corrupt_data, "index '" + params.name + "': " + what);
  };
  if (!graph || graph->element_count() != ids.size()
      || metadata.size() != ids.size())
    return corrupt("ids, metadata and graph disagree on the item count");
  std::shared_ptr<vector_index> idx{
    new vector_index(std::move(params), std::move(graph))};
  idx->label_of_.reserve(ids.size());
  for (size_t label = 0; label < ids.size(); ++label)
    if (!idx->label_of_.emplace(ids[label], label).second)
      return corrupt("id '" + ids[label] + "' appears twice");
  idx->ids_ = std::move(ids);
  idx->metadata_ = std::move(metadata);
  idx->length_.store(idx->graph_->element_count(), std::memory_order_relaxed);
  return idx;
}

expected<add_result> vector_index::add(add_batch batch, worker_pool* pool) {
  if (auto ok = validate_batch(params_, batch); !ok)
    return ok.error();
  auto n = batch.size();
  auto dim = params_.dimension;
  for (size_t i = 0; i < n; ++i)
    hnsw_index::prepare_vector(params_.space, batch.vectors.data() + i * dim,
                               dim);
  // Labels for new ids, and room for them, before any vector goes in.
  std::vector<uint64_t> labels(n);
  {
    auto guard = lock_for_write();
    for (size_t i = 0; i < n; ++i) {
      auto [it, fresh] = label_of_.try_emplace(batch.ids[i], ids_.size());
      labels[i] = it->second;
      if (fresh) {
        ids_.push_back(batch.ids[i]);
        metadata_.emplace_back();
      }
    }
    if (ids_.size() > graph_->capacity()) {
      auto grown = std::max(ids_.size(), graph_->capacity() * 2);
      if (auto ok = graph_->reserve(grown); !ok)
        return ok.error(); // the new labels are unused: harmless
    }
  }
  std::optional<error> failure;
  std::mutex failure_mtx;
  for (size_t begin = 0; begin < n; begin += chunk_items) {
    auto end = std::min(n, begin + chunk_items);
    auto guard = lock_for_write();
    auto insert = [&](size_t k) {
      auto i = begin + k;
      auto ok = graph_->add(labels[i], batch.vectors.data() + i * dim);
      if (!ok) {
        std::lock_guard g{failure_mtx};
        failure = ok.error();
      }
    };
    if (pool != nullptr)
      pool->parallel_for(end - begin, pool->size(), insert);
    else
      for (size_t k = 0; k < end - begin; ++k)
        insert(k);
    for (size_t i = begin; i < end; ++i)
      metadata_[labels[i]] = std::move(batch.metadata[i]);
    length_.store(graph_->element_count(), std::memory_order_relaxed);
    if (failure)
      return *failure;
  }
  return add_result{n, length()};
}

expected<std::vector<search_hit>>
vector_index::search(std::span<const float> query, size_t k,
                     std::optional<size_t> ef) const {
  if (auto ok = validate_query(params_, query); !ok)
    return ok.error();
  if (k < 1 || k > index_limits::max_k)
    return bad("k " + std::to_string(k) + " is out of range 1.."
               + std::to_string(index_limits::max_k));
  if (ef && (*ef < 1 || *ef > index_limits::max_ef_search))
    return bad("ef " + std::to_string(*ef) + " is out of range 1.."
               + std::to_string(index_limits::max_ef_search));
  auto beam = std::max(k, ef.value_or(params_.ef_search));
  // Cosine compares unit vectors: normalize a copy of the query.
  std::vector<float> normalized;
  const float* q = query.data();
  if (params_.space == metric::cosine) {
    normalized.assign(query.begin(), query.end());
    hnsw_index::prepare_vector(metric::cosine, normalized.data(),
                               normalized.size());
    q = normalized.data();
  }
  std::shared_lock guard{lock_};
  auto found = graph_->search(q, k, beam);
  std::vector<search_hit> hits;
  hits.reserve(found.size());
  for (auto& nb : found)
    hits.push_back(
      search_hit{ids_[nb.label], nb.distance, metadata_[nb.label]});
  return hits;
}

std::unique_lock<rw_lock> vector_index::lock_for_write() {
  std::unique_lock gate{save_gate_};
  save_done_.wait(gate, [this] { return saving_ == 0; });
  gate.unlock();
  // A save may start right here and win the lock: then this add waits as
  // a queued writer once, as it would without the gate.
  return std::unique_lock{lock_};
}

void vector_index::read_for_save(
  const std::function<void(const index_view&)>& fn) const {
  {
    std::lock_guard gate{save_gate_};
    ++saving_;
  }
  struct open_gate {
    const vector_index& index;
    ~open_gate() {
      {
        std::lock_guard gate{index.save_gate_};
        --index.saving_;
      }
      index.save_done_.notify_all();
    }
  } reopen{*this};
  std::shared_lock guard{lock_};
  // Labels past the graph's count were allocated by a batch whose vectors
  // never went in (a failed grow): they are not part of the index.
  auto n = graph_->element_count();
  fn(index_view{params_, std::span{ids_}.first(n),
                std::span{metadata_}.first(n), *graph_});
}

} // namespace lh
