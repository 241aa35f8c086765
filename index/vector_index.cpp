#include "index/vector_index.hpp"

#include <mutex>
#include <shared_mutex>

#include "index/worker_pool.hpp"

namespace lh {

vector_index::vector_index(index_params params)
  : params_(std::move(params)),
    // No graph until the first add; then capacity doubles as items come
    // (assign_labels), so memory follows the items, not ahead of them.
    graph_(std::make_unique<hnsw_index>(graph_params(params_), 0)) {
}

vector_index::vector_index(index_params params,
                           std::unique_ptr<hnsw_index> graph)
  : params_(std::move(params)), graph_(std::move(graph)) {
}

size_t vector_index::memory_bytes() const {
  // Per slot an id and a metadata string header, per id its place in
  // order_.
  std::shared_lock guard{lock_};
  return graph_->memory_bytes() + text_bytes_.load()
         + (ids_.capacity() + metadata_.capacity()) * sizeof(std::string)
         + order_.memory_bytes() + free_labels_.capacity() * sizeof(uint64_t)
         + filter_index_.memory_bytes() + live_.memory_bytes();
}

index_info vector_index::info() const {
  std::shared_lock guard{lock_};
  return {params_, length(), free_labels_.size(),
          filter_index_.memory_bytes() + live_.memory_bytes()};
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
  auto& g = *idx->graph_;
  idx->live_ = slot_set{ids.size()};
  std::vector<uint32_t> known;
  known.reserve(ids.size());
  for (size_t label = 0; label < ids.size(); ++label) {
    auto slot = g.slot_of(label);
    if (!slot)
      return corrupt("label " + std::to_string(label) + " is not in the graph");
    if (ids[label].empty()) {
      // A deleted slot: the graph must agree, or a search could return it.
      if (!g.is_deleted(label))
        return corrupt("slot " + std::to_string(label)
                       + " has no id but is not marked deleted");
      idx->free_labels_.push_back(label);
      continue;
    }
    if (g.is_deleted(label))
      return corrupt("item '" + ids[label] + "' is marked deleted");
    known.push_back(static_cast<uint32_t>(label));
    if (!idx->filter_index_.insert(*slot, metadata[label]))
      return corrupt("metadata of item '" + ids[label] + "' is not JSON");
    idx->live_.set(*slot);
  }
  // Reuse the lowest free slots first (assign_labels pops from the back).
  std::reverse(idx->free_labels_.begin(), idx->free_labels_.end());
  size_t text = 0;
  for (size_t label = 0; label < ids.size(); ++label)
    text += ids[label].size() + metadata[label].size();
  idx->text_bytes_.store(text);
  idx->ids_ = std::move(ids);
  idx->metadata_ = std::move(metadata);
  if (auto twice = idx->order_.assign(std::move(known)))
    return corrupt("id '" + *twice + "' appears twice");
  idx->length_.store(idx->order_.size(), std::memory_order_relaxed);
  return idx;
}

namespace {
// The first graph's room: growing 1, 2, 4, ... would copy it at each step.
constexpr size_t min_graph_capacity = 16;
} // namespace

expected<std::vector<uint64_t>>
vector_index::assign_labels(const add_batch& batch, std::vector<bool>& reused) {
  auto n = batch.size();
  size_t fresh = 0;
  for (auto& id : batch.ids)
    fresh += !order_.contains(id);
  // Room first, so that a failed grow leaves nothing half assigned.
  auto from_free = std::min(fresh, free_labels_.size());
  auto total = ids_.size() + (fresh - from_free);
  if (total > graph_->capacity())
    if (auto ok = graph_->reserve(
          std::max({total, graph_->capacity() * 2, min_graph_capacity}));
        !ok)
      return ok.error();
  std::vector<uint64_t> labels(n);
  std::vector<uint32_t> appended;
  reused.assign(n, false);
  for (size_t i = 0; i < n; ++i) {
    if (auto known = order_.find(batch.ids[i])) {
      labels[i] = *known;
    } else if (!free_labels_.empty()) {
      // Its id goes in when its chunk is published: a save between two
      // chunks must not see an id on a slot still marked deleted.
      labels[i] = free_labels_.back();
      free_labels_.pop_back();
      reused[i] = true;
    } else {
      labels[i] = ids_.size();
      appended.push_back(static_cast<uint32_t>(ids_.size()));
      ids_.push_back(batch.ids[i]);
      metadata_.emplace_back();
    }
  }
  // After the loop: the batch's ids are unique, so none was looked up
  // above after being assigned.
  order_.insert(std::move(appended));
  return labels;
}

void vector_index::publish(const add_batch& batch, size_t begin, size_t end,
                           const std::vector<uint64_t>& labels,
                           const std::vector<bool>& reused) {
  std::vector<uint32_t> named; // reused slots, now given their ids
  for (size_t i = begin; i < end; ++i) {
    auto label = labels[i];
    auto slot = *graph_->slot_of(label);
    if (live_.test(slot)) { // an upsert: forget the old metadata
      filter_index_.erase(slot, metadata_[label]);
      text_bytes_ -= ids_[label].size() + metadata_[label].size();
    }
    text_bytes_ += batch.ids[i].size() + batch.metadata[i].size();
    if (reused[i]) { // its id goes in now (see assign_labels)
      ids_[label] = batch.ids[i];
      named.push_back(static_cast<uint32_t>(label));
    }
    metadata_[label] = batch.metadata[i];
    // Metadata came through the API's JSON parser; a failure here would
    // only leave the item unfilterable, never the index inconsistent.
    filter_index_.insert(slot, metadata_[label]);
    live_.set(slot);
  }
  order_.insert(std::move(named));
  length_.store(order_.size(), std::memory_order_relaxed);
}

expected<add_result> vector_index::add(add_batch batch, worker_pool* pool) {
  std::lock_guard one_writer{writer_};
  if (auto ok = validate_batch(params_, batch); !ok)
    return ok.error();
  auto n = batch.size();
  auto dim = params_.dimension;
  for (size_t i = 0; i < n; ++i)
    hnsw_index::prepare_vector(params_.space, batch.vectors.data() + i * dim,
                               dim);
  std::vector<uint64_t> labels;
  std::vector<bool> reused;
  {
    auto guard = lock_for_write();
    auto assigned = assign_labels(batch, reused);
    if (!assigned)
      return assigned.error();
    labels = std::move(*assigned);
  }
  std::optional<error> failure;
  std::mutex failure_mtx;
  for (size_t begin = 0; begin < n; begin += chunk_items) {
    auto end = std::min(n, begin + chunk_items);
    auto guard = lock_for_write();
    // A freed slot takes its new vector through hnswlib's update path,
    // which re-links it and its neighbours; the mark goes first, here on
    // one thread (hnswlib counts deletions without atomics).
    for (size_t i = begin; i < end; ++i)
      if (reused[i])
        graph_->unmark_deleted(labels[i]);
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
    if (failure)
      return *failure;
    publish(batch, begin, end, labels, reused);
  }
  return add_result{n, length()};
}

void vector_index::forget(uint64_t label) {
  auto slot = *graph_->slot_of(label);
  filter_index_.erase(slot, metadata_[label]);
  text_bytes_ -= ids_[label].size() + metadata_[label].size();
  live_.reset(slot);
  graph_->mark_deleted(label);
  std::string{}.swap(metadata_[label]);
  free_labels_.push_back(label);
}

expected<delete_result> vector_index::remove(const delete_request& r) {
  if (auto ok = validate_delete(r); !ok)
    return ok.error();
  std::lock_guard one_writer{writer_};
  auto guard = lock_for_write();
  size_t deleted = 0;
  std::vector<std::string> removed;
  std::vector<bool> gone(ids_.size(), false);
  auto drop = [&](size_t slot) {
    auto label = graph_->label_at(static_cast<uint32_t>(slot));
    removed.push_back(ids_[label]);
    forget(label);
    gone[label] = true;
    ++deleted;
  };
  if (r.where) // matching() is a copy: forgetting as it goes is safe
    matching(*r.where).for_each([&](size_t slot) {
      drop(slot);
      return true;
    });
  else // a forgotten id is no longer live: the same id twice counts once
    for (auto& id : r.ids)
      if (auto slot = live_slot(id))
        drop(*slot);
  if (deleted > 0) {
    // One pass for the whole delete; the ids go after it, since order_
    // finds its way by them.
    order_.erase_if([&](uint32_t label) { return gone[label]; });
    for (size_t label = 0; label < gone.size(); ++label)
      if (gone[label])
        std::string{}.swap(ids_[label]);
  }
  length_.store(order_.size(), std::memory_order_relaxed);
  return delete_result{deleted, length(), std::move(removed)};
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
  auto n = graph_->element_count();
  fn(index_view{params_, log(), std::span{ids_}.first(n),
                std::span{metadata_}.first(n), *graph_});
}

} // namespace lh
