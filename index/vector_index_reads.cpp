// The read side of vector_index: search, get, count and scroll, each under
// the shared lock, so many run at once beside each other (never beside a
// mutation chunk). Declared in index/vector_index.hpp.
#include <shared_mutex>

#include "index/vector_index.hpp"

namespace lh {

std::optional<uint32_t> vector_index::live_slot(const std::string& id) const {
  auto label = order_.find(id);
  if (!label)
    return std::nullopt;
  // A label is assigned before its vector goes in; until then the item
  // is not there for readers.
  auto slot = graph_->slot_of(*label);
  if (!slot || !live_.test(*slot))
    return std::nullopt;
  return slot;
}

slot_set vector_index::matching(const filter& where) const {
  return filter_index_.evaluate(where, live_, [this](const std::string& id) {
    return live_slot(id);
  });
}

stored_item vector_index::item_at(uint64_t label, bool with_vector) const {
  stored_item item{ids_[label], metadata_[label], {}};
  if (with_vector)
    item.vector = graph_->vector_of(label);
  return item;
}

search_plan vector_index::plan_for(const filter& where, size_t beam) const {
  std::shared_lock guard{lock_};
  return plan_search(matching(where).count(), length(), beam, params_.m);
}

expected<std::vector<search_hit>>
vector_index::search(std::span<const float> query, size_t k,
                     std::optional<size_t> ef) const {
  search_query q;
  q.vector = query;
  q.k = k;
  q.ef = ef;
  return search(q);
}

expected<std::vector<search_hit>>
vector_index::search(const search_query& q) const {
  if (auto ok = validate_search(params_, q); !ok)
    return ok.error();
  auto beam = std::max(q.k, q.ef.value_or(params_.ef_search));
  // Cosine compares unit vectors: normalize a copy of the query.
  std::vector<float> normalized;
  const float* v = q.vector.data();
  if (params_.space == metric::cosine) {
    normalized.assign(q.vector.begin(), q.vector.end());
    hnsw_index::prepare_vector(metric::cosine, normalized.data(),
                               normalized.size());
    v = normalized.data();
  }
  std::shared_lock guard{lock_};
  std::vector<neighbor> found;
  if (!q.where || q.where->empty()) {
    found = graph_->search(v, q.k, beam);
  } else {
    auto allowed = matching(*q.where);
    auto count = allowed.count();
    auto plan = q.plan.value_or(plan_search(count, length(), beam, params_.m));
    if (plan == search_plan::filtered_walk) {
      found = graph_->search_filtered(v, q.k, beam, allowed);
      // The walk is approximate; a short answer would break the promise
      // of k hits whenever k items match, so scan those exactly instead.
      if (found.size() < std::min(q.k, count))
        plan = search_plan::exact_scan;
    }
    if (plan == search_plan::exact_scan)
      found = graph_->search_exact(v, q.k, allowed);
  }
  std::vector<search_hit> hits;
  hits.reserve(found.size());
  for (auto& nb : found) {
    search_hit hit{ids_[nb.label], nb.distance, {}, {}};
    if (q.with_metadata)
      hit.metadata = metadata_[nb.label];
    if (q.with_vector)
      hit.vector = graph_->vector_of(nb.label);
    hits.push_back(std::move(hit));
  }
  return hits;
}

expected<get_result> vector_index::get(std::span<const std::string> ids,
                                       bool with_vector) const {
  if (auto ok = validate_id_list("ids", ids, index_limits::max_get_ids); !ok)
    return ok.error();
  get_result out;
  std::shared_lock guard{lock_};
  for (auto& id : ids)
    if (auto slot = live_slot(id))
      out.items.push_back(item_at(graph_->label_at(*slot), with_vector));
    else
      out.missing.push_back(id);
  return out;
}

size_t vector_index::count(const filter* where) const {
  std::shared_lock guard{lock_};
  if (!where || where->empty())
    return length();
  return matching(*where).count();
}

expected<scroll_page> vector_index::scroll(const scroll_request& r) const {
  if (auto ok = validate_scroll(r); !ok)
    return ok.error();
  scroll_page page;
  std::shared_lock guard{lock_};
  std::optional<slot_set> allowed;
  if (r.where && !r.where->empty())
    allowed = matching(*r.where);
  for (auto at = r.after ? order_.upper_bound(*r.after) : 0; at < order_.size();
       ++at) {
    auto label = order_.at(at);
    auto slot = graph_->slot_of(label);
    if (!slot || !live_.test(*slot) || (allowed && !allowed->test(*slot)))
      continue;
    if (page.items.size() == r.limit) {
      // One more matches: there is a next page, starting after the last.
      page.next = page.items.back().id;
      break;
    }
    page.items.push_back(item_at(label, r.with_vector));
  }
  return page;
}

} // namespace lh
