#include "http/error_response.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "http/json_writer.hpp"

TEST(error_response, maps_codes_to_statuses) {
  EXPECT_EQ(lh::http::status_of(lh::ec::invalid_argument), 400u);
  EXPECT_EQ(lh::http::status_of(lh::ec::not_found), 404u);
  EXPECT_EQ(lh::http::status_of(lh::ec::method_not_allowed), 405u);
  EXPECT_EQ(lh::http::status_of(lh::ec::already_exists), 409u);
  EXPECT_EQ(lh::http::status_of(lh::ec::payload_too_large), 413u);
  EXPECT_EQ(lh::http::status_of(lh::ec::not_ready), 503u);
  EXPECT_EQ(lh::http::status_of(lh::ec::storage_failure), 500u);
  EXPECT_EQ(lh::http::status_of(lh::ec::no_space), 507u);
  EXPECT_EQ(lh::http::status_of(lh::ec::io_error), 500u);
  EXPECT_EQ(lh::http::status_of(lh::ec::busy), 503u);
}

TEST(error_response, a_busy_store_says_when_to_retry) {
  auto r = lh::http::error_response(lh::make_error(lh::ec::busy, "stall"));
  EXPECT_EQ(r.status, 503u);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  auto full = lh::http::error_response(lh::make_error(lh::ec::no_space, "x"));
  EXPECT_EQ(full.body, R"({"error":"x","code":"no_space"})");
}

TEST(error_response, body_has_message_and_code) {
  auto r = lh::http::error_response(
    lh::make_error(lh::ec::not_found, "no object with key 'a\"b'"));
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body,
            R"({"error":"no object with key 'a\"b'","code":"not_found"})");
}

TEST(json_writer, escapes_quotes_backslashes_and_controls) {
  EXPECT_EQ(lh::json::quoted("a\"b\\c\nd\x01"), R"("a\"b\\c\nd\u0001")");
  std::vector<std::string> items{"x", "y"};
  EXPECT_EQ(lh::json::string_array(items), R"(["x","y"])");
  EXPECT_EQ(lh::json::string_array({}), "[]");
}

TEST(error_response, a_message_quoting_invalid_utf8_stays_valid_json) {
  auto r = lh::http::error_response(
    lh::make_error(lh::ec::invalid_argument, "key 'a\xff\xfe" "b\xc3\xa9' is bad"));
  simdjson::dom::parser parser;
  std::string_view message;
  ASSERT_EQ(parser.parse(r.body)["error"].get(message), simdjson::SUCCESS)
    << r.body;
  EXPECT_EQ(message, "key 'a\xEF\xBF\xBD\xEF\xBF\xBD" "b\xc3\xa9' is bad");
}
