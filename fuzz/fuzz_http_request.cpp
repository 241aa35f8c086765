// The HTTP request path on arbitrary bytes: Beast's parser (as the server
// configures it), the access check, the router, and the real route
// handlers of /vectors and /storage over an in-memory index and store (no
// actors): search, get, count, scroll, add, delete, create, drop, list,
// put. Any request must end in an answer; never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "http/access.hpp"
#include "http/beast_convert.hpp"
#include "http/storage_routes.hpp"
#include "http/vector_routes.hpp"

namespace {

namespace bhttp = boost::beast::http;

// The registry as the index actors would be: changes applied at once.
struct direct_registry : lh::async_registry {
  bool saturated() const override { return false; }
  std::shared_ptr<lh::index_table> table;
  void create(lh::index_params p, callback<lh::index_info> done) override {
    if (auto ok = lh::validate_params(p); !ok)
      return done(ok.error());
    done(lh::make_error(lh::ec::already_exists, "no new indexes here"));
  }
  void drop(std::string, callback<void> done) override { done({}); }
  void add(std::string name, lh::add_batch b,
           callback<lh::add_result> done) override {
    auto idx = table->find(name);
    if (!idx)
      return done(lh::make_error(lh::ec::not_found, name));
    if (idx->length() > 2000) // bounded across runs: memory stays flat
      return done(lh::make_error(lh::ec::payload_too_large, "full"));
    done(idx->add(std::move(b), nullptr));
  }
  void remove(std::string name, lh::delete_request r,
              callback<lh::delete_result> done) override {
    auto idx = table->find(name);
    if (!idx)
      return done(lh::make_error(lh::ec::not_found, name));
    done(idx->remove(r));
  }
};

struct memory_store : lh::async_store {
  std::map<std::string, std::string> objects;
  void put(std::string k, std::string v, callback<void> done) override {
    if (objects.size() < 64)
      objects[k] = std::move(v);
    done({});
  }
  void get(std::string k, callback<std::string> done) override {
    auto it = objects.find(k);
    if (it == objects.end())
      return done(lh::make_error(lh::ec::not_found, k));
    done(it->second);
  }
  void remove(std::string k, callback<void> done) override {
    objects.erase(k);
    done({});
  }
  void list(std::string prefix,
            callback<std::vector<std::string>> done) override {
    std::vector<std::string> keys;
    for (auto& [k, v] : objects)
      if (k.starts_with(prefix))
        keys.push_back(k);
    done(std::move(keys));
  }
  void put_if_newer(std::string k, std::string v, uint64_t,
                    callback<void> done) override {
    put(std::move(k), std::move(v), std::move(done));
  }
  void remove_if_newer(std::string k, uint64_t, callback<void> done) override {
    remove(std::move(k), std::move(done));
  }
  void put_all(lh::object_group, callback<void> done) override { done({}); }
  void remove_range(std::string, std::string, callback<void> done) override {
    done({});
  }
};

struct service {
  lh::http::router routes;
  std::shared_ptr<lh::index_table> table = std::make_shared<lh::index_table>();
  lh::http::key_check keys = [] {
    lh::auth_settings a;
    a.api_keys = {"full-key-0123456789"};
    a.read_only_keys = {"read-key-0123456789"};
    return lh::http::key_check{a};
  }();
  service() {
    auto idx = std::make_shared<lh::vector_index>(
      lh::index_params{"docs", 4, lh::metric::l2, 8, 32, 16});
    lh::add_batch b;
    b.dimension = 4;
    for (int i = 0; i < 20; ++i) {
      b.ids.push_back("d" + std::to_string(i));
      b.metadata.push_back(R"({"n":)" + std::to_string(i) + R"(,"t":["a"]})");
      for (int j = 0; j < 4; ++j)
        b.vectors.push_back(static_cast<float>((i * 7 + j) % 11));
    }
    (void)idx->add(std::move(b), nullptr);
    table->publish(std::make_shared<const lh::index_table::map>(
      lh::index_table::map{{"docs", idx}}));
    auto registry = std::make_shared<direct_registry>();
    registry->table = table;
    lh::http::add_vector_routes(routes, table,
                                std::make_shared<lh::index_status>(false),
                                registry);
    lh::http::add_storage_routes(routes, std::make_shared<memory_store>(),
                                 1 << 20);
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static service svc;
  if (size == 0)
    return 0;
  boost::beast::flat_buffer buffer;
  auto in = buffer.prepare(size);
  std::memcpy(in.data(), data, size);
  buffer.commit(size);
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  while (buffer.size() > 0 && !parser.is_done()) {
    auto used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec || used == 0)
      break;
  }
  if (ec == bhttp::error::need_more && !parser.is_done())
    parser.put_eof(ec);
  if (ec || !parser.is_done())
    return 0; // the server answers 400/431 here
  auto& msg = parser.get();
  lh::http::request req;
  req.verb = lh::http::from_beast(msg.method());
  auto target = std::string_view{msg.target().data(), msg.target().size()};
  auto q = target.find('?');
  req.path = std::string{target.substr(0, q)};
  if (q != std::string_view::npos)
    req.query = std::string{target.substr(q + 1)};
  req.api_key = std::string{lh::http::presented_key(
    msg[bhttp::field::authorization], msg["api-key"])};
  if (svc.keys.refusal(lh::http::required_access(req.verb, req.path, false),
                       req.api_key))
    return 0;
  auto match = svc.routes.find(req.verb, req.path);
  if (match.result != lh::http::route_match::found)
    return 0;
  req.params = std::move(match.params);
  req.body = std::move(msg.body());
  bool answered = false;
  match.matched->fn(req, [&](lh::http::response) { answered = true; });
  if (!answered)
    std::abort(); // every handler here answers at once
  return 0;
}
