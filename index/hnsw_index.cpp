#include "index/hnsw_index.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <queue>
#include <stdexcept>

#include <hnswlib/hnswlib.h>

#include "storage/huge_pages.hpp"

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

namespace {

std::unique_ptr<hnswlib::SpaceInterface<float>>
make_space(const hnsw_params& p) {
  if (p.space == metric::l2)
    return std::make_unique<hnswlib::L2Space>(p.dimension);
  return std::make_unique<hnswlib::InnerProductSpace>(p.dimension);
}

} // namespace

struct hnsw_index::impl {
  std::unique_ptr<hnswlib::SpaceInterface<float>> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
};

namespace {

// Whether an unlocked std::mutex is all zero bytes (glibc's
// PTHREAD_MUTEX_INITIALIZER), so that zeroed pages hold unlocked mutexes.
bool unlocked_mutex_is_zero() {
  static const bool zero = [] {
    alignas(std::mutex) unsigned char bytes[sizeof(std::mutex)];
    auto* m = new (bytes) std::mutex;
    bool all_zero = std::all_of(std::begin(bytes), std::end(bytes),
                                [](unsigned char b) { return b == 0; });
    m->~mutex();
    return all_zero;
  }();
  return zero;
}

// hnswlib 0.6.2 gives every graph 65,536 mutexes for updates of existing
// elements (link_list_update_locks_): 2.5 MiB written with zeros, most of
// an empty index's memory. Unlocked mutexes are zero bytes, so their whole
// pages go back to the kernel; a page reads as zeros again when an update
// first locks a mutex in it (private anonymous memory).
void release_untouched_locks(std::vector<std::mutex>& locks) {
  if (!unlocked_mutex_is_zero() || locks.empty())
    return;
  auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  auto begin = reinterpret_cast<uintptr_t>(locks.data());
  auto end = begin + locks.size() * sizeof(std::mutex);
  begin = (begin + page - 1) / page * page;
  end = end / page * page;
  if (end > begin)
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

// Level 0 (every vector and its neighbour list) in huge pages: a search
// reads a few hundred elements spread over the whole block, and with 4 KiB
// pages most of those reads also miss the TLB. hnswlib's own search over
// the same 60k x 784 graph, level 0 moved into huge pages: 4-9% more QPS
// at ef 16-64 (2 threads). Growth also faults once per 2 MiB instead of
// per 4 KiB. Advised over the whole capacity: only pages written become
// resident (at most one partly used 2 MiB page more).
void advise_graph_huge_pages(const hnswlib::HierarchicalNSW<float>& g) {
  advise_huge_pages(g.data_level0_memory_,
                    g.max_elements_ * g.size_data_per_element_);
}

} // namespace

// An empty graph for `params` with room for `capacity` elements. Throws
// what hnswlib throws when it cannot allocate.
std::unique_ptr<hnsw_index::impl>
hnsw_index::make_impl(const hnsw_params& params, size_t capacity) {
  auto d = std::make_unique<impl>();
  d->space = make_space(params);
  d->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
    d->space.get(), std::max<size_t>(capacity, 1), params.m,
    params.ef_construction, params.seed);
  release_untouched_locks(d->graph->link_list_update_locks_);
  advise_graph_huge_pages(*d->graph);
  return d;
}

hnsw_index::hnsw_index(const hnsw_params& params, size_t capacity)
  : params_(params),
    impl_(capacity > 0 ? make_impl(params, capacity) : nullptr) {
}

hnsw_index::hnsw_index(const hnsw_params& params, std::unique_ptr<impl> d)
  : params_(params), impl_(std::move(d)) {
}

hnsw_index::~hnsw_index() = default;

namespace {

using graph_type = hnswlib::HierarchicalNSW<float>;

template <class T>
void put_pod(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

// Reads PODs from a byte range, failing (not crashing) past its end.
class pod_reader {
public:
  explicit pod_reader(std::string_view bytes) : bytes_(bytes) {}
  template <class T>
  bool read(T& out) {
    if (bytes_.size() - pos_ < sizeof(T))
      return false;
    std::memcpy(&out, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  const char* take(size_t n) {
    if (bytes_.size() - pos_ < n)
      return nullptr;
    auto p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  bool at_end() const { return pos_ == bytes_.size(); }
  size_t offset() const { return pos_; }

private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

// Bytes of element i's upper-level link lists (0 when it has none).
unsigned int upper_links_bytes(const graph_type& g, size_t i) {
  auto levels = g.element_levels_[i];
  return levels > 0 ? static_cast<unsigned int>(g.size_links_per_element_
                                                * static_cast<size_t>(levels))
                    : 0;
}

error corrupt(const std::string& what) {
  return make_error(ec::corrupt_data, "graph bytes are corrupt: " + what);
}

} // namespace

// An empty graph has no hnswlib graph (see hnsw_index.hpp); its bytes are
// those of a fresh one, made for the moment.
const hnsw_index::impl&
hnsw_index::graph_or_empty(std::unique_ptr<impl>& scratch) const {
  if (impl_)
    return *impl_;
  scratch = make_impl(params_, 1);
  return *scratch;
}

size_t hnsw_index::serialized_size() const {
  std::unique_ptr<impl> scratch;
  auto& g = *graph_or_empty(scratch).graph;
  size_t bytes = 4 * sizeof(size_t) + 2 * sizeof(size_t) + sizeof(g.maxlevel_)
                 + sizeof(g.enterpoint_node_) + 3 * sizeof(size_t)
                 + sizeof(g.mult_) + sizeof(g.ef_construction_)
                 + g.cur_element_count * g.size_data_per_element_;
  for (size_t i = 0; i < g.cur_element_count; ++i)
    bytes += sizeof(unsigned int) + upper_links_bytes(g, i);
  return bytes;
}

void hnsw_index::serialize_into(std::string& out) const {
  // The field order of HierarchicalNSW::saveIndex in hnswlib 0.6.2.
  std::unique_ptr<impl> scratch;
  auto& g = *graph_or_empty(scratch).graph;
  put_pod(out, g.offsetLevel0_);
  put_pod(out, g.max_elements_);
  put_pod(out, g.cur_element_count);
  put_pod(out, g.size_data_per_element_);
  put_pod(out, g.label_offset_);
  put_pod(out, g.offsetData_);
  put_pod(out, g.maxlevel_);
  put_pod(out, g.enterpoint_node_);
  put_pod(out, g.maxM_);
  put_pod(out, g.maxM0_);
  put_pod(out, g.M_);
  put_pod(out, g.mult_);
  put_pod(out, g.ef_construction_);
  out.append(g.data_level0_memory_,
             g.cur_element_count * g.size_data_per_element_);
  for (size_t i = 0; i < g.cur_element_count; ++i) {
    auto size = upper_links_bytes(g, i);
    put_pod(out, size);
    if (size)
      out.append(g.linkLists_[i], size);
  }
}

std::string hnsw_index::serialize() const {
  std::string out;
  out.reserve(serialized_size());
  serialize_into(out);
  return out;
}

expected<std::unique_ptr<hnsw_index>>
hnsw_index::deserialize(const hnsw_params& params, std::string_view bytes) {
  pod_reader in{bytes};
  size_t offset_level0, max_elements, count, size_per_element, label_offset,
    offset_data, max_m, max_m0, m, ef_construction;
  int max_level;
  hnswlib::tableint entry;
  double mult;
  if (!in.read(offset_level0) || !in.read(max_elements) || !in.read(count)
      || !in.read(size_per_element) || !in.read(label_offset)
      || !in.read(offset_data) || !in.read(max_level) || !in.read(entry)
      || !in.read(max_m) || !in.read(max_m0) || !in.read(m) || !in.read(mult)
      || !in.read(ef_construction))
    return corrupt("the header is truncated");
  // A fresh graph with the envelope's parameters tells what the layout
  // must be; the saved header has to agree with it.
  if (count > bytes.size() / std::max<size_t>(size_per_element, 1))
    return corrupt("element count " + std::to_string(count)
                   + " does not fit in " + std::to_string(bytes.size())
                   + " bytes");
  std::unique_ptr<impl> d;
  try {
    d = make_impl(params, count);
  } catch (const std::exception& e) {
    return make_error(ec::internal,
                      std::string{"cannot allocate the graph: "} + e.what());
  }
  auto& g = *d->graph;
  if (offset_level0 != g.offsetLevel0_
      || size_per_element != g.size_data_per_element_
      || label_offset != g.label_offset_ || offset_data != g.offsetData_
      || max_m != g.maxM_ || max_m0 != g.maxM0_ || m != g.M_)
    return corrupt("the layout does not match dimension "
                   + std::to_string(params.dimension) + " and m "
                   + std::to_string(params.m));
  if (count > 0 && (entry >= count || max_level < 0))
    return corrupt("entry point " + std::to_string(entry) + " of "
                   + std::to_string(count) + " elements");
  auto level0 = in.take(count * size_per_element);
  if (level0 == nullptr)
    return corrupt("level 0 is truncated");
  std::memcpy(g.data_level0_memory_, level0, count * size_per_element);
  g.cur_element_count = count;
  g.maxlevel_ = count > 0 ? max_level : -1;
  g.enterpoint_node_ = count > 0 ? entry : static_cast<hnswlib::tableint>(-1);
  // What hnswlib derives itself comes from M and the envelope, never from
  // the bytes: a crafted mult would skew every later insert's level (a
  // huge one makes levels, and their allocations, explode).
  (void)mult;
  (void)ef_construction;
  // Level-0 neighbour lists: counts within bounds, ids below count.
  auto check_links = [&](unsigned int* list, size_t max_links) {
    auto n = g.getListCount(list);
    if (n > max_links)
      return false;
    auto* ids = reinterpret_cast<hnswlib::tableint*>(list + 1);
    for (size_t j = 0; j < n; ++j)
      if (ids[j] >= count)
        return false;
    return true;
  };
  for (size_t i = 0; i < count; ++i) {
    if (!check_links(g.get_linklist0(static_cast<hnswlib::tableint>(i)),
                     g.maxM0_))
      return corrupt("level-0 links of element " + std::to_string(i));
    // Our graphs use dense labels 0..count-1 (label = position of the id
    // in the LHV1 envelope); anything else would index past the ids.
    auto label = g.getExternalLabel(static_cast<hnswlib::tableint>(i));
    if (label >= count || !g.label_lookup_.emplace(label, i).second)
      return corrupt("element " + std::to_string(i) + " has label "
                     + std::to_string(label) + ", not one of 0.."
                     + std::to_string(count - 1) + " used once");
  }
  // Upper levels. The destructor frees linkLists_[i] for levels > 0, so
  // each is set (or zeroed) before anything can fail.
  std::fill(g.element_levels_.begin(), g.element_levels_.end(), 0);
  for (size_t i = 0; i < count; ++i) {
    unsigned int size;
    if (!in.read(size))
      return corrupt("link list " + std::to_string(i) + " is truncated");
    if (size % g.size_links_per_element_ != 0
        || size / g.size_links_per_element_ > static_cast<size_t>(max_level))
      return corrupt("link list " + std::to_string(i) + " has a bad size");
    auto src = in.take(size);
    if (src == nullptr)
      return corrupt("link list " + std::to_string(i) + " is truncated");
    if (size == 0)
      continue;
    g.linkLists_[i] = static_cast<char*>(std::malloc(size));
    if (g.linkLists_[i] == nullptr)
      return make_error(ec::internal, "out of memory loading link lists");
    std::memcpy(g.linkLists_[i], src, size);
    g.element_levels_[i] = static_cast<int>(size / g.size_links_per_element_);
  }
  // Upper-level links: in bounds, and only to elements that have that level
  // (a search walks them and would read a missing list otherwise).
  for (size_t i = 0; i < count; ++i)
    for (int level = 1; level <= g.element_levels_[i]; ++level) {
      auto* list = g.get_linklist(static_cast<hnswlib::tableint>(i), level);
      bool ok = check_links(list, g.maxM_);
      auto* ids = reinterpret_cast<hnswlib::tableint*>(list + 1);
      for (size_t j = 0; ok && j < g.getListCount(list); ++j)
        ok = g.element_levels_[ids[j]] >= level;
      if (!ok)
        return corrupt("level-" + std::to_string(level) + " links of element "
                       + std::to_string(i));
    }
  if (!in.at_end())
    return corrupt(std::to_string(bytes.size() - in.offset())
                   + " bytes past the last link list");
  if (count > 0 && g.element_levels_[entry] != max_level)
    return corrupt("the entry point is not on the top level");
  // What loadIndex in hnswlib 0.6.2 leaves unset: count deletions again.
  g.num_deleted_ = 0;
  for (size_t i = 0; i < count; ++i)
    g.num_deleted_ += g.isMarkedDeleted(static_cast<hnswlib::tableint>(i));
  if (count == 0)
    d.reset(); // empty: no graph until the first add
  return std::unique_ptr<hnsw_index>{new hnsw_index(params, std::move(d))};
}

expected<void> hnsw_index::save_to_file(const std::string& path) const {
  try {
    std::unique_ptr<impl> scratch;
    graph_or_empty(scratch).graph->saveIndex(path);
  } catch (const std::exception& e) {
    return make_error(ec::storage_failure,
                      "saveIndex to " + path + " failed: " + e.what());
  }
  return {};
}

expected<std::unique_ptr<hnsw_index>>
hnsw_index::load_from_file(const hnsw_params& params, const std::string& path) {
  auto d = std::make_unique<impl>();
  d->space = make_space(params);
  try {
    d->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(d->space.get(),
                                                                 path);
  } catch (const std::exception& e) {
    return make_error(ec::storage_failure,
                      "loadIndex of " + path + " failed: " + e.what());
  }
  return std::unique_ptr<hnsw_index>{new hnsw_index(params, std::move(d))};
}

size_t hnsw_index::capacity() const {
  return impl_ ? impl_->graph->max_elements_ : 0;
}

size_t hnsw_index::element_count() const {
  return impl_ ? impl_->graph->cur_element_count : 0;
}

size_t hnsw_index::memory_bytes() const {
  if (!impl_)
    return 0;
  auto& g = *impl_->graph;
  size_t per_slot = g.size_data_per_element_ + sizeof(void*) // linkLists_
                    + sizeof(int)                            // element_levels_
                    + sizeof(std::mutex);                    // link_list_locks_
  size_t count = g.cur_element_count;
  size_t upper = g.M_ > 1 ? count * g.size_links_per_element_ / (g.M_ - 1) : 0;
  size_t label_map = count
                     * (sizeof(hnswlib::labeltype) + 2 * sizeof(void*)
                        + sizeof(hnswlib::tableint));
  return g.max_elements_ * per_slot + upper + label_map;
}

expected<void> hnsw_index::reserve(size_t n) {
  if (n <= capacity())
    return {};
  try {
    if (!impl_)
      impl_ = make_impl(params_, n);
    else {
      // resizeIndex reallocs level 0, which moves its pages as they are:
      // the elements written so far stay in small pages until collapsed.
      auto& g = *impl_->graph;
      g.resizeIndex(n);
      advise_graph_huge_pages(g);
      collapse_huge_pages(g.data_level0_memory_,
                          g.cur_element_count * g.size_data_per_element_);
    }
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

namespace {

// Matching slots a filtered walk starts from besides the descent's entry
// (bench/filter: 16 lifts recall@10 on class filters from 0.55-0.80 to
// 0.99, costing 16 distances).
constexpr size_t filtered_walk_seeds = 16;

using tableint = hnswlib::tableint;
using scored = std::pair<float, tableint>;
// hnswlib's max-heap on distance (the worst result on top).
using result_heap = std::priority_queue<scored, std::vector<scored>,
                                        graph_type::CompareByFirst>;

float distance(const graph_type& g, const float* query, tableint id) {
  return g.fstdistfunc_(query, g.getDataByInternalId(id), g.dist_func_param_);
}

// The greedy descent through the upper levels to the level-0 entry.
tableint descend(const graph_type& g, const float* query) {
  tableint current = g.enterpoint_node_;
  float current_dist = distance(g, query, current);
  for (int level = g.maxlevel_; level > 0; --level) {
    bool changed = true;
    while (changed) {
      changed = false;
      auto* data = reinterpret_cast<unsigned int*>(
        g.get_linklist(current, level));
      int size = g.getListCount(data);
      auto* links = reinterpret_cast<tableint*>(data + 1);
      for (int i = 0; i < size; ++i) {
        float d = distance(g, query, links[i]);
        if (d < current_dist) {
          current_dist = d;
          current = links[i];
          changed = true;
        }
      }
    }
  }
  return current;
}

// hnswlib's visited lists are pooled per graph; this returns one on every
// path out of a search.
class visited_guard {
public:
  explicit visited_guard(const graph_type& g)
    : pool_(*g.visited_list_pool_), list_(pool_.getFreeVisitedList()) {}
  ~visited_guard() { pool_.releaseVisitedList(list_); }
  visited_guard(const visited_guard&) = delete;
  visited_guard& operator=(const visited_guard&) = delete;
  // Marks `id` visited; false when it already was.
  bool visit(tableint id) {
    if (list_->mass[id] == list_->curV)
      return false;
    list_->mass[id] = list_->curV;
    return true;
  }

private:
  hnswlib::VisitedListPool& pool_;
  hnswlib::VisitedList* list_;
};

// The k best of `top`, nearest first, as labels and user distances.
std::vector<neighbor> to_neighbors(const hnsw_index& index, const graph_type& g,
                                   result_heap& top, size_t k) {
  while (top.size() > k)
    top.pop();
  std::vector<neighbor> out(top.size());
  for (size_t i = out.size(); i-- > 0;) {
    auto [dist, id] = top.top();
    out[i] = neighbor{g.getExternalLabel(id), index.to_user_distance(dist)};
    top.pop();
  }
  return out;
}

} // namespace

std::vector<neighbor> hnsw_index::search(const float* query, size_t k,
                                         size_t ef) const {
  // searchKnn in hnswlib 0.6.2 reads the shared ef_ member; this is the
  // same walk with a per-query beam, so concurrent queries may differ.
  if (!impl_ || impl_->graph->cur_element_count == 0 || k == 0)
    return {};
  auto& g = *impl_->graph;
  auto entry = descend(g, query);
  auto beam = std::max(ef, k);
  auto top = g.num_deleted_ ? g.searchBaseLayerST<true>(entry, query, beam)
                            : g.searchBaseLayerST<false>(entry, query, beam);
  return to_neighbors(*this, g, top, k);
}

std::vector<neighbor>
hnsw_index::search_filtered(const float* query, size_t k, size_t ef,
                            const slot_set& allowed) const {
  // searchBaseLayerST of hnswlib 0.6.2, changed so that only allowed slots
  // are scored and enter the result (ACORN's idea): a failing neighbour is
  // not scored, but its own neighbours are looked at, so the walk crosses
  // regions where few items match without scoring every failing item
  // closer to the query than the matching ones (what letting failing
  // items route costs when metadata correlates with the vectors).
  if (!impl_ || impl_->graph->cur_element_count == 0 || k == 0)
    return {};
  auto& g = *impl_->graph;
  auto beam = std::max(ef, k);
  auto entry = descend(g, query);
  visited_guard visited{g};
  result_heap top;
  result_heap candidates; // distances negated: nearest on top
  float bound = std::numeric_limits<float>::max();
  auto consider = [&](tableint id) {
    float d = distance(g, query, id);
    if (top.size() < beam || d < bound) {
      candidates.emplace(-d, id);
      top.emplace(d, id);
      if (top.size() > beam)
        top.pop();
      bound = top.top().first;
    }
  };
  visited.visit(entry);
  if (allowed.test(entry))
    consider(entry);
  else // it only routes
    candidates.emplace(-distance(g, query, entry), entry);
  // Seeds spread over the matching slots: when matches cluster away from
  // the query's region (a class filter on class-shaped data), the walk
  // still starts in every such cluster, not only where the descent led.
  auto universe = std::min(allowed.universe(), g.cur_element_count);
  for (size_t i = 0; i < filtered_walk_seeds; ++i) {
    auto slot = allowed.next_from(i * universe / filtered_walk_seeds);
    if (slot < g.cur_element_count
        && visited.visit(static_cast<tableint>(slot)))
      consider(static_cast<tableint>(slot));
  }
  // Each expansion scores at most as many slots as a level-0 list holds.
  const size_t budget = g.maxM0_;
  while (!candidates.empty()) {
    auto [negative, current] = candidates.top();
    if (-negative > bound && top.size() == beam)
      break;
    candidates.pop();
    auto* list = reinterpret_cast<tableint*>(g.get_linklist0(current));
    size_t size = g.getListCount(list);
    size_t scored = 0;
    auto score_if_allowed = [&](tableint id) {
      if (allowed.test(id) && visited.visit(id)) {
        consider(id);
        ++scored;
      }
    };
    for (size_t j = 1; j <= size && scored < budget; ++j)
      score_if_allowed(list[j]);
    for (size_t j = 1; j <= size && scored < budget; ++j) {
      auto hop = list[j];
      if (allowed.test(hop) || !visited.visit(hop))
        continue;
      auto* second = reinterpret_cast<tableint*>(g.get_linklist0(hop));
      size_t second_size = g.getListCount(second);
      for (size_t i = 1; i <= second_size && scored < budget; ++i)
        score_if_allowed(second[i]);
    }
  }
  return to_neighbors(*this, g, top, k);
}

std::vector<neighbor> hnsw_index::search_exact(const float* query, size_t k,
                                               const slot_set& allowed) const {
  if (!impl_ || k == 0)
    return {};
  auto& g = *impl_->graph;
  std::vector<tableint> slots;
  allowed.for_each([&](size_t slot) {
    if (slot >= g.cur_element_count)
      return false;
    slots.push_back(static_cast<tableint>(slot));
    return true;
  });
  result_heap top;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (i + 2 < slots.size())
      __builtin_prefetch(g.getDataByInternalId(slots[i + 2]));
    float d = distance(g, query, slots[i]);
    if (top.size() < k)
      top.emplace(d, slots[i]);
    else if (d < top.top().first) {
      top.pop();
      top.emplace(d, slots[i]);
    }
  }
  return to_neighbors(*this, g, top, k);
}

std::optional<uint32_t> hnsw_index::slot_of(uint64_t label) const {
  if (!impl_)
    return std::nullopt;
  auto& lookup = impl_->graph->label_lookup_;
  auto it = lookup.find(label);
  if (it == lookup.end())
    return std::nullopt;
  return it->second;
}

uint64_t hnsw_index::label_at(uint32_t slot) const {
  return impl_->graph->getExternalLabel(slot);
}

void hnsw_index::mark_deleted(uint64_t label) {
  impl_->graph->markDelete(label);
}

void hnsw_index::unmark_deleted(uint64_t label) {
  impl_->graph->unmarkDelete(label);
}

bool hnsw_index::is_deleted(uint64_t label) const {
  auto slot = slot_of(label);
  return slot && impl_->graph->isMarkedDeleted(*slot);
}

size_t hnsw_index::deleted_count() const {
  return impl_ ? impl_->graph->num_deleted_ : 0;
}

std::vector<float> hnsw_index::vector_of(uint64_t label) const {
  auto slot = slot_of(label);
  if (!slot)
    return {};
  auto* data = reinterpret_cast<const float*>(
    impl_->graph->getDataByInternalId(*slot));
  return {data, data + params_.dimension};
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
  // In double: 1 / norm of a tiny vector is out of float's range.
  auto norm = std::sqrt(sum);
  if (space == metric::cosine && norm > 0) {
    auto inv = 1.0 / norm;
    for (size_t i = 0; i < dimension; ++i)
      vector[i] = static_cast<float>(vector[i] * inv);
  }
  return static_cast<float>(norm);
}

} // namespace lh
