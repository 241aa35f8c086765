// index/metadata_index against a brute-force evaluator that walks each
// item's metadata JSON (Boost.JSON, independent of the index's simdjson
// walk), on random metadata and random filters, before and after churn.
#include "index/metadata_index.hpp"

#include <random>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "http/filter_json.hpp"

namespace {

namespace bj = boost::json;
using kind = lh::filter_condition::kind;

// The values a path reaches: arrays on the way continue with each element.
void reach(const bj::value& v, const std::vector<std::string>& path,
           size_t depth, std::vector<const bj::value*>& out) {
  if (depth == path.size()) {
    out.push_back(&v);
    return;
  }
  if (auto* o = v.if_object()) {
    if (auto* next = o->if_contains(path[depth]))
      reach(*next, path, depth + 1, out);
  } else if (auto* a = v.if_array()) {
    for (auto& item : *a)
      reach(item, path, depth, out);
  }
}

// The scalars at a reached value: itself, or an array's elements (deeply).
void scalars(const bj::value& v, std::vector<const bj::value*>& out) {
  if (auto* a = v.if_array())
    for (auto& item : *a)
      scalars(item, out);
  else
    out.push_back(&v);
}

bool equals(const bj::value& v, const lh::filter_value& want) {
  if (auto* s = std::get_if<std::string>(&want))
    return v.is_string() && v.get_string() == *s;
  if (auto* i = std::get_if<int64_t>(&want))
    return v.is_number() && v.to_number<double>() == static_cast<double>(*i);
  return v.is_bool() && v.get_bool() == std::get<bool>(want);
}

bool in_range(const bj::value& v, const lh::filter_condition& c) {
  if (!v.is_number())
    return false;
  auto x = v.to_number<double>();
  return (!c.gt || x > *c.gt) && (!c.gte || x >= *c.gte) && (!c.lt || x < *c.lt)
         && (!c.lte || x <= *c.lte);
}

bool brute_matches(const lh::filter& f, const bj::value& meta,
                   const std::string& id);

bool brute_condition(const lh::filter_condition& c, const bj::value& meta,
                     const std::string& id) {
  if (c.what == kind::has_id)
    return std::find(c.ids.begin(), c.ids.end(), id) != c.ids.end();
  if (c.what == kind::nested)
    return brute_matches(*c.sub, meta, id);
  std::vector<const bj::value*> reached, leaves;
  reach(meta, c.path, 0, reached);
  if (c.what == kind::is_empty) {
    for (auto* v : reached)
      if (!v->is_null() && !(v->is_array() && v->get_array().empty()))
        return false;
    return true;
  }
  for (auto* v : reached)
    scalars(*v, leaves);
  for (auto* leaf : leaves) {
    if (c.what == kind::range && in_range(*leaf, c))
      return true;
    for (auto& want : c.values)
      if (c.what != kind::range && equals(*leaf, want))
        return true;
  }
  return false;
}

bool brute_matches(const lh::filter& f, const bj::value& meta,
                   const std::string& id) {
  for (auto& c : f.must)
    if (!brute_condition(c, meta, id))
      return false;
  if (!f.should.empty()
      && std::none_of(f.should.begin(), f.should.end(),
                      [&](auto& c) { return brute_condition(c, meta, id); }))
    return false;
  for (auto& c : f.must_not)
    if (brute_condition(c, meta, id))
      return false;
  return true;
}

// Small domains, so that random filters match some items and miss others.
const std::vector<std::string> colors{"red", "green", "blue"};

std::string random_metadata(std::mt19937& rng) {
  auto coin = [&](int percent) {
    return std::uniform_int_distribution<int>(0, 99)(rng) < percent;
  };
  auto pick = [&](size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  bj::object o;
  if (coin(80))
    o["color"] = colors[pick(colors.size())];
  if (coin(70))
    o["n"] = static_cast<int64_t>(pick(10));
  if (coin(50))
    o["price"] = static_cast<double>(pick(100)) / 4;
  if (coin(50))
    o["flag"] = coin(50);
  if (coin(60)) {
    bj::array tags;
    for (size_t i = 0, n = pick(4); i < n; ++i)
      tags.emplace_back(colors[pick(colors.size())]);
    o["tags"] = std::move(tags);
  }
  if (coin(10))
    o["tags"] = nullptr;
  if (coin(50))
    o["nested"] = {{"x", static_cast<int64_t>(pick(5))},
                   {"y", colors[pick(colors.size())]}};
  if (coin(20))
    o["list"] = bj::array{bj::object{{"x", static_cast<int64_t>(pick(5))}}};
  return bj::serialize(o);
}

std::string random_condition(std::mt19937& rng, int depth);

std::string random_filter(std::mt19937& rng, int depth) {
  auto pick = [&](size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  std::string out = "{";
  const char* groups[] = {"must", "should", "must_not"};
  bool first = true;
  for (auto* g : groups) {
    if (pick(2) == 0 && !(first && g == groups[2]))
      continue; // an empty {} is not a condition: keep one group at least
    out += std::string{first ? "" : ","} + "\"" + g + "\":[";
    for (size_t i = 0, n = 1 + pick(2); i < n; ++i)
      out += (i ? "," : "") + random_condition(rng, depth);
    out += "]";
    first = false;
  }
  return out + "}";
}

std::string random_condition(std::mt19937& rng, int depth) {
  auto pick = [&](size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  const char* keys[] = {"color",    "n",        "price",  "flag",   "tags",
                        "nested.x", "nested.y", "list.x", "missing"};
  auto key = std::string{"\"key\":\""} + keys[pick(9)] + "\"";
  auto value = [&]() -> std::string {
    switch (pick(3)) {
      case 0: return "\"" + colors[pick(colors.size())] + "\"";
      case 1: return std::to_string(pick(10));
      default: return pick(2) ? "true" : "false";
    }
  };
  switch (pick(depth < 2 ? 7 : 6)) {
    case 0:
    case 1: return "{" + key + ",\"match\":{\"value\":" + value() + "}}";
    case 2:
      return "{" + key + ",\"match\":{\"any\":[" + value() + "," + value()
             + "]}}";
    case 3: {
      const char* ops[] = {"gt", "gte", "lt", "lte"};
      auto first = pick(4);
      std::string bounds = std::string{"\""} + ops[first]
                           + "\":" + std::to_string(pick(25));
      if (pick(2)) // another bound: a key twice is refused
        bounds += std::string{",\""} + ops[(first + 1 + pick(3)) % 4]
                  + "\":" + std::to_string(pick(25));
      return "{" + key + ",\"range\":{" + bounds + "}}";
    }
    case 4:
      return "{\"has_id\":[\"i" + std::to_string(pick(200)) + "\",\"i"
             + std::to_string(pick(200)) + "\"]}";
    case 5: return "{\"is_empty\":{" + key + "}}";
    default: return random_filter(rng, depth + 1);
  }
}

struct corpus {
  std::vector<std::string> metadata; // by slot
  lh::metadata_index index;
  lh::slot_set live;

  lh::metadata_index::slot_of_fn slot_of() const {
    return [this](const std::string& id) -> std::optional<uint32_t> {
      auto slot = std::stoul(id.substr(1));
      if (slot < metadata.size() && live.test(slot))
        return static_cast<uint32_t>(slot);
      return std::nullopt;
    };
  }

  // Compares the index with brute force for `filter_text`; returns how
  // many items matched.
  size_t check(const std::string& filter_text) const {
    auto f = lh::json::parse_filter(filter_text);
    EXPECT_TRUE(f) << filter_text;
    if (!f)
      return 0;
    auto got = index.evaluate(*f, live, slot_of());
    size_t matched = 0;
    for (size_t slot = 0; slot < metadata.size(); ++slot) {
      bool want = live.test(slot)
                  && brute_matches(*f, bj::parse(metadata[slot]),
                                   "i" + std::to_string(slot));
      EXPECT_EQ(got.test(slot), want)
        << "slot " << slot << " metadata " << metadata[slot] << " filter "
        << filter_text;
      if (got.test(slot) != want)
        return matched; // one mismatch says enough
      matched += want;
    }
    return matched;
  }
};

} // namespace

TEST(metadata_index, agrees_with_brute_force_on_random_filters_and_churn) {
  std::mt19937 rng{7};
  corpus c;
  const size_t items = 600; // enough for postings to turn into bitsets
  for (size_t slot = 0; slot < items; ++slot) {
    c.metadata.push_back(random_metadata(rng));
    ASSERT_TRUE(c.index.insert(static_cast<uint32_t>(slot), c.metadata[slot]));
    c.live.set(slot);
  }
  size_t some = 0, none = 0, all = 0;
  auto run = [&](int filters) {
    for (int i = 0; i < filters; ++i) {
      auto matched = c.check(random_filter(rng, 0));
      some += matched > 0 && matched < items;
      none += matched == 0;
      all += matched == items;
    }
  };
  run(300);
  // Churn: delete a third, give another third new metadata.
  for (size_t slot = 0; slot < items; ++slot) {
    auto s = static_cast<uint32_t>(slot);
    if (slot % 3 == 0) {
      c.index.erase(s, c.metadata[slot]);
      c.live.reset(slot);
    } else if (slot % 3 == 1) {
      c.index.erase(s, c.metadata[slot]);
      c.metadata[slot] = random_metadata(rng);
      c.index.insert(s, c.metadata[slot]);
    }
  }
  run(300);
  // The random filters exercised both outcomes, not just one.
  EXPECT_GT(some, 200u);
  EXPECT_GT(none, 10u);
}

TEST(metadata_index, matches_arrays_nested_paths_and_empty_values) {
  corpus c;
  c.metadata = {R"({"tags":["x","y"],"a":{"b":2}})", R"({"tags":[]})",
                R"({"tags":null,"a":{"b":"2"}})", R"({})",
                R"({"a":{"b":[1,5]},"p":2.5})"};
  for (size_t slot = 0; slot < c.metadata.size(); ++slot) {
    c.index.insert(static_cast<uint32_t>(slot), c.metadata[slot]);
    c.live.set(slot);
  }
  EXPECT_EQ(c.check(R"({"must":[{"key":"tags","match":{"value":"x"}}]})"), 1u);
  EXPECT_EQ(c.check(R"({"must":[{"key":"a.b","match":{"value":2}}]})"), 1u);
  EXPECT_EQ(c.check(R"({"must":[{"key":"a.b","range":{"gt":4}}]})"), 1u);
  EXPECT_EQ(c.check(R"({"must":[{"is_empty":{"key":"tags"}}]})"), 4u);
  EXPECT_EQ(c.check(R"({"must":[{"key":"p","range":{"gte":2.5,"lt":3}}]})"),
            1u);
  EXPECT_EQ(c.check(R"({"must":[{"key":"nope","match":{"value":1}}]})"), 0u);
  EXPECT_EQ(c.check(R"({"must_not":[{"has_id":["i0","i9"]}]})"), 4u);
}

TEST(metadata_index, forgets_erased_values_and_reports_its_memory) {
  lh::metadata_index index;
  lh::slot_set live;
  for (uint32_t slot = 0; slot < 2000; ++slot) {
    index.insert(slot, R"({"k":"v","u":)" + std::to_string(slot) + "}");
    live.set(slot);
  }
  auto full = index.memory_bytes();
  EXPECT_GT(full, 2000u * sizeof(uint32_t));
  for (uint32_t slot = 0; slot < 2000; ++slot)
    index.erase(slot, R"({"k":"v","u":)" + std::to_string(slot) + "}");
  EXPECT_EQ(index.key_count(), 0u);
  EXPECT_LT(index.memory_bytes(), full / 10);
  auto f = lh::json::parse_filter(
    R"({"must":[{"key":"k","match":{"value":"v"}}]})");
  ASSERT_TRUE(f);
  EXPECT_EQ(
    index.evaluate(*f, live, [](auto&) { return std::nullopt; }).count(), 0u);
}

TEST(metadata_index, refuses_metadata_that_is_not_json) {
  lh::metadata_index index;
  EXPECT_FALSE(index.insert(0, "{not json"));
  EXPECT_TRUE(index.insert(1, ""));
  EXPECT_EQ(index.key_count(), 0u);
}
