#include "http/vector_routes.hpp"

#include <charconv>
#include <mutex>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "config/metrics.hpp"
#include "config/request_limits.hpp"
#include "http/error_response.hpp"
#include "http/item_json.hpp"
#include "http/vector_json.hpp"

namespace lh::http {

namespace {

// The index named by the {name} placeholder, or the error to answer: 503
// while it loads at start, 404 when there is none.
expected<std::shared_ptr<vector_index>> lookup(const index_table& table,
                                               const index_status& status,
                                               const request& req) {
  auto name = req.param("name");
  if (auto ok = validate_index_name(name); !ok)
    return ok.error();
  if (auto idx = table.find(name))
    return idx;
  if (auto why = status.blocks(name))
    return *why;
  return make_error(ec::not_found,
                    "no index named '" + std::string{name} + "'");
}

// Names per page of GET /vectors/index: by default all of a typical
// deployment's, at most ten times that.
constexpr size_t default_list_limit = 1000;
constexpr size_t max_list_limit = 10000;

struct list_query {
  size_t limit = default_list_limit;
  std::string after;
};

// ?limit= (1..max_list_limit) and ?after= (an index name) of a list.
expected<list_query> parse_list_query(std::string_view query) {
  list_query q;
  std::string raw;
  if (query_param(query, "limit", raw)) {
    auto [end, err] = std::from_chars(raw.data(), raw.data() + raw.size(),
                                      q.limit);
    if (raw.empty() || err != std::errc{} || end != raw.data() + raw.size()
        || q.limit < 1 || q.limit > max_list_limit)
      return make_error(ec::invalid_argument,
                        "limit must be an integer in 1.."
                          + std::to_string(max_list_limit));
  }
  if (query_param(query, "after", q.after))
    if (auto ok = validate_index_name(q.after); !ok)
      return make_error(ec::invalid_argument, "after: " + ok.error().message);
  return q;
}

template <class Map>
boost::json::object string_map(const Map& m) {
  boost::json::object out;
  for (auto& [key, value] : m)
    out[key] = value;
  return out;
}

// A read route: parse the body with `parse`, then answer `read(index,
// request)` on this I/O thread, under the index's shared lock like search.
template <class Parse, class Read>
handler read_route(std::shared_ptr<index_table> table,
                   std::shared_ptr<const index_status> status, Parse parse,
                   Read read) {
  return [table, status, parse, read](request& req, respond_fn respond) {
    auto idx = lookup(*table, *status, req);
    if (!idx)
      return respond(error_response(idx.error()));
    auto parsed = parse(req.body);
    if (!parsed)
      return respond(error_response(parsed.error()));
    auto body = read(**idx, *parsed);
    if (!body)
      return respond(error_response(body.error()));
    respond(json_response(std::move(*body)));
  };
}

search_query query_of(const json::search_request& s) {
  search_query q{s.vector, s.k, s.ef, s.where};
  q.with_metadata = s.with_metadata;
  q.with_vector = s.with_vector;
  return q;
}

// One batch request's searches, alive until its answer is sent: the
// queries point into `searches` (their vectors), and each answer is
// rendered into its own slot, so the pool's threads fill them in parallel.
struct batch_job {
  std::shared_ptr<vector_index> index;
  std::vector<json::search_request> searches;
  std::vector<search_query> queries;
  std::vector<std::string> answers;
  std::mutex failure_mtx;
  std::optional<error> failure;

  void run(size_t i) noexcept {
    try {
      auto hits = index->search(queries[i]);
      if (hits)
        return json::append_hits(answers[i], *hits, queries[i].with_metadata);
      fail(hits.error());
    } catch (const std::exception& e) {
      fail(make_error(ec::internal,
                      std::string{"batch search failed: "} + e.what()));
    }
  }
  void fail(error e) {
    std::lock_guard g{failure_mtx};
    failure = std::move(e);
  }
  response answer() {
    if (failure)
      return error_response(*failure);
    return json_response(json::render_batch_hits(answers));
  }
};

// POST .../search/batch: every search checked before any runs (one bad
// search is a 400 naming its position, nothing searched), then run on the
// worker pool (nullptr: this thread alone); the answers in request order.
// A batch takes milliseconds, so it leaves this I/O thread at once: its
// other connections go on being served, and its queue-delay probe does
// not take the batch's run for requests queueing up (it refused them).
handler search_batch_route(std::shared_ptr<index_table> table,
                           std::shared_ptr<const index_status> status,
                           std::shared_ptr<worker_pool> pool) {
  return [table, status, pool](request& req, respond_fn respond) {
    auto idx = lookup(*table, *status, req);
    if (!idx)
      return respond(error_response(idx.error()));
    auto searches = json::parse_search_batch(req.body);
    if (!searches)
      return respond(error_response(searches.error()));
    auto job = std::make_shared<batch_job>();
    job->index = std::move(*idx);
    job->searches = std::move(*searches);
    job->queries.reserve(job->searches.size());
    for (auto& s : job->searches) {
      auto q = query_of(s);
      if (auto ok = validate_search(job->index->params(), q); !ok)
        return respond(error_response(make_error(
          ok.error().code, "searches[" + std::to_string(job->queries.size())
                             + "]: " + ok.error().message)));
      job->queries.push_back(std::move(q));
    }
    job->answers.resize(job->queries.size());
    auto n = job->queries.size();
    if (!pool) {
      for (size_t i = 0; i < n; ++i)
        job->run(i);
      return respond(job->answer());
    }
    pool->post([job, n, pool = pool.get(), respond = std::move(respond)] {
      pool->parallel_for(n, pool->size(), [&](size_t i) { job->run(i); });
      respond(job->answer());
    });
  };
}

// Whether a change (add, delete) to the index named in the path may go
// on to its body: a missing index, a full queue of changes (429) or a
// saturated bridge (503) is answered from the head, so a refused body is
// never read into memory.
admission admit_change(std::shared_ptr<index_table> table,
                       std::shared_ptr<const index_status> status,
                       std::shared_ptr<async_registry> registry) {
  return
    [table, status, registry](const request& head) -> std::optional<response> {
      auto idx = lookup(*table, *status, head);
      if (!idx)
        return error_response(idx.error());
      if ((*idx)->queue_full()) {
        metrics::refused("index_queue_full");
        return error_response(make_error(
          ec::queue_full, "index '" + std::string{head.param("name")}
                            + "' has too many changes waiting; retry later"));
      }
      if (registry->saturated()) {
        metrics::refused("bridge_saturated");
        return error_response(make_error(
          ec::overloaded, "server saturated: too many requests wait for an "
                          "answer; retry later"));
      }
      return std::nullopt;
    };
}

// get, count and scroll read the index directly; delete goes through the
// index actor (mutations are serialized there) and is saved like an add.
void add_item_routes(router& r, const std::string& base,
                     const std::shared_ptr<index_table>& table,
                     const std::shared_ptr<const index_status>& status,
                     const std::shared_ptr<async_registry>& registry) {
  r.add(method::post, base + "/{name}/get",
        read_route(table, status, json::parse_get,
                   [](const vector_index& idx,
                      const json::get_request& g) -> expected<std::string> {
                     auto got = idx.get(g.ids, g.with_vector);
                     if (!got)
                       return got.error();
                     return json::render_get(*got);
                   }));
  r.add(method::post, base + "/{name}/count",
        read_route(table, status, json::parse_count,
                   [](const vector_index& idx,
                      const std::shared_ptr<const filter>& where)
                     -> expected<std::string> {
                     return json::render_count(idx.count(where.get()));
                   }));
  r.add(method::post, base + "/{name}/scroll",
        read_route(table, status, json::parse_scroll,
                   [](const vector_index& idx,
                      const scroll_request& s) -> expected<std::string> {
                     auto page = idx.scroll(s);
                     if (!page)
                       return page.error();
                     return json::render_scroll(*page);
                   }));
  r.add(
    method::post, base + "/{name}/delete",
    [table, status, registry](request& req, respond_fn respond) {
      auto idx = lookup(*table, *status, req);
      if (!idx)
        return respond(error_response(idx.error()));
      auto doomed = json::parse_delete(req.body);
      if (!doomed)
        return respond(error_response(doomed.error()));
      registry->remove(std::string{req.param("name")}, std::move(*doomed),
                       [respond](expected<delete_result> result) {
                         respond(result
                                   ? json_response(json::render_delete(*result))
                                   : error_response(result.error()));
                       });
    },
    std::nullopt, admit_change(table, status, registry));
}

} // namespace

readiness vector_readiness(const index_status& status) {
  auto p = status.rehydration();
  boost::json::object rehydration{{"done", p.done()},
                                  {"listed", p.listed},
                                  {"loaded", p.loaded},
                                  {"total", p.total},
                                  {"failed", string_map(p.failed)}};
  if (!p.list_error.empty())
    rehydration["list_error"] = p.list_error;
  auto failing = status.save_failures();
  // Not ready while a save fails: changes since the last good save would
  // not survive a restart, and a load balancer should know.
  bool ready = p.done() && failing.empty();
  boost::json::object detail{{"persistence",
                              status.persistent() ? "store" : "ephemeral"},
                             {"rehydration", std::move(rehydration)},
                             {"save_failures", string_map(failing)}};
  return readiness{ready, std::move(detail)};
}

void add_vector_routes(router& r, const std::shared_ptr<index_table>& table,
                       const std::shared_ptr<const index_status>& status,
                       const std::shared_ptr<async_registry>& registry,
                       const std::string& prefix,
                       std::shared_ptr<worker_pool> pool) {
  auto base = prefix + "/vectors/index";
  r.add(method::post, base, [registry](request& req, respond_fn respond) {
    auto params = json::parse_create(req.body);
    if (!params)
      return respond(error_response(params.error()));
    registry->create(std::move(*params), [respond](expected<index_info> info) {
      respond(info ? json_response(json::render_info(*info), 201)
                   : error_response(info.error()));
    });
  });
  r.add(method::get, base, [table, status](request& req, respond_fn respond) {
    // Until the store is listed, an empty list would be a lie.
    if (!status->rehydration().listed)
      return respond(error_response(make_error(
        ec::not_ready, "the indexes are still being listed from the store")));
    auto q = parse_list_query(req.query);
    if (!q)
      return respond(error_response(q.error()));
    auto page = table->names_after(q->after, q->limit);
    respond(json_response(json::render_names(page.names, page.next)));
  });
  r.add(method::get, base + "/{name}",
        [table, status](request& req, respond_fn respond) {
          auto idx = lookup(*table, *status, req);
          if (!idx)
            return respond(error_response(idx.error()));
          respond(json_response(json::render_info((*idx)->info())));
        });
  r.add(method::del, base + "/{name}",
        [registry](request& req, respond_fn respond) {
          auto name = std::string{req.param("name")};
          if (auto ok = validate_index_name(name); !ok)
            return respond(error_response(ok.error()));
          registry->drop(name, [respond, name](expected<void> ok) {
            respond(ok ? json_response(boost::json::serialize(
                      boost::json::object{{"deleted", name}}))
                       : error_response(ok.error()));
          });
        });
  r.add(
    method::post, base + "/{name}/add",
    [table, status, registry](request& req, respond_fn respond) {
      auto idx = lookup(*table, *status, req);
      if (!idx)
        return respond(error_response(idx.error()));
      auto batch = json::parse_add(req.body, (*idx)->params().dimension);
      std::string{}.swap(req.body); // parsed: its memory goes now
      if (!batch)
        return respond(error_response(batch.error()));
      registry->add(std::string{req.param("name")}, std::move(*batch),
                    [respond](expected<add_result> result) {
                      respond(result ? json_response(json::render_add(*result))
                                     : error_response(result.error()));
                    });
    },
    limits().max_add_body_bytes, admit_change(table, status, registry));
  // The hot path: parse, search under the index's shared lock, answer, all
  // on this I/O thread.
  r.add(method::post, base + "/{name}/search",
        read_route(table, status, json::parse_search,
                   [](const vector_index& idx,
                      const json::search_request& s) -> expected<std::string> {
                     auto hits = idx.search(query_of(s));
                     if (!hits)
                       return hits.error();
                     return json::render_hits(*hits, s.with_metadata);
                   }));
  r.add(method::post, base + "/{name}/search/batch",
        search_batch_route(table, status, std::move(pool)),
        // 1000 searches of a few thousand values outgrow an ordinary body.
        limits().max_add_body_bytes);
  add_item_routes(r, base, table, status, registry);
}

} // namespace lh::http
