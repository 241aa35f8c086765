#include "http/upstream.hpp"

#include <atomic>
#include <charconv>
#include <deque>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include "config/metrics.hpp"
#include "http/beast_convert.hpp"
#include "http/run_io.hpp"

namespace lh::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

// Headers that describe one connection, not the message (RFC 9110 7.6.1),
// and those the server sets itself.
bool passes_through(std::string_view name) {
  static constexpr std::string_view dropped[] = {"connection",
                                                 "keep-alive",
                                                 "proxy-connection",
                                                 "transfer-encoding",
                                                 "te",
                                                 "trailer",
                                                 "upgrade",
                                                 "proxy-authenticate",
                                                 "proxy-authorization",
                                                 "content-length",
                                                 "content-type",
                                                 "server"};
  for (auto d : dropped)
    if (beast::iequals(name, d))
      return false;
  return true;
}

struct connection {
  explicit connection(net::io_context& ioc) : stream(ioc) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool reused = false; // served a request before: may be stale
};

struct pending {
  bhttp::request<bhttp::string_body> req;
  std::function<void(expected<response>)> done;
  bool retried = false;
};

} // namespace

expected<upstream_options> parse_upstream_url(const std::string& url) {
  auto bad = make_error(ec::config_error,
                        "upstream URL '" + url
                          + "' must look like http://127.0.0.1:3215");
  auto u = boost::urls::parse_uri(url);
  if (!u || u->scheme_id() != boost::urls::scheme::http || !u->has_port()
      || u->has_userinfo() || u->has_query() || u->has_fragment()
      || (!u->path().empty() && u->path() != "/"))
    return bad;
  auto kind = u->host_type();
  if (kind != boost::urls::host_type::ipv4
      && kind != boost::urls::host_type::ipv6)
    return bad;
  // port_number() wraps ports over 65535, so read the digits.
  auto digits = u->port();
  unsigned port = 0;
  auto [end, err] = std::from_chars(digits.data(),
                                    digits.data() + digits.size(), port);
  if (err != std::errc{} || end != digits.data() + digits.size() || port == 0
      || port > 65535)
    return bad;
  upstream_options o;
  o.host = u->host_address(); // an IPv6 address without its brackets
  o.port = static_cast<uint16_t>(port);
  return o;
}

struct upstream::impl {
  explicit impl(upstream_options o)
    : options(std::move(o)),
      guard(net::make_work_guard(ioc)),
      endpoint(net::ip::make_address(options.host), options.port) {}

  std::string where() const {
    return options.host + ":" + std::to_string(options.port);
  }

  // Everything below runs on the pool's thread(s) via `strand`.
  void submit(std::shared_ptr<pending> p) {
    if (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      return exchange(c, p);
    }
    if (open < options.max_connections) {
      ++open;
      return connect(p);
    }
    if (waiting.size() >= options.max_waiting) {
      metrics::refused("upstream_waiting");
      return fail(p, ec::overloaded,
                  "upstream " + where() + " is saturated: "
                    + std::to_string(waiting.size())
                    + " requests wait for a connection; retry later");
    }
    waiting.push_back(std::move(p));
  }

  void pump() {
    while (!waiting.empty()
           && (!idle.empty() || open < options.max_connections)) {
      auto p = std::move(waiting.front());
      waiting.pop_front();
      submit(std::move(p));
    }
  }

  void connect(const std::shared_ptr<pending>& p) {
    auto c = std::make_shared<connection>(ioc);
    c->stream.expires_after(options.connect_timeout);
    c->stream.async_connect(
      endpoint, net::bind_executor(strand, [this, c, p](beast::error_code ec) {
        if (ec) {
          --open;
          fail(p,
               ec == beast::error::timeout ? ec::gateway_timeout
                                           : ec::bad_gateway,
               "cannot connect to upstream " + where() + ": " + ec.message());
          return pump();
        }
        ++opened;
        beast::error_code ignored;
        c->stream.socket().set_option(tcp::no_delay{true}, ignored);
        exchange(c, p);
      }));
  }

  void exchange(const std::shared_ptr<connection>& c,
                const std::shared_ptr<pending>& p) {
    c->stream.expires_after(options.response_timeout);
    bhttp::async_write(
      c->stream, p->req,
      net::bind_executor(strand, [this, c, p](beast::error_code ec, size_t) {
        if (ec)
          return broken(c, p, ec);
        auto parser
          = std::make_shared<bhttp::response_parser<bhttp::string_body>>();
        parser->body_limit(boost::none);
        parser->skip(p->req.method() == bhttp::verb::head);
        c->buffer.reserve(body_read_room);
        bhttp::async_read(
          c->stream, c->buffer, *parser,
          net::bind_executor(strand, [this, c, p, parser](beast::error_code ec,
                                                          size_t) {
            if (ec)
              return broken(c, p, ec);
            auto& res = parser->get();
            auto out = from_beast(res, passes_through);
            if (res.keep_alive()) {
              c->stream.expires_never();
              c->reused = true;
              idle.push_back(c);
            } else {
              --open;
            }
            p->done(std::move(out));
            pump();
          }));
      }));
  }

  void broken(const std::shared_ptr<connection>& c,
              const std::shared_ptr<pending>& p, beast::error_code ec) {
    --open;
    beast::error_code ignored;
    c->stream.socket().close(ignored);
    if (ec == beast::error::timeout) {
      fail(p, ec::gateway_timeout,
           "upstream " + where() + " did not answer in "
             + std::to_string(options.response_timeout.count()) + " ms");
    } else if (c->reused && !p->retried) {
      // A kept-alive connection the upstream had closed (it restarted,
      // say): the other idle ones are likely as stale, so they go too, and
      // the retry gets a fresh connection.
      p->retried = true;
      drop_idle();
      submit(p);
    } else {
      fail(p, ec::bad_gateway,
           "upstream " + where() + " failed: " + ec.message());
    }
    pump();
  }

  void drop_idle() {
    for (auto& idle_connection : idle) {
      beast::error_code ignored;
      idle_connection->stream.socket().close(ignored);
      --open;
    }
    idle.clear();
  }

  static void fail(const std::shared_ptr<pending>& p, ec code,
                   std::string msg) {
    p->done(make_error(code, std::move(msg)));
  }

  upstream_options options;
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> guard;
  net::strand<net::io_context::executor_type> strand{ioc.get_executor()};
  tcp::endpoint endpoint;
  std::vector<std::thread> threads;
  std::vector<std::shared_ptr<connection>> idle;
  std::deque<std::shared_ptr<pending>> waiting;
  size_t open = 0;
  std::atomic<size_t> opened{0};
};

upstream::upstream(upstream_options options)
  : impl_(std::make_shared<impl>(std::move(options))) {
  // Each thread co-owns the pool state: see ~upstream.
  for (unsigned i = 0; i < std::max(1u, impl_->options.threads); ++i)
    impl_->threads.emplace_back([d = impl_] { run_io(d->ioc, "upstream"); });
}

upstream::~upstream() {
  auto& d = *impl_;
  d.guard.reset();
  d.ioc.stop();
  // The last owner of an upstream can be a callback running on the pool's
  // own thread (a reply releases the server that holds this upstream): a
  // thread cannot join itself, so it is detached and finishes the state
  // when its handler returns. Members are declared so that sockets go
  // before their io_context.
  for (auto& t : d.threads)
    if (t.get_id() == std::this_thread::get_id())
      t.detach();
    else
      t.join();
}

void upstream::send(method verb, const std::string& target,
                    const std::string& content_type, std::string body,
                    std::function<void(expected<response>)> done,
                    const std::string& client_key) {
  auto p = std::make_shared<pending>();
  p->req = bhttp::request<bhttp::string_body>{to_beast(verb), target, 11};
  p->req.set(bhttp::field::host, impl_->where());
  if (!content_type.empty())
    p->req.set(bhttp::field::content_type, content_type);
  auto& key = impl_->options.service_key.empty() ? client_key
                                                 : impl_->options.service_key;
  if (!key.empty())
    p->req.set("api-key", key);
  p->req.body() = std::move(body);
  p->req.prepare_payload();
  p->req.keep_alive(true);
  p->done = std::move(done);
  net::post(impl_->strand, [d = impl_.get(), p] { d->submit(p); });
}

size_t upstream::connections_opened() const {
  return impl_->opened;
}

} // namespace lh::http
