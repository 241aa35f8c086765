#include "tests/load/actor_load.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <fmt/format.h>

#include "actors/caf_error.hpp"
#include "actors/registry_bridge.hpp"
#include "actors/store_actor.hpp"
#include "actors/vector_service.hpp"

namespace lh::load {

namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Per op, out of 100.
constexpr std::array<int, op_count> weights{60, 14, 10, 6, 2, 4, 4};
constexpr size_t search_k = 10;

// The state every client shares: the service's doors, and the verdict.
struct shared_run {
  explicit shared_run(const options& opts) : o(opts) {}
  const options& o;
  std::shared_ptr<async_registry> registry;
  std::shared_ptr<index_table> table;
  std::vector<index_params> stable; // created before the clients start
  std::atomic<bool> stop{false};
  std::mutex m;
  std::vector<std::string> violations; // guarded by m

  void violate(std::string what) {
    std::lock_guard g{m};
    if (violations.size() < 50)
      violations.push_back(std::move(what));
    stop = true; // one broken invariant is enough to fail the run
  }
};

// The answer of an async registry call, or nullopt when it did not come
// within the watchdog's limit.
template <class T, class Call>
std::optional<expected<T>> await(const shared_run& run, Call call) {
  auto p = std::make_shared<std::promise<expected<T>>>();
  auto f = p->get_future();
  call([p](expected<T> r) { p->set_value(std::move(r)); });
  if (f.wait_for(run.o.watchdog) != std::future_status::ready)
    return std::nullopt;
  return f.get();
}

bool is_refusal(const error& e) {
  return e.code == ec::queue_full || e.code == ec::overloaded;
}

std::shared_ptr<const filter> client_filter(const std::string& client) {
  filter_condition c;
  c.path = {"client"};
  c.values = {filter_value{client}};
  auto f = std::make_shared<filter>();
  f->must.push_back(std::move(c));
  return f;
}

// One client thread. Its ids ("c<me>-<n>") are its own in every index,
// so its model of them is exact whatever the other clients do; the churn
// index ("churn-<me>") is its own as a whole.
class client {
public:
  using items = std::map<std::string, std::vector<float>>;

  client(shared_run& run, size_t me)
    : run_(run),
      me_(me),
      tag_("c" + std::to_string(me)),
      rng_(run.o.seed * 7919 + static_cast<uint32_t>(me)),
      mine_(run.stable.size()) {
    churn_.params.name = "churn-" + std::to_string(me);
  }

  void loop() {
    std::discrete_distribution<int> pick_op(weights.begin(), weights.end());
    while (!run_.stop)
      step(static_cast<op>(pick_op(rng_)));
  }

  std::array<op_stats, op_count> stats;
  size_t recall_retries = 0;
  const std::vector<items>& mine() const { return mine_; }
  bool churn_exists() const { return churn_.exists; }
  const std::string& churn_name() const { return churn_.params.name; }
  size_t churn_items() const { return churn_.items.size(); }

private:
  // An index this client works on, and its items there.
  struct target {
    const index_params* params;
    items* own;
    bool churn;
  };

  void step(op o) {
    auto start = clock::now();
    auto outcome = run_op(o);
    auto& s = stats[static_cast<size_t>(o)];
    if (outcome == result::refused)
      ++s.refused;
    if (outcome == result::done) {
      ++s.done;
      s.latency_us.push_back(
        std::chrono::duration<double, std::micro>(clock::now() - start)
          .count());
    }
  }

  enum class result { done, refused, failed };

  result run_op(op o) {
    switch (o) {
      case op::search: return search(pick());
      case op::add: return add(pick());
      case op::upsert: return upsert(pick());
      case op::delete_ids: return delete_ids(pick());
      case op::delete_filter: return delete_filter(pick());
      case op::create: return create();
      case op::drop: return drop();
    }
    return result::failed;
  }

  target pick() {
    if (churn_.exists && rng_() % 10 == 0)
      return {&churn_.params, &churn_.items, true};
    size_t i = rng_() % run_.stable.size();
    return {&run_.stable[i], &mine_[i], false};
  }

  std::vector<float> random_vector(uint32_t dim) {
    std::uniform_real_distribution<float> u{-1, 1};
    std::vector<float> v(dim);
    for (auto& x : v)
      x = u(rng_);
    return v;
  }

  // Sorts out an error answer: a refusal is fine, anything else breaks
  // the invariant that every reply is well-formed.
  result refused_or_failed(const error& e, std::string_view what) {
    if (is_refusal(e))
      return result::refused;
    run_.violate(
      fmt::format("{} {}: {} ({})", tag_, what, e.message, to_string(e.code)));
    return result::failed;
  }
  result hung(std::string_view what) {
    run_.violate(fmt::format("{} {}: no answer in {} ms (deadlock?)", tag_,
                             what, run_.o.watchdog.count()));
    return result::failed;
  }
  result broken(std::string what) {
    run_.violate(tag_ + " " + std::move(what));
    return result::failed;
  }

  // Well-formed hits: at most k, nearest first, every one with an id.
  bool well_formed(const std::vector<search_hit>& hits) {
    if (hits.size() > search_k)
      return false;
    for (size_t i = 0; i < hits.size(); ++i)
      if (hits[i].id.empty()
          || (i > 0 && hits[i].distance < hits[i - 1].distance))
        return false;
    return true;
  }

  result search(const target& t) {
    auto idx = run_.table->find(t.params->name);
    if (!idx)
      return broken("live index '" + t.params->name + "' not in the table");
    auto q = random_vector(t.params->dimension);
    auto hits = idx->search(q, search_k, std::nullopt);
    if (!hits)
      return refused_or_failed(hits.error(), "search");
    if (!well_formed(*hits))
      return broken("search of '" + t.params->name + "': malformed hits");
    return result::done;
  }

  // A search for `id`'s vector must find it: with the index's own beam,
  // or else (a rare HNSW miss) with a beam as large as the index.
  result find_item(const target& t, const std::string& id,
                   const std::vector<float>& v) {
    auto idx = run_.table->find(t.params->name);
    if (!idx)
      return broken("index '" + t.params->name + "' gone after an add");
    auto has = [&](size_t ef) {
      auto hits = idx->search(v, search_k, ef);
      return hits && std::ranges::any_of(*hits, [&](const search_hit& h) {
               return h.id == id;
             });
    };
    if (has(std::max<size_t>(search_k, t.params->ef_search)))
      return result::done;
    ++recall_retries;
    if (has(std::min<size_t>(index_limits::max_ef_search, idx->length())))
      return result::done;
    return broken("search for just-added '" + id + "' in '" + t.params->name
                  + "' did not find it");
  }

  // Length after a change: exactly this client's items in its churn
  // index; at least them in a shared one.
  result check_length(const target& t, size_t length, std::string_view what) {
    bool ok = t.churn ? length == t.own->size() : length >= t.own->size();
    if (ok)
      return result::done;
    return broken(fmt::format("{} on '{}': length {} with {} of its own items",
                              what, t.params->name, length, t.own->size()));
  }

  result apply_add(const target& t, add_batch batch, std::string_view what) {
    auto ids = batch.ids;
    auto vectors = batch.vectors;
    auto n = ids.size();
    auto r = await<add_result>(run_, [&](auto done) {
      run_.registry->add(t.params->name, std::move(batch), done);
    });
    if (!r)
      return hung(what);
    if (!*r)
      return refused_or_failed(r->error(), what);
    if ((*r)->added != n)
      return broken(
        fmt::format("{} of {} items answered added={}", what, n, (*r)->added));
    uint32_t dim = t.params->dimension;
    for (size_t i = 0; i < n; ++i)
      (*t.own)[ids[i]].assign(vectors.begin() + i * dim,
                              vectors.begin() + (i + 1) * dim);
    if (auto ok = check_length(t, (*r)->length, what); ok != result::done)
      return ok;
    size_t probe = rng_() % n;
    return find_item(t, ids[probe], (*t.own)[ids[probe]]);
  }

  add_batch batch_for(const target& t) {
    add_batch b;
    b.dimension = t.params->dimension;
    return b;
  }
  void append(add_batch& b, std::string id) {
    b.ids.push_back(std::move(id));
    auto v = random_vector(b.dimension);
    b.vectors.insert(b.vectors.end(), v.begin(), v.end());
    b.metadata.push_back("{\"client\":\"" + tag_ + "\"}");
  }

  result add(const target& t) {
    auto b = batch_for(t);
    size_t n = 1 + rng_() % 32;
    for (size_t i = 0; i < n; ++i)
      append(b, tag_ + "-" + std::to_string(next_id_++));
    return apply_add(t, std::move(b), "add");
  }

  // Up to n distinct live ids of this client in the target, at random.
  std::vector<std::string> some_own(const target& t, size_t n) {
    std::vector<std::string> all;
    for (auto& [id, v] : *t.own)
      all.push_back(id);
    std::shuffle(all.begin(), all.end(), rng_);
    all.resize(std::min(n, all.size()));
    return all;
  }

  result upsert(const target& t) {
    auto ids = some_own(t, 1 + rng_() % 8);
    if (ids.empty())
      return add(t);
    auto b = batch_for(t);
    for (auto& id : ids)
      append(b, id);
    return apply_add(t, std::move(b), "upsert");
  }

  result apply_delete(const target& t, delete_request req, size_t expected,
                      std::string_view what) {
    auto r = await<delete_result>(run_, [&](auto done) {
      run_.registry->remove(t.params->name, std::move(req), done);
    });
    if (!r)
      return hung(what);
    if (!*r)
      return refused_or_failed(r->error(), what);
    if ((*r)->deleted != expected)
      return broken(fmt::format("{} on '{}' answered deleted={}, expected {}",
                                what, t.params->name, (*r)->deleted, expected));
    return result::done;
  }

  result delete_ids(const target& t) {
    auto ids = some_own(t, 1 + rng_() % 8);
    if (ids.empty())
      return add(t);
    delete_request req;
    req.ids = ids;
    req.ids.push_back(tag_ + "-never-added"); // unknown ids are skipped
    auto outcome = apply_delete(t, std::move(req), ids.size(), "delete");
    if (outcome == result::done && !run_.o.forget_deletes)
      for (auto& id : ids)
        t.own->erase(id);
    return outcome;
  }

  result delete_filter(const target& t) {
    delete_request req;
    req.where = client_filter(tag_);
    auto outcome = apply_delete(t, std::move(req), t.own->size(),
                                "delete by filter");
    if (outcome == result::done && !run_.o.forget_deletes)
      t.own->clear();
    return outcome;
  }

  result create() {
    auto params = churn_.params;
    params.dimension = run_.o.dimensions[rng_() % run_.o.dimensions.size()];
    params.space = rng_() % 2 ? metric::cosine : metric::l2;
    auto r = await<index_info>(run_, [&](auto done) {
      run_.registry->create(params, done);
    });
    if (!r)
      return hung("create");
    if (churn_.exists) {
      if (!*r && r->error().code == ec::already_exists)
        return result::done;
      if (!*r)
        return refused_or_failed(r->error(), "second create");
      return broken("create of existing '" + params.name + "' succeeded");
    }
    if (!*r)
      return refused_or_failed(r->error(), "create");
    if ((*r)->params.name != params.name || (*r)->length != 0)
      return broken("create of '" + params.name + "' answered another index");
    churn_.params = params;
    churn_.exists = true;
    return result::done;
  }

  result drop() {
    auto& name = churn_.params.name;
    auto r = await<void>(run_,
                         [&](auto done) { run_.registry->drop(name, done); });
    if (!r)
      return hung("drop");
    if (!churn_.exists) {
      if (!*r && r->error().code == ec::not_found)
        return result::done;
      return *r ? broken("drop of missing '" + name + "' succeeded")
                : refused_or_failed(r->error(), "drop of missing");
    }
    if (!*r)
      return refused_or_failed(r->error(), "drop");
    churn_.exists = false;
    churn_.items.clear();
    // A dropped index answers not-found, to reads and to changes.
    if (run_.table->find(name))
      return broken("dropped '" + name + "' still in the table");
    auto b = batch_for({&churn_.params, &churn_.items, true});
    append(b, tag_ + "-late");
    auto late = await<add_result>(run_, [&](auto done) {
      run_.registry->add(name, std::move(b), done);
    });
    if (!late)
      return hung("add after drop");
    if (*late || late->error().code != ec::not_found)
      return broken("add to dropped '" + name + "' did not answer not_found");
    return result::done;
  }

  shared_run& run_;
  size_t me_;
  std::string tag_;
  std::mt19937 rng_;
  std::vector<items> mine_; // per stable index
  size_t next_id_ = 0;
  struct {
    index_params params;
    bool exists = false;
    client::items items;
  } churn_;
};

caf::actor_system_config& actor_config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    c.set("logger.file-verbosity", caf::atom("quiet"));
    c.set("logger.console-verbosity", caf::atom("quiet"));
    add_error_renderer(c);
    return c;
  }();
  return cfg;
}

template <class Done>
void wait_until(Done done, std::chrono::seconds max) {
  auto until = clock::now() + max;
  while (!done() && clock::now() < until)
    std::this_thread::sleep_for(5ms);
}

// The indexes the clients leave, and the length each must have.
using lengths = std::map<std::string, size_t>;

// At rest: every index holds exactly its clients' live items.
lengths check_at_rest(shared_run& run, const std::vector<client>& clients,
                      report& out) {
  lengths expect;
  for (size_t i = 0; i < run.stable.size(); ++i) {
    auto& name = run.stable[i].name;
    auto idx = run.table->find(name);
    if (!idx) {
      run.violate("at rest: '" + name + "' is gone");
      continue;
    }
    size_t want = 0;
    std::vector<std::string> ids;
    for (auto& c : clients)
      for (auto& [id, v] : c.mine()[i]) {
        ++want;
        ids.push_back(id);
      }
    expect[name] = want;
    if (idx->length() != want)
      run.violate(fmt::format("at rest: '{}' has length {}, its clients "
                              "hold {} live ids",
                              name, idx->length(), want));
    for (size_t at = 0; at < ids.size(); at += index_limits::max_get_ids) {
      auto end = std::min(ids.size(), at + index_limits::max_get_ids);
      auto got = idx->get(std::span{ids}.subspan(at, end - at), false);
      if (!got || !got->missing.empty())
        run.violate(fmt::format("at rest: '{}' lacks {} acknowledged items",
                                name, got ? got->missing.size() : end - at));
    }
    out.items_at_end += want;
  }
  for (auto& c : clients) {
    auto idx = run.table->find(c.churn_name());
    if (c.churn_exists() != static_cast<bool>(idx))
      run.violate("at rest: churn index '" + c.churn_name() + "' is "
                  + (idx ? "there after its drop" : "missing"));
    if (idx && idx->length() != c.churn_items())
      run.violate(fmt::format("at rest: '{}' has length {}, expected {}",
                              c.churn_name(), idx->length(), c.churn_items()));
    if (idx)
      expect[c.churn_name()] = c.churn_items();
  }
  return expect;
}

// The service over an embedded RocksDB (or none), as lakehouse runs it.
struct service {
  std::shared_ptr<rocks_store> rocks;
  caf::actor_system sys{actor_config()};
  vector_service svc;

  explicit service(const std::filesystem::path& dir) {
    store_actor store;
    if (!dir.empty()) {
      auto opened = rocks_store::open({.path = dir.string(), .sync = false});
      if (!opened)
        throw std::runtime_error("open RocksDB: " + opened.error().message);
      rocks = std::move(*opened);
      store = spawn_rocks_store(sys, rocks, 2);
    }
    svc = start_vector_service(sys, store, {}, rocks);
    wait_until([&] { return svc.status->rehydration().done(); }, 60s);
  }
  ~service() { stop_vector_service(sys, svc, 30s); }
};

void check_after_restart(const std::filesystem::path& dir,
                         const lengths& expect, shared_run& run) {
  service back{dir};
  if (!back.svc.status->rehydration().done())
    return run.violate("after restart: rehydration not done in 60 s");
  auto names = back.svc.table->names();
  if (names.size() != expect.size())
    run.violate(fmt::format("after restart: {} indexes, expected {}",
                            names.size(), expect.size()));
  for (auto& [name, length] : expect) {
    auto idx = back.svc.table->find(name);
    if (!idx)
      run.violate("after restart: '" + name + "' is missing");
    else if (idx->length() != length)
      run.violate(fmt::format("after restart: '{}' has length {}, expected {}",
                              name, idx->length(), length));
  }
}

} // namespace

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  auto at = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + at, v.end());
  return v[at];
}

std::string_view op_name(op o) {
  static constexpr std::array<std::string_view, op_count> names{
    "search", "add", "upsert", "delete", "delete_filter", "create", "drop"};
  return names[static_cast<size_t>(o)];
}

std::string report::table() const {
  std::string out = fmt::format("{:<14} {:>9} {:>8} {:>10} {:>9} {:>9} {:>9}\n",
                                "op", "done", "refused", "per s", "p50 ms",
                                "p99 ms", "max ms");
  for (size_t i = 0; i < op_count; ++i) {
    auto& s = ops[i];
    auto max = s.latency_us.empty() ? 0.0
                                    : *std::ranges::max_element(s.latency_us);
    out += fmt::format("{:<14} {:>9} {:>8} {:>10.0f} {:>9.3f} {:>9.3f} "
                       "{:>9.3f}\n",
                       op_name(static_cast<op>(i)), s.done, s.refused,
                       static_cast<double>(s.done) / seconds,
                       percentile(s.latency_us, 0.5) / 1000,
                       percentile(s.latency_us, 0.99) / 1000, max / 1000);
  }
  return out;
}

report run(const options& o) {
  report out;
  std::filesystem::path dir;
  if (o.persistent) {
    dir = std::filesystem::temp_directory_path()
          / fmt::format("lh-actor-load-{}-{}", ::getpid(), o.seed);
    std::filesystem::remove_all(dir);
  }
  shared_run run{o};
  lengths expect;
  {
    service s{dir};
    run.registry = make_registry_bridge(s.sys, s.svc.registry,
                                        s.svc.max_waiting_requests);
    run.table = s.svc.table;
    for (size_t i = 0; i < o.indexes; ++i) {
      index_params p{"load-" + std::to_string(i),
                     o.dimensions[i % o.dimensions.size()],
                     i % 2 ? metric::cosine : metric::l2};
      auto r = await<index_info>(run, [&](auto done) {
        run.registry->create(p, done);
      });
      if (!r || !*r) {
        run.violate("create of '" + p.name + "' failed");
        break;
      }
      run.stable.push_back(p);
    }
    std::vector<client> clients;
    clients.reserve(o.clients);
    for (size_t c = 0; c < o.clients; ++c)
      clients.emplace_back(run, c);
    auto start = clock::now();
    std::vector<std::thread> threads;
    if (run.stable.size() == o.indexes)
      for (auto& c : clients)
        threads.emplace_back([&c] { c.loop(); });
    std::thread timer{[&] {
      while (!run.stop && clock::now() - start < o.duration)
        std::this_thread::sleep_for(10ms);
      run.stop = true;
    }};
    for (auto& t : threads)
      t.join();
    timer.join();
    out.seconds = std::chrono::duration<double>(clock::now() - start).count();
    for (auto& c : clients) {
      for (size_t i = 0; i < op_count; ++i) {
        auto& to = out.ops[i];
        auto& from = c.stats[i];
        to.done += from.done;
        to.refused += from.refused;
        to.latency_us.insert(to.latency_us.end(), from.latency_us.begin(),
                             from.latency_us.end());
      }
      out.recall_retries += c.recall_retries;
    }
    bool clean = run.violations.empty();
    if (clean)
      expect = check_at_rest(run, clients, out);
    run.registry.reset();
    run.table.reset();
  } // saves what is pending, stops the service
  if (o.persistent && run.violations.empty()) {
    check_after_restart(dir, expect, run);
    out.restart_checked = true;
  }
  if (o.persistent)
    std::filesystem::remove_all(dir);
  out.violations = run.violations;
  return out;
}

} // namespace lh::load
