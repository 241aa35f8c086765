#include "http/vector_json.hpp"

#include "config/request_limits.hpp"
#include "http/item_json.hpp"
#include "http/message.hpp"

#include <gtest/gtest.h>

namespace {

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

template <class T>
std::string refusal(const lh::expected<T>& r) {
  EXPECT_FALSE(r) << "accepted";
  if (r)
    return {};
  EXPECT_EQ(r.error().code, lh::ec::invalid_argument);
  return r.error().message;
}

std::string nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i)
    s += "{\"a\":";
  s += "1";
  for (int i = 0; i < depth; ++i)
    s += "}";
  return s;
}

} // namespace

TEST(vector_json, parses_create_with_defaults) {
  auto p = lh::json::parse_create(
    R"({"name":"docs","dimension":8,"distance":"cosine"})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->name, "docs");
  EXPECT_EQ(p->dimension, 8u);
  EXPECT_EQ(p->space, lh::metric::cosine);
  EXPECT_EQ(p->m, 16u);
  EXPECT_EQ(p->ef_search, 64u);
  auto q = lh::json::parse_create(
    R"({"name":"x","dimension":2,"distance":"l2","m":8,"ef_construction":100,"ef_search":32})");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->m, 8u);
  EXPECT_EQ(q->ef_construction, 100u);
  EXPECT_EQ(q->ef_search, 32u);
}

TEST(vector_json, refuses_bad_create_requests) {
  using lh::json::parse_create;
  EXPECT_TRUE(has(refusal(parse_create(R"({"dimension":8,"distance":"l2"})")),
                  "name is required"));
  EXPECT_TRUE(has(refusal(parse_create(R"({"name":"a","distance":"l2"})")),
                  "dimension is required"));
  EXPECT_TRUE(
    has(refusal(parse_create(R"({"name":"a","dimension":8})")), "distance"));
  EXPECT_TRUE(has(
    refusal(parse_create(R"({"name":"a","dimension":8,"distance":"hamming"})")),
    "hamming"));
  EXPECT_TRUE(
    has(refusal(parse_create(R"({"name":"a","dimension":0,"distance":"l2"})")),
        "dimension"));
  EXPECT_TRUE(has(
    refusal(parse_create(R"({"name":"a","dimension":4097,"distance":"l2"})")),
    "dimension"));
  EXPECT_TRUE(has(
    refusal(parse_create(R"({"name":"a","dimension":"8","distance":"l2"})")),
    "dimension must be an integer"));
  EXPECT_TRUE(has(
    refusal(parse_create(R"({"name":"a","dimension":8.5,"distance":"l2"})")),
    "dimension"));
  EXPECT_TRUE(has(refusal(parse_create(
                    R"({"name":"a","dimension":8,"distance":"l2","m":3})")),
                  "m must be"));
  EXPECT_TRUE(has(refusal(parse_create(
                    R"({"name":"a","dimension":8,"distance":"l2","m":65})")),
                  "m must be"));
  EXPECT_TRUE(
    has(refusal(parse_create(
          R"({"name":"a","dimension":8,"distance":"l2","ef_construction":1})")),
        "ef_construction"));
  EXPECT_TRUE(
    has(refusal(parse_create(
          R"({"name":"a","dimension":8,"distance":"l2","ef_search":0})")),
        "ef_search"));
  EXPECT_TRUE(has(
    refusal(parse_create(R"({"name":"a b","dimension":8,"distance":"l2"})")),
    "may only contain"));
  EXPECT_TRUE(has(refusal(parse_create(
                    R"({"name":"a","dimension":8,"distance":"l2","x":1})")),
                  "unknown field 'x'"));
  EXPECT_TRUE(has(refusal(parse_create("[1,2]")), "must be a JSON object"));
  EXPECT_FALSE(parse_create("{\"name\":"));
  EXPECT_FALSE(parse_create(R"({"name":"a","dimension":8,"distance":"l2"} x)"));
  EXPECT_FALSE(parse_create(
    R"({"name":"a","dimension":18446744073709551616,"distance":"l2"})"));
}

TEST(vector_json, parses_add_batches_with_metadata) {
  auto b = lh::json::parse_add(
    R"({"items":[{"id":"a","vector":[1,2.5,-3e-2],"metadata":{"k":[1,{"x":null}]}},
                 {"vector":[0,0,1],"id":"b"},{"id":"c","vector":[1,1,1],"metadata":null}]})",
    3);
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->size(), 3u);
  EXPECT_EQ(b->ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(b->vectors,
            (std::vector<float>{1, 2.5f, -3e-2f, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(b->metadata[0], R"({"k":[1,{"x":null}]})");
  EXPECT_EQ(b->metadata[1], "");
  EXPECT_EQ(b->metadata[2], "");
}

// With its padding room, as the server's bodies have it.
std::string padded(std::string_view text) {
  std::string s{text};
  s.reserve(s.size() + 64);
  return s;
}

// A large body is parsed item by item (split_above 0 makes every body
// large): the same batch, and the same refusals, as parsing it whole.
TEST(vector_json, an_add_split_into_items_reads_as_the_whole_body) {
  using lh::json::parse_add;
  auto body = padded(
    R"({"items":[{"id":"a","vector":[1,2.5,-3e-2],"metadata":{"k":[1,{"x":"]"}]}},
                 {"vector":[0,0,1],"id":"b"},{"id":"c","vector":[1,1,1],"metadata":null}]})");
  auto whole = parse_add(body, 3);
  auto split = parse_add(body, 3, 0);
  ASSERT_TRUE(whole) << whole.error().message;
  ASSERT_TRUE(split) << split.error().message;
  EXPECT_EQ(split->ids, whole->ids);
  EXPECT_EQ(split->vectors, whole->vectors);
  EXPECT_EQ(split->metadata, whole->metadata);
  for (std::string_view bad :
       {R"({"items":[{"id":"a","vector":[1,2]},{"id":"b","vector":[1]}]})",
        R"({"items":[{"id":"a","vector":[1,"2"]}]})",
        R"({"items":[{"id":"a","vector":[1,2],"extra":1}]})",
        R"({"items":[{"id":"a","vector":[1,2]}, 5]})",
        R"({"items":[{"id":"a","vector":[1,2]},{"id":"b"}]})"}) {
    auto text = padded(bad);
    EXPECT_EQ(refusal(parse_add(text, 2, 0)), refusal(parse_add(text, 2)))
      << bad;
  }
  // Not splittable (another key; JSON broken between items): parsed whole.
  for (std::string_view bad : {R"({"items":[],"x":1})",
                               R"({"items":[{"id":"a","vector":[1,2]} {]})"}) {
    auto text = padded(bad);
    EXPECT_EQ(refusal(parse_add(text, 2, 0)), refusal(parse_add(text, 2)))
      << bad;
  }
  // Broken inside an item: refused, naming the item.
  auto broken = padded(
    R"({"items":[{"id":"a","vector":[1,2]},{"id":"b","vector":[1,2}]})");
  EXPECT_FALSE(parse_add(broken, 2, 0));
  EXPECT_FALSE(parse_add(broken, 2));
  {
    lh::request_limits one_item;
    one_item.max_batch_items = 1;
    lh::scoped_request_limits few{one_item};
    auto two = padded(
      R"({"items":[{"id":"a","vector":[1,2]},{"id":"b","vector":[1,2]}]})");
    EXPECT_TRUE(has(refusal(parse_add(two, 2, 0)), "limits.max_batch_items"));
  }
}

TEST(vector_json, add_errors_name_the_item) {
  using lh::json::parse_add;
  auto msg = refusal(parse_add(
    R"({"items":[{"id":"a","vector":[1,2]},{"id":"b","vector":[1]}]})", 2));
  EXPECT_TRUE(has(msg, "item 1")) << msg;
  EXPECT_TRUE(has(msg, "1 values")) << msg;
  msg = refusal(parse_add(R"({"items":[{"id":"a","vector":[1,2,3]}]})", 2));
  EXPECT_TRUE(has(msg, "item 0")) << msg;
  msg = refusal(parse_add(R"({"items":[{"id":"a","vector":[1,"2"]}]})", 2));
  EXPECT_TRUE(has(msg, "value 1 is not a number")) << msg;
  msg = refusal(parse_add(R"({"items":[{"id":"a","vector":[1,1e39]}]})", 2));
  EXPECT_TRUE(has(msg, "float32 range")) << msg;
  EXPECT_FALSE(parse_add(R"({"items":[{"id":"a","vector":[1,1e400]}]})", 2));
  msg = refusal(parse_add(R"({"items":[{"id":5,"vector":[1,2]}]})", 2));
  EXPECT_TRUE(has(msg, "id must be a string")) << msg;
  msg = refusal(parse_add(R"({"items":[{"vector":[1,2]}]})", 2));
  EXPECT_TRUE(has(msg, "id is required")) << msg;
  msg = refusal(parse_add(R"({"items":[{"id":"a"}]})", 2));
  EXPECT_TRUE(has(msg, "vector is required")) << msg;
  msg = refusal(
    parse_add(R"({"items":[{"id":"a","vector":[1,2],"metadata":[1]}]})", 2));
  EXPECT_TRUE(has(msg, "metadata must be a JSON object")) << msg;
  msg = refusal(
    parse_add(R"({"items":[{"id":"a","vector":[1,2],"metadata":"x"}]})", 2));
  EXPECT_TRUE(has(msg, "metadata must be a JSON object")) << msg;
  msg = refusal(
    parse_add(R"({"items":[{"id":"a","vector":[1,2],"extra":1}]})", 2));
  EXPECT_TRUE(has(msg, "unknown field 'extra'")) << msg;
  EXPECT_TRUE(has(refusal(parse_add(R"({"things":[]})", 2)), "unknown field"));
  EXPECT_TRUE(has(refusal(parse_add(R"({})", 2)), "items is required"));
  EXPECT_TRUE(has(refusal(parse_add(R"({"items":{}})", 2)), "array"));
}

TEST(vector_json, metadata_deeper_than_the_limit_is_refused) {
  auto ok = lh::json::parse_add(
    R"({"items":[{"id":"a","vector":[1],"metadata":)" + nested(60) + "}]}", 1);
  EXPECT_TRUE(ok) << ok.error().message;
  auto msg = refusal(lh::json::parse_add(
    R"({"items":[{"id":"a","vector":[1],"metadata":)" + nested(80) + "}]}", 1));
  EXPECT_TRUE(has(msg, "deeper")) << msg;
}

// Every refusal of a configured limit names its key, and a lowered limit
// takes effect at once.
TEST(vector_json, configured_limits_bound_batches_k_dimension_and_metadata) {
  using namespace lh::json;
  auto items = [](size_t n, std::string metadata = "") {
    std::string body = R"({"items":[)";
    for (size_t i = 0; i < n; ++i)
      body += (i ? "," : "") + std::string{R"({"id":"i)"} + std::to_string(i)
              + R"(","vector":[1])"
              + (metadata.empty() ? "" : R"(,"metadata":)" + metadata) + "}";
    return body + "]}";
  };
  lh::request_limits l;
  l.max_batch_items = 3;
  l.max_k = 5;
  l.max_dimension = 8;
  l.max_metadata_bytes = 16;
  l.max_json_depth = 10;
  lh::scoped_request_limits scoped{l};
  EXPECT_TRUE(parse_add(items(3), 1));
  auto msg = refusal(parse_add(items(4), 1));
  EXPECT_TRUE(has(msg, "more than 3 items (limits.max_batch_items)")) << msg;
  EXPECT_TRUE(parse_search(R"({"vector":[1],"k":5})"));
  msg = refusal(parse_search(R"({"vector":[1],"k":6})"));
  EXPECT_TRUE(has(msg, "k must be an integer in 1..5 (limits.max_k)")) << msg;
  EXPECT_TRUE(parse_create(R"({"name":"a","dimension":8,"distance":"l2"})"));
  msg = refusal(parse_create(R"({"name":"a","dimension":9,"distance":"l2"})"));
  EXPECT_TRUE(has(msg, "1..8 (limits.max_dimension)")) << msg;
  // A query longer than a lowered max_dimension still reads: the index
  // (which may predate the limit) checks its own dimension.
  EXPECT_TRUE(parse_search(R"({"vector":[1,2,3,4,5,6,7,8,9,10]})"));
  EXPECT_TRUE(parse_add(items(1, R"({"a":"0123456"})"), 1));  // 15 bytes
  EXPECT_TRUE(parse_add(items(1, R"({"a":"01234567"})"), 1)); // 16 bytes
  msg = refusal(parse_add(items(1, R"({"a":"012345678"})"), 1));
  EXPECT_TRUE(has(msg, "over the limit of 16 (limits.max_metadata_bytes)"))
    << msg;
  // Metadata may nest max_json_depth - 3 levels (the request's own three).
  l.max_metadata_bytes = 1024;
  lh::scoped_request_limits roomier{l};
  EXPECT_TRUE(parse_add(items(1, nested(7)), 1));
  msg = refusal(parse_add(items(1, nested(8)), 1));
  EXPECT_TRUE(has(msg, "nests deeper than 7 levels (limits.max_json_depth)"))
    << msg;
}

TEST(vector_json, invalid_metadata_inside_is_refused) {
  // On-demand parsing would skip these; metadata is stored raw, so it is
  // validated whole.
  EXPECT_FALSE(lh::json::parse_add(
    R"({"items":[{"id":"a","vector":[1],"metadata":{"x":01}}]})", 1));
  EXPECT_FALSE(lh::json::parse_add(
    R"({"items":[{"id":"a","vector":[1],"metadata":{"x":tru}}]})", 1));
}

TEST(vector_json, parses_search_requests) {
  auto s = lh::json::parse_search(R"({"vector":[1,2],"k":5,"ef":40})");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->vector, (std::vector<float>{1, 2}));
  EXPECT_EQ(s->k, 5u);
  EXPECT_EQ(s->ef, 40u);
  auto d = lh::json::parse_search(R"({"vector":[1]})");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->k, 10u);
  EXPECT_FALSE(d->ef);
}

// A body with simdjson's padding room after it is parsed in place: what
// lies in that room (here the rest of a valid request) is never read.
TEST(vector_json, a_body_with_padding_room_parses_in_place_and_only_itself) {
  auto in_room = [](std::string text, std::string after) {
    std::string body;
    body.reserve(text.size() + after.size() + lh::http::body_padding);
    body.assign(text).append(after); // in the reserved buffer
    body.resize(text.size());        // `after` stays in the room behind the end
    EXPECT_GE(body.capacity() - body.size(), lh::http::body_padding);
    return body;
  };
  auto s = lh::json::parse_search(in_room(R"({"vector":[1,2],"k":5})", "}"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->vector, (std::vector<float>{1, 2}));
  EXPECT_EQ(s->k, 5u);
  EXPECT_FALSE(lh::json::parse_search(in_room(R"({"vector":[1)", "]}")));
  EXPECT_FALSE(lh::json::parse_search(in_room(R"({"vector":[1]} x)", "")));
}

TEST(vector_json, refuses_bad_search_requests) {
  using lh::json::parse_search;
  EXPECT_TRUE(has(refusal(parse_search(R"({"vector":[1],"k":0})")), "k"));
  EXPECT_TRUE(has(refusal(parse_search(R"({"vector":[1],"k":1001})")), "k"));
  EXPECT_TRUE(has(refusal(parse_search(R"({"vector":[1],"k":"5"})")), "k"));
  EXPECT_TRUE(has(refusal(parse_search(R"({"vector":[1],"k":-1})")), "k"));
  EXPECT_TRUE(has(refusal(parse_search(R"({"vector":[1],"ef":0})")), "ef"));
  EXPECT_TRUE(has(refusal(parse_search(R"({"k":1})")), "vector is required"));
  EXPECT_TRUE(
    has(refusal(parse_search(R"({"vector":[[1]]})")), "not a number"));
  EXPECT_FALSE(parse_search(R"({"vector":[1]}})"));
  EXPECT_FALSE(parse_search(R"({"vector":[1]} [])"));
  EXPECT_FALSE(parse_search(""));
  EXPECT_FALSE(parse_search("nul"));
}

TEST(vector_json, parses_search_batches_and_names_the_bad_search) {
  using lh::json::parse_search_batch;
  auto b = parse_search_batch(
    R"({"searches":[{"vector":[1,2],"k":3},{"vector":[3],"ef":9,)"
    R"("with_metadata":false,"filter":{"must":[{"key":"a","match":{"value":1}}]}}]})");
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->size(), 2u);
  EXPECT_EQ((*b)[0].vector, (std::vector<float>{1, 2}));
  EXPECT_EQ((*b)[0].k, 3u);
  EXPECT_EQ((*b)[1].ef, 9u);
  EXPECT_FALSE((*b)[1].with_metadata);
  EXPECT_TRUE((*b)[1].where);
  auto msg = refusal(parse_search_batch(
    R"({"searches":[{"vector":[1]},{"vector":[1],"k":0}]})"));
  EXPECT_TRUE(has(msg, "searches[1]: k must be")) << msg;
  msg = refusal(parse_search_batch(R"({"searches":[{"vector":[1]},{"k":1}]})"));
  EXPECT_TRUE(has(msg, "searches[1]: vector is required")) << msg;
  msg = refusal(parse_search_batch(R"({"searches":[{"vector":[1],"x":1}]})"));
  EXPECT_TRUE(has(msg, "searches[0]: unknown field 'x'")) << msg;
  EXPECT_TRUE(
    has(refusal(parse_search_batch(R"({"searches":[]})")), "1..1000"));
  EXPECT_TRUE(has(refusal(parse_search_batch(R"({"searches":[1]})")),
                  "searches[0]: must be an object"));
  EXPECT_TRUE(
    has(refusal(parse_search_batch(R"({})")), "searches is required"));
  EXPECT_TRUE(has(refusal(parse_search_batch(R"({"searches":{}})")), "array"));
}

TEST(vector_json, renders_results_and_info) {
  std::vector<lh::search_hit> hits{{"a\"b", 0.5f, R"({"x":1})", {}},
                                   {"c", 1.25f, "", {}}};
  EXPECT_EQ(lh::json::render_hits(hits),
            R"({"results":[{"id":"a\"b","distance":0.5,"metadata":{"x":1}},)"
            R"({"id":"c","distance":1.25,"metadata":null}]})");
  EXPECT_EQ(lh::json::render_hits({}), R"({"results":[]})");
  lh::index_info info{{"docs", 8, lh::metric::dot, 12, 100, 50}, 7, 2, 99};
  EXPECT_EQ(lh::json::render_info(info),
            R"({"name":"docs","dimension":8,"distance":"dot","m":12,)"
            R"("ef_construction":100,"ef_search":50,"length":7,)"
            R"("deleted_slots":2,"metadata_index_bytes":99})");
  std::vector<lh::search_hit> with_vectors{{"v", 0, "", {1.5f, -2}}};
  EXPECT_EQ(lh::json::render_hits(with_vectors, false),
            R"({"results":[{"id":"v","distance":0,"vector":[1.5,-2]}]})");
  EXPECT_EQ(lh::json::render_add({3, 10}), R"({"added":3,"length":10})");
}

TEST(vector_json, search_reads_filter_and_what_to_return) {
  auto r = lh::json::parse_search(
    R"({"vector":[1,2],"filter":{"must":[{"key":"a","match":{"value":1}}]},)"
    R"("with_metadata":false,"with_vector":true})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->where);
  EXPECT_EQ(r->where->must.size(), 1u);
  EXPECT_FALSE(r->with_metadata);
  EXPECT_TRUE(r->with_vector);
  auto plain = lh::json::parse_search(R"({"vector":[1,2]})");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->where);
  EXPECT_TRUE(plain->with_metadata);
  EXPECT_FALSE(plain->with_vector);
  auto bad = lh::json::parse_search(
    R"({"vector":[1,2],"filter":{"must":[{"key":"a","range":{}}]}})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("filter.must[0].range"), std::string::npos)
    << bad.error().message;
}

TEST(vector_json, floats_render_as_shortest_round_trip) {
  std::string out;
  lh::json::append_float(out, 0.1f);
  EXPECT_EQ(out, "0.1");
  out.clear();
  lh::json::append_float(out, 1e-7f);
  EXPECT_EQ(std::stof(out), 1e-7f);
}

TEST(vector_json, a_key_twice_in_one_object_is_refused_everywhere) {
  // Issue 13: these were last-wins, both-applied or kept verbatim.
  auto twice = [](const lh::expected<void>& r) {
    return !r && r.error().code == lh::ec::invalid_argument
           && r.error().message.find("appears twice") != std::string::npos;
  };
  auto as_void = [](const auto& r) -> lh::expected<void> {
    if (!r)
      return r.error();
    return {};
  };
  using namespace lh::json;
  EXPECT_TRUE(twice(as_void(
    parse_create(R"({"name":"a","name":"b","dimension":2,"distance":"l2"})"))));
  EXPECT_TRUE(twice(as_void(parse_add(
    R"({"items":[{"id":"a","vector":[1,2]}],"items":[{"id":"b","vector":[1,2]}]})",
    2))));
  EXPECT_TRUE(twice(as_void(
    parse_add(R"({"items":[{"id":"a","vector":[1,2],"vector":[3,4]}]})", 2))));
  EXPECT_TRUE(twice(as_void(parse_add(
    R"({"items":[{"id":"a","vector":[1,2],"metadata":{"t":1,"t":2}}]})", 2))));
  EXPECT_TRUE(twice(as_void(parse_add(
    R"({"items":[{"id":"a","vector":[1,2],"metadata":{"x":[{"b":1,"b":2}]}}]})",
    2))));
  EXPECT_TRUE(
    twice(as_void(parse_search(R"({"vector":[1,2],"k":1,"k":500})"))));
  EXPECT_TRUE(twice(as_void(parse_search(
    R"({"vector":[1,2],"filter":{"must":[{"key":"a","key":"b","match":{"value":1}}]}})"))));
  EXPECT_TRUE(twice(as_void(parse_get(R"({"ids":["a"],"ids":["b"]})"))));
  EXPECT_TRUE(twice(as_void(parse_delete(R"({"ids":["a"],"ids":["b"]})"))));
  EXPECT_TRUE(twice(as_void(
    parse_count(R"({"filter":{"must":[],"must":[{"has_id":["a"]}]}})"))));
  EXPECT_TRUE(twice(as_void(parse_scroll(R"({"limit":1,"limit":2})"))));
  // The same key in different objects is fine.
  EXPECT_TRUE(as_void(parse_add(
    R"({"items":[{"id":"a","vector":[1,2],"metadata":{"t":1,"u":{"t":2}}}]})",
    2)));
}
