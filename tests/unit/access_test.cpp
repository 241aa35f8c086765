// Who may call what (http/access.hpp): the access each route needs, the
// key a client presented, and what each configured key grants.
#include "http/access.hpp"

#include <gtest/gtest.h>

namespace {

using lh::http::access;
using lh::http::method;
using lh::http::required_access;

TEST(access, routes_need_what_they_do) {
  EXPECT_EQ(required_access(method::get, "/health", true), access::open);
  EXPECT_EQ(required_access(method::get, "/ready", false), access::open);
  EXPECT_EQ(required_access(method::get, "/ready", true), access::read);
  EXPECT_EQ(required_access(method::get, "/metrics", true), access::read);
  for (auto path : {"/v1/vectors/index/docs/search",
                    "/v1/vectors/index/docs/search/batch",
                    "/vectors/index/docs/get", "/vectors/index/docs/count",
                    "/vectors/index/docs/scroll"})
    EXPECT_EQ(required_access(method::post, path, false), access::read) << path;
  for (auto path : {"/v1/vectors/index", "/v1/vectors/index/docs",
                    "/v1/storage/get/a", "/v1/storage/list"})
    EXPECT_EQ(required_access(method::get, path, false), access::read) << path;
  EXPECT_EQ(required_access(method::post, "/v1/vectors/index", false),
            access::write);
  EXPECT_EQ(required_access(method::post, "/v1/vectors/index/docs/add", false),
            access::write);
  EXPECT_EQ(required_access(method::post, "/v1/vectors/index/docs/delete",
                            false),
            access::write);
  EXPECT_EQ(required_access(method::del, "/v1/vectors/index/docs", false),
            access::write);
  EXPECT_EQ(required_access(method::put, "/storage/put/x", false),
            access::write);
  EXPECT_EQ(required_access(method::other, "/vectors/index/docs/search", false),
            access::write);
  EXPECT_EQ(required_access(method::get, "/internal/storage/get/_wal/x", false),
            access::internal);
  // An index named like a read route is still written by its add.
  EXPECT_EQ(required_access(method::post, "/vectors/index/search/add", false),
            access::write);
}

TEST(access, the_key_comes_from_either_header) {
  using lh::http::presented_key;
  EXPECT_EQ(presented_key("Bearer abc", ""), "abc");
  EXPECT_EQ(presented_key("bearer abc", ""), "abc");
  EXPECT_EQ(presented_key("", "xyz"), "xyz");
  EXPECT_EQ(presented_key("Bearer abc", "xyz"), "xyz");
  EXPECT_EQ(presented_key("Basic dXNlcjpwdw==", ""), "");
  EXPECT_EQ(presented_key("Bearer ", ""), "");
  EXPECT_EQ(presented_key("", ""), "");
}

TEST(access, each_key_grants_its_level_and_no_more) {
  lh::auth_settings auth;
  auth.api_keys = {"full-key-0123456789"};
  auth.read_only_keys = {"read-key-0123456789"};
  auth.service_key = "service-key-0123456789";
  lh::http::key_check keys{auth};
  ASSERT_TRUE(keys.enabled());
  EXPECT_EQ(keys.granted("read-key-0123456789"), access::read);
  EXPECT_EQ(keys.granted("full-key-0123456789"), access::write);
  EXPECT_EQ(keys.granted("service-key-0123456789"), access::internal);
  EXPECT_FALSE(keys.granted("full-key-012345678")); // a prefix
  EXPECT_FALSE(keys.granted("full-key-01234567890")); // longer
  EXPECT_FALSE(keys.granted(""));

  auto code = [&](access needed, std::string_view key) {
    auto why = keys.refusal(needed, key);
    return why ? why->code : lh::ec{};
  };
  EXPECT_EQ(code(access::open, ""), lh::ec{});
  EXPECT_EQ(code(access::read, ""), lh::ec::unauthorized);
  EXPECT_EQ(code(access::read, "nope"), lh::ec::unauthorized);
  EXPECT_EQ(code(access::read, "read-key-0123456789"), lh::ec{});
  EXPECT_EQ(code(access::write, "read-key-0123456789"), lh::ec::forbidden);
  EXPECT_EQ(code(access::write, "full-key-0123456789"), lh::ec{});
  EXPECT_EQ(code(access::internal, "full-key-0123456789"), lh::ec::forbidden);
  EXPECT_EQ(code(access::internal, "service-key-0123456789"), lh::ec{});
}

TEST(access, without_keys_everything_is_open) {
  lh::http::key_check keys{lh::auth_settings{}};
  EXPECT_FALSE(keys.enabled());
  EXPECT_FALSE(keys.refusal(access::internal, ""));
  EXPECT_FALSE(lh::http::key_check{}.refusal(access::write, "anything"));
}

TEST(access, loopback_binds) {
  EXPECT_TRUE(lh::http::is_loopback("127.0.0.1"));
  EXPECT_TRUE(lh::http::is_loopback("127.1.2.3"));
  EXPECT_TRUE(lh::http::is_loopback("::1"));
  EXPECT_FALSE(lh::http::is_loopback("0.0.0.0"));
  EXPECT_FALSE(lh::http::is_loopback("::"));
  EXPECT_FALSE(lh::http::is_loopback("10.0.0.5"));
}

} // namespace
