#include "storage/hnsw_index.hpp"

#include <cmath>
#include <new>
#include <stdexcept>

#include <hnswlib/hnswlib.h>

namespace lh {

std::string_view to_string(metric m) {
  switch (m) {
    case metric::l2: return "l2";
    case metric::cosine: return "cosine";
    case metric::dot: return "dot";
  }
  return "l2";
}

bool parse_metric(std::string_view text, metric& out) {
  if (text == "l2")
    out = metric::l2;
  else if (text == "cosine")
    out = metric::cosine;
  else if (text == "dot" || text == "ip")
    out = metric::dot;
  else
    return false;
  return true;
}

struct hnsw_index::impl {
  std::unique_ptr<hnswlib::SpaceInterface<float>> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
};

hnsw_index::hnsw_index(const hnsw_params& params, size_t capacity)
  : params_(params), impl_(std::make_unique<impl>()) {
  if (params.space == metric::l2)
    impl_->space = std::make_unique<hnswlib::L2Space>(params.dimension);
  else
    impl_->space = std::make_unique<hnswlib::InnerProductSpace>(params.dimension);
  impl_->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
    impl_->space.get(), std::max<size_t>(capacity, 1), params.m,
    params.ef_construction, params.seed);
}

hnsw_index::~hnsw_index() = default;

size_t hnsw_index::capacity() const {
  return impl_->graph->max_elements_;
}

size_t hnsw_index::element_count() const {
  return impl_->graph->cur_element_count;
}

expected<void> hnsw_index::reserve(size_t n) {
  if (n <= capacity())
    return {};
  try {
    impl_->graph->resizeIndex(n);
  } catch (const std::exception& e) {
    return make_error(ec::internal, std::string{"cannot grow index to "}
                                      + std::to_string(n)
                                      + " elements: " + e.what());
  }
  return {};
}

expected<void> hnsw_index::add(uint64_t label, const float* vector) {
  try {
    impl_->graph->addPoint(vector, label);
  } catch (const std::exception& e) {
    return make_error(ec::internal,
                      std::string{"hnswlib addPoint failed: "} + e.what());
  }
  return {};
}

std::vector<neighbor> hnsw_index::search(const float* query, size_t k,
                                         size_t ef) const {
  // searchKnn in hnswlib 0.6.2 reads the shared ef_ member; this is the
  // same walk with a per-query beam, so concurrent queries may differ.
  auto& g = *impl_->graph;
  std::vector<neighbor> out;
  if (g.cur_element_count == 0 || k == 0)
    return out;
  using tableint = hnswlib::tableint;
  tableint current = g.enterpoint_node_;
  float current_dist = g.fstdistfunc_(query, g.getDataByInternalId(current),
                                      g.dist_func_param_);
  for (int level = g.maxlevel_; level > 0; --level) {
    bool changed = true;
    while (changed) {
      changed = false;
      auto* data = reinterpret_cast<unsigned int*>(g.get_linklist(current, level));
      int size = g.getListCount(data);
      auto* links = reinterpret_cast<tableint*>(data + 1);
      for (int i = 0; i < size; ++i) {
        float d = g.fstdistfunc_(query, g.getDataByInternalId(links[i]),
                                 g.dist_func_param_);
        if (d < current_dist) {
          current_dist = d;
          current = links[i];
          changed = true;
        }
      }
    }
  }
  auto beam = std::max(ef, k);
  auto top = g.num_deleted_
               ? g.searchBaseLayerST<true>(current, query, beam)
               : g.searchBaseLayerST<false>(current, query, beam);
  while (top.size() > k)
    top.pop();
  out.resize(top.size());
  for (size_t i = out.size(); i-- > 0;) {
    auto [dist, id] = top.top();
    out[i] = neighbor{g.getExternalLabel(id), to_user_distance(dist)};
    top.pop();
  }
  return out;
}

float hnsw_index::to_user_distance(float raw) const {
  if (params_.space == metric::l2)
    return std::sqrt(std::max(raw, 0.0f));
  return raw; // InnerProductSpace already gives 1 - dot
}

float hnsw_index::prepare_vector(metric space, float* vector,
                                 size_t dimension) {
  double sum = 0;
  for (size_t i = 0; i < dimension; ++i)
    sum += double{vector[i]} * vector[i];
  auto norm = static_cast<float>(std::sqrt(sum));
  if (space == metric::cosine && norm > 0) {
    auto inv = 1.0f / norm;
    for (size_t i = 0; i < dimension; ++i)
      vector[i] *= inv;
  }
  return norm;
}

} // namespace lh
