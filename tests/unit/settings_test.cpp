#include "config/settings.hpp"

#include <map>

#include <gtest/gtest.h>

namespace {

std::string error_of(std::string_view toml) {
  auto s = lh::parse_settings(toml, "test.toml");
  EXPECT_FALSE(s) << "accepted: " << toml;
  return s ? std::string{} : s.error().message;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST(settings, defaults_wire_split_services_on_one_host) {
  lh::settings s;
  EXPECT_EQ(s.storaged.port, 3211);
  EXPECT_EQ(s.vectord.port, 3215);
  EXPECT_EQ(s.gateway.port, 3110);
  EXPECT_EQ(s.vectord.storaged_url, "http://127.0.0.1:3211");
  EXPECT_EQ(s.gateway.vectord_url, "http://127.0.0.1:3215");
  EXPECT_EQ(s.storaged.data_dir, "./data");
  EXPECT_EQ(s.storaged.bind, "127.0.0.1");
  EXPECT_TRUE(lh::validate(s));
}

TEST(settings, empty_file_gives_defaults) {
  auto s = lh::parse_settings("", "empty.toml");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->storaged.port, 3211);
  EXPECT_EQ(s->config_path, "empty.toml");
}

TEST(settings, reads_every_section) {
  auto s = lh::parse_settings(R"(
log_level = "debug"
io_threads = 3
[storaged]
port = 4000
data_dir = "/tmp/x"
max_value_bytes = 1024
[vectord]
storaged_url = ""
rehydrate_timeout_ms = 500
[gateway]
bind = "0.0.0.0"
vectord_url = "http://127.0.0.1:9"
)",
                              "full.toml");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->log_level, "debug");
  EXPECT_EQ(s->io_threads, 3u);
  EXPECT_EQ(s->storaged.port, 4000);
  EXPECT_EQ(s->storaged.data_dir, "/tmp/x");
  EXPECT_EQ(s->storaged.max_value_bytes, 1024u);
  EXPECT_EQ(s->vectord.storaged_url, "");
  EXPECT_EQ(s->vectord.rehydrate_timeout_ms, 500u);
  EXPECT_EQ(s->gateway.bind, "0.0.0.0");
  EXPECT_EQ(s->gateway.vectord_url, "http://127.0.0.1:9");
}

TEST(settings, unknown_key_names_key_and_file) {
  auto msg = error_of("[storaged]\nprot = 1\n");
  EXPECT_TRUE(contains(msg, "storaged.prot")) << msg;
  EXPECT_TRUE(contains(msg, "test.toml")) << msg;
  msg = error_of("verbose = true\n");
  EXPECT_TRUE(contains(msg, "verbose")) << msg;
  msg = error_of("[storage]\nport = 1\n");
  EXPECT_TRUE(contains(msg, "storage")) << msg;
}

TEST(settings, wrong_type_or_range_names_key) {
  auto msg = error_of("[storaged]\nport = \"3211\"\n");
  EXPECT_TRUE(contains(msg, "storaged.port")) << msg;
  msg = error_of("[vectord]\nport = 70000\n");
  EXPECT_TRUE(contains(msg, "vectord.port")) << msg;
  msg = error_of("[gateway]\nvectord_url = 5\n");
  EXPECT_TRUE(contains(msg, "gateway.vectord_url")) << msg;
  msg = error_of("storaged = 5\n");
  EXPECT_TRUE(contains(msg, "storaged")) << msg;
}

TEST(settings, syntax_error_names_file_and_line) {
  auto msg = error_of("[storaged]\nport = = 1\n");
  EXPECT_TRUE(contains(msg, "test.toml")) << msg;
  EXPECT_TRUE(contains(msg, "line 2")) << msg;
}

TEST(settings, bad_log_level_is_refused) {
  auto msg = error_of("log_level = \"loud\"\n");
  EXPECT_TRUE(contains(msg, "log_level")) << msg;
}

TEST(settings, missing_explicit_file_is_an_error) {
  auto s = lh::load_settings(std::string{"/nonexistent/lakehouse.toml"});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, lh::ec::config_error);
  EXPECT_TRUE(contains(s.error().message, "/nonexistent/lakehouse.toml"));
}

TEST(settings, lakehouse_listens_on_its_own_section) {
  // A file that moves only storaged leaves lakehouse on its own default,
  // and [lakehouse] moves lakehouse, not the gateway.
  auto s = lh::parse_settings(R"(
[storaged]
port = 4000
[lakehouse]
bind = "0.0.0.0"
port = 4100
)",
                              "t.toml");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->lakehouse.port, 4100);
  EXPECT_EQ(s->lakehouse.bind, "0.0.0.0");
  EXPECT_EQ(s->gateway.port, 3110);
  EXPECT_EQ(lh::settings{}.lakehouse.port, 3110);
  EXPECT_EQ(lh::settings{}.lakehouse.bind, "127.0.0.1");
}

TEST(settings, auth_keys_from_the_file_and_the_environment) {
  auto s = lh::parse_settings(R"(
[auth]
api_keys = ["full-key-0123456789", "full-key-abcdefghij"]
read_only_keys = ["read-key-0123456789"]
service_key = "service-key-0123456789"
keyed_probes = true
)",
                              "t.toml");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->auth.api_keys.size(), 2u);
  EXPECT_EQ(s->auth.read_only_keys,
            std::vector<std::string>{"read-key-0123456789"});
  EXPECT_EQ(s->auth.service_key, "service-key-0123456789");
  EXPECT_TRUE(s->auth.keyed_probes);
  EXPECT_TRUE(s->auth.enabled());
  EXPECT_FALSE(lh::settings{}.auth.enabled());
  // Each variable that is set replaces its list.
  std::map<std::string, std::string> env{
    {"LAKEHOUSE_API_KEYS", "env-key-0123456789,,env-key-abcdefghij"}};
  lh::apply_auth_environment(s->auth, [&](const char* n) -> const char* {
    auto it = env.find(n);
    return it == env.end() ? nullptr : it->second.c_str();
  });
  EXPECT_EQ(s->auth.api_keys, (std::vector<std::string>{
                                "env-key-0123456789", "env-key-abcdefghij"}));
  EXPECT_EQ(s->auth.read_only_keys.size(), 1u);
}

TEST(settings, weak_or_malformed_keys_are_refused) {
  EXPECT_TRUE(contains(error_of("[auth]\napi_keys = \"one\""),
                       "must be a list of strings"));
  EXPECT_TRUE(contains(error_of("[auth]\napi_keys = [1]"),
                       "must be a list of strings"));
  EXPECT_TRUE(contains(error_of("[auth]\napi_keys = [\"short\"]"),
                       "16 to 256 visible ASCII"));
  EXPECT_TRUE(contains(error_of("[auth]\nread_only_keys = [\"has a space in it!\"]"),
                       "auth.read_only_keys"));
  EXPECT_TRUE(contains(error_of("[auth]\nservice_key = \"x\""),
                       "auth.service_key"));
  EXPECT_TRUE(contains(error_of("[auth]\nkeyed_probes = 1"), "true or false"));
  EXPECT_TRUE(contains(error_of("[auth]\nkey = \"x\""), "unknown key 'auth.key'"));
}

TEST(settings, load_bounds_are_config_keys) {
  auto s = lh::parse_settings(R"(
max_connections = 100
max_body_bytes_in_flight = 1048576
idle_timeout_s = 5
body_grace_s = 2
)",
                              "t.toml");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->max_connections, 100u);
  EXPECT_EQ(s->max_body_bytes_in_flight, 1048576u);
  EXPECT_EQ(s->idle_timeout_s, 5u);
  EXPECT_EQ(s->body_grace_s, 2u);
  EXPECT_TRUE(contains(error_of("max_connections = 0"), "max_connections"));
  EXPECT_TRUE(contains(error_of("idle_timeout_s = 0"), "idle_timeout_s"));
}

TEST(settings, request_limits_and_queue_bounds_are_config_keys) {
  auto s = lh::parse_settings(R"(
[vectord]
max_queued_changes = 8
max_waiting_requests = 100
[limits]
max_body_bytes = 65536
max_add_body_bytes = 1048576
max_batch_items = 500
max_k = 50
max_dimension = 1536
max_metadata_bytes = 1024
max_json_depth = 16
max_filter_depth = 4
)",
                              "t.toml");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->vectord.max_queued_changes, 8u);
  EXPECT_EQ(s->vectord.max_waiting_requests, 100u);
  auto& l = s->limits;
  EXPECT_EQ(l.max_body_bytes, 65536u);
  EXPECT_EQ(l.max_add_body_bytes, 1048576u);
  EXPECT_EQ(l.max_batch_items, 500u);
  EXPECT_EQ(l.max_k, 50u);
  EXPECT_EQ(l.max_dimension, 1536u);
  EXPECT_EQ(l.max_metadata_bytes, 1024u);
  EXPECT_EQ(l.max_json_depth, 16u);
  EXPECT_EQ(l.max_filter_depth, 4u);
  // Absent: the built-in defaults.
  auto d = lh::parse_settings("", "t.toml");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->limits.max_k, lh::request_limits{}.max_k);
  EXPECT_EQ(d->limits.max_body_bytes, uint64_t{1} << 20);
  // Out of the bounds the code is built for, or unknown: named refusals.
  EXPECT_TRUE(contains(error_of("[limits]\nmax_k = 0"), "limits.max_k"));
  EXPECT_TRUE(contains(error_of("[limits]\nmax_dimension = 100000"),
                       "limits.max_dimension"));
  EXPECT_TRUE(contains(error_of("[limits]\nmax_json_depth = 2"),
                       "limits.max_json_depth"));
  EXPECT_TRUE(contains(error_of("[limits]\nmax_body_bytes = 10"),
                       "limits.max_body_bytes"));
  EXPECT_TRUE(contains(error_of("[limits]\nmax_items = 1"),
                       "unknown key 'limits.max_items'"));
  EXPECT_TRUE(contains(error_of("[vectord]\nmax_queued_changes = 0"),
                       "vectord.max_queued_changes"));
}
