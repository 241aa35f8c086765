#include "config/settings.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace lh {

namespace {

// Reads the keys of one table into fields, refusing any key it does not
// know so that a typo never passes silently.
class table_reader {
public:
  table_reader(const toml::table& table, std::string section,
               std::string_view source)
    : table_(table), section_(std::move(section)), source_(source) {}

  template <class Int>
  void integer(std::string_view key, Int& out, int64_t lo, int64_t hi) {
    auto node = take(key);
    if (node == nullptr)
      return;
    auto v = node->value<int64_t>();
    if (!node->is_integer() || !v || *v < lo || *v > hi)
      return wrong(key, "an integer in " + std::to_string(lo) + ".."
                          + std::to_string(hi));
    out = static_cast<Int>(*v);
  }

  void string(std::string_view key, std::string& out) {
    auto node = take(key);
    if (node == nullptr)
      return;
    if (!node->is_string())
      return wrong(key, "a string");
    out = *node->value<std::string>();
  }

  void boolean(std::string_view key, bool& out) {
    auto node = take(key);
    if (node == nullptr)
      return;
    if (!node->is_boolean())
      return wrong(key, "true or false");
    out = *node->value<bool>();
  }

  void strings(std::string_view key, std::vector<std::string>& out) {
    auto node = take(key);
    if (node == nullptr)
      return;
    auto* array = node->as_array();
    if (array == nullptr
        || !std::all_of(array->begin(), array->end(),
                        [](const toml::node& item) { return item.is_string(); }))
      return wrong(key, "a list of strings");
    out.clear();
    for (auto& item : *array)
      out.push_back(*item.value<std::string>());
  }

  /// Marks a key as read elsewhere (a section read by its own reader).
  void known(std::string_view key) { known_.emplace(key); }

  void reject_unknown() {
    for (auto& [key, node] : table_) {
      if (failed())
        return;
      if (!known_.contains(std::string{key.str()}))
        fail(ec::config_error, std::string{node.is_table() ? "unknown section '"
                                                           : "unknown key '"}
                                 + qualified(key.str()) + "' in " + source_);
    }
  }

  bool failed() const { return error_.has_value(); }
  const std::optional<error>& err() const { return error_; }

private:
  std::string qualified(std::string_view key) const {
    return section_.empty() ? std::string{key}
                            : section_ + "." + std::string{key};
  }
  // Marks `key` as known; its node, or null when it is absent or an
  // error is already held.
  const toml::node* take(std::string_view key) {
    known_.emplace(key);
    if (failed())
      return nullptr;
    return table_.get(key);
  }
  void wrong(std::string_view key, const std::string& must_be) {
    fail(ec::config_error,
         "key '" + qualified(key) + "' in " + source_ + " must be " + must_be);
  }
  void fail(ec code, std::string msg) {
    if (!error_)
      error_ = make_error(code, std::move(msg));
  }

  const toml::table& table_;
  std::string section_;
  std::string source_;
  std::set<std::string, std::less<>> known_;
  std::optional<error> error_;
};

constexpr int64_t max_port = 65535;
constexpr int64_t max_u32 = std::numeric_limits<uint32_t>::max();

} // namespace

expected<settings> parse_settings(std::string_view toml_text,
                                  std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "cannot parse " << source << " at line " << e.source().begin.line
        << ": " << e.description();
    return make_error(ec::config_error, msg.str());
  }
  settings s;
  table_reader top{root, "", source};
  top.string("log_level", s.log_level);
  top.integer("io_threads", s.io_threads, 0, 256);
  top.integer("request_timeout_ms", s.request_timeout_ms, 1, max_u32);
  top.integer("max_connections", s.max_connections, 1, 1'000'000);
  top.integer("max_body_bytes_in_flight", s.max_body_bytes_in_flight, 1,
              std::numeric_limits<int64_t>::max());
  top.integer("max_queue_delay_ms", s.max_queue_delay_ms, 0, 60'000);
  top.integer("idle_timeout_s", s.idle_timeout_s, 1, 86'400);
  top.integer("body_grace_s", s.body_grace_s, 1, 3'600);
  std::optional<error> section_error;
  auto read_section = [&](std::string_view name, auto&& read) {
    top.known(name);
    if (section_error)
      return;
    auto node = root.get(name);
    if (node == nullptr)
      return;
    if (!node->is_table()) {
      section_error = make_error(ec::config_error,
                                 "key '" + std::string{name} + "' in "
                                   + std::string{source} + " must be a table");
      return;
    }
    table_reader r{*node->as_table(), std::string{name}, source};
    read(r);
    r.reject_unknown();
    if (r.failed())
      section_error = *r.err();
  };
  read_section("storaged", [&](table_reader& r) {
    r.string("bind", s.storaged.bind);
    r.integer("port", s.storaged.port, 0, max_port);
    r.string("data_dir", s.storaged.data_dir);
    r.integer("max_value_bytes", s.storaged.max_value_bytes, 1,
              std::numeric_limits<int64_t>::max());
  });
  read_section("vectord", [&](table_reader& r) {
    r.string("bind", s.vectord.bind);
    r.integer("port", s.vectord.port, 0, max_port);
    r.string("storaged_url", s.vectord.storaged_url);
    r.integer("rehydrate_timeout_ms", s.vectord.rehydrate_timeout_ms, 1,
              max_u32);
    r.integer("max_queued_changes", s.vectord.max_queued_changes, 1,
              1'000'000);
    r.integer("max_waiting_requests", s.vectord.max_waiting_requests, 1,
              10'000'000);
  });
  read_section("gateway", [&](table_reader& r) {
    r.string("bind", s.gateway.bind);
    r.integer("port", s.gateway.port, 0, max_port);
    r.string("vectord_url", s.gateway.vectord_url);
    r.string("storaged_url", s.gateway.storaged_url);
  });
  read_section("lakehouse", [&](table_reader& r) {
    r.string("bind", s.lakehouse.bind);
    r.integer("port", s.lakehouse.port, 0, max_port);
  });
  read_section("auth", [&](table_reader& r) {
    r.strings("api_keys", s.auth.api_keys);
    r.strings("read_only_keys", s.auth.read_only_keys);
    r.string("service_key", s.auth.service_key);
    r.boolean("keyed_probes", s.auth.keyed_probes);
  });
  read_section("limits", [&](table_reader& r) {
    using b = request_limit_bounds;
    auto& l = s.limits;
    r.integer("max_body_bytes", l.max_body_bytes, b::min_body_bytes,
              b::max_body_bytes);
    r.integer("max_add_body_bytes", l.max_add_body_bytes, b::min_body_bytes,
              b::max_body_bytes);
    r.integer("max_batch_items", l.max_batch_items, 1, b::max_batch_items);
    r.integer("max_k", l.max_k, 1, b::max_k);
    r.integer("max_dimension", l.max_dimension, 1, b::max_dimension);
    r.integer("max_metadata_bytes", l.max_metadata_bytes, 2,
              b::max_metadata_bytes);
    r.integer("max_json_depth", l.max_json_depth, b::min_json_depth,
              b::max_json_depth);
    r.integer("max_filter_depth", l.max_filter_depth, 1, b::max_filter_depth);
  });
  if (section_error)
    return *section_error;
  top.reject_unknown();
  if (top.failed())
    return *top.err();
  s.config_path = std::string{source};
  if (auto ok = validate(s); !ok)
    return ok.error();
  return s;
}

namespace {

std::vector<std::string> split_keys(std::string_view list) {
  std::vector<std::string> keys;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto key = list.substr(0, comma);
    if (!key.empty())
      keys.emplace_back(key);
    list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
  }
  return keys;
}

} // namespace

void apply_auth_environment(auth_settings& a,
                            const std::function<const char*(const char*)>& env) {
  if (const char* v = env("LAKEHOUSE_API_KEYS"))
    a.api_keys = split_keys(v);
  if (const char* v = env("LAKEHOUSE_READ_ONLY_KEYS"))
    a.read_only_keys = split_keys(v);
  if (const char* v = env("LAKEHOUSE_SERVICE_KEY"))
    a.service_key = v;
}

expected<settings> load_settings(const std::optional<std::string>& path) {
  std::string file;
  if (path)
    file = *path;
  else if (std::filesystem::exists("lakehouse.toml"))
    file = "lakehouse.toml";
  expected<settings> loaded = settings{};
  if (!file.empty()) {
    std::ifstream in{file, std::ios::binary};
    if (!in)
      return make_error(ec::config_error, "cannot read config file " + file);
    std::ostringstream text;
    text << in.rdbuf();
    loaded = parse_settings(text.str(), file);
    if (!loaded)
      return loaded;
  }
  apply_auth_environment(loaded->auth, [](const char* n) { return std::getenv(n); });
  if (auto ok = validate(*loaded); !ok)
    return ok.error();
  return loaded;
}

expected<void> validate(const settings& s) {
  static const std::set<std::string, std::less<>> levels{
    "trace", "debug", "info", "warn", "error", "critical", "off"};
  auto where = s.config_path.empty() ? std::string{"the command line"}
                                     : s.config_path;
  if (!levels.contains(s.log_level))
    return make_error(ec::config_error,
                      "key 'log_level' in " + where
                        + " must be one of trace, "
                          "debug, info, warn, error, critical, off (got '"
                        + s.log_level + "')");
  if (s.storaged.data_dir.empty())
    return make_error(ec::config_error, "key 'storaged.data_dir' in " + where
                                          + " must not be empty");
  // A key travels in a header: visible ASCII only, and long enough that
  // guessing it is hopeless.
  auto check_key = [&](const std::string& key,
                       const char* name) -> expected<void> {
    bool visible = std::all_of(key.begin(), key.end(),
                               [](char c) { return c > 0x20 && c < 0x7f; });
    if (key.size() < min_key_length || key.size() > 256 || !visible)
      return make_error(ec::config_error,
                        std::string{"a key in 'auth."} + name + "' ("
                          + where + " or the environment) must be "
                          + std::to_string(min_key_length)
                          + " to 256 visible ASCII characters");
    return {};
  };
  for (auto& k : s.auth.api_keys)
    if (auto ok = check_key(k, "api_keys"); !ok)
      return ok;
  for (auto& k : s.auth.read_only_keys)
    if (auto ok = check_key(k, "read_only_keys"); !ok)
      return ok;
  if (!s.auth.service_key.empty())
    if (auto ok = check_key(s.auth.service_key, "service_key"); !ok)
      return ok;
  return {};
}

} // namespace lh
