#include "http/upstream.hpp"

#include <atomic>
#include <charconv>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

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
  template <class Executor>
  explicit connection(const Executor& ex) : stream(ex) {}
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

namespace {

// What every lane of one upstream shares.
struct upstream_target {
  explicit upstream_target(upstream_options o)
    : options(std::move(o)),
      endpoint(net::ip::make_address(options.host), options.port),
      lanes(std::max<size_t>(1, options.lanes)) {}

  std::string where() const {
    return options.host + ":" + std::to_string(options.port);
  }
  // The bounds are split evenly over the lanes (rounded up, at least 1).
  size_t lane_connections() const {
    return std::max<size_t>(1, (options.max_connections + lanes - 1) / lanes);
  }
  size_t lane_waiting() const {
    return std::max<size_t>(1, (options.max_waiting + lanes - 1) / lanes);
  }

  const upstream_options options;
  const tcp::endpoint endpoint;
  const size_t lanes;
  std::atomic<size_t> opened{0};
};

// The connections to one upstream that one io_context drives, with the
// requests waiting for them. Everything runs on the context's one thread
// (a server I/O thread, or the upstream's own): a lane on a server I/O
// thread's context forwards a request and answers it on the thread that
// read it, with no hop to another thread and back (the hops cost 1.4
// voluntary context switches per request; without them, -16% gateway CPU
// per request).
struct lane : std::enable_shared_from_this<lane> {
  lane(std::shared_ptr<upstream_target> t, net::io_context& context)
    : target(std::move(t)), ex(context.get_executor()) {}

  void submit(std::shared_ptr<pending> p) {
    if (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      return exchange(c, p);
    }
    if (open < target->lane_connections()) {
      ++open;
      return connect(p);
    }
    if (waiting.size() >= target->lane_waiting()) {
      metrics::refused("upstream_waiting");
      return fail(p, ec::overloaded,
                  "upstream " + target->where()
                    + " is saturated: " + std::to_string(waiting.size())
                    + " requests wait for a connection; retry later");
    }
    waiting.push_back(std::move(p));
  }

  void pump() {
    while (!waiting.empty()
           && (!idle.empty() || open < target->lane_connections())) {
      auto p = std::move(waiting.front());
      waiting.pop_front();
      submit(std::move(p));
    }
  }

  void connect(const std::shared_ptr<pending>& p) {
    auto c = std::make_shared<connection>(ex);
    c->stream.expires_after(target->options.connect_timeout);
    c->stream.async_connect(
      target->endpoint, net::bind_executor(ex, [self = shared_from_this(), c,
                                                p](beast::error_code ec) {
        if (ec) {
          --self->open;
          fail(p,
               ec == beast::error::timeout ? ec::gateway_timeout
                                           : ec::bad_gateway,
               "cannot connect to upstream " + self->target->where() + ": "
                 + ec.message());
          return self->pump();
        }
        ++self->target->opened;
        beast::error_code ignored;
        c->stream.socket().set_option(tcp::no_delay{true}, ignored);
        self->exchange(c, p);
      }));
  }

  void exchange(const std::shared_ptr<connection>& c,
                const std::shared_ptr<pending>& p) {
    c->stream.expires_after(target->options.response_timeout);
    bhttp::async_write(
      c->stream, p->req,
      net::bind_executor(ex, [self = shared_from_this(), c,
                              p](beast::error_code ec, size_t) {
        if (ec)
          return self->broken(c, p, ec);
        auto parser
          = std::make_shared<bhttp::response_parser<bhttp::string_body>>();
        parser->body_limit(boost::none);
        parser->skip(p->req.method() == bhttp::verb::head);
        c->buffer.reserve(body_read_room);
        bhttp::async_read(
          c->stream, c->buffer, *parser,
          net::bind_executor(self->ex, [self, c, p,
                                        parser](beast::error_code ec, size_t) {
            if (ec)
              return self->broken(c, p, ec);
            auto& res = parser->get();
            auto out = from_beast(res, passes_through);
            if (res.keep_alive()) {
              c->stream.expires_never();
              c->reused = true;
              self->idle.push_back(c);
            } else {
              --self->open;
            }
            p->done(std::move(out));
            self->pump();
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
           "upstream " + target->where() + " did not answer in "
             + std::to_string(target->options.response_timeout.count())
             + " ms");
    } else if (c->reused && !p->retried) {
      // A kept-alive connection the upstream had closed (it restarted,
      // say): the other idle ones are likely as stale, so they go too, and
      // the retry gets a fresh connection.
      p->retried = true;
      drop_idle();
      submit(p);
    } else {
      fail(p, ec::bad_gateway,
           "upstream " + target->where() + " failed: " + ec.message());
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

  std::shared_ptr<upstream_target> target;
  // No strand: every context here is run by exactly one thread.
  net::io_context::executor_type ex;
  std::vector<std::shared_ptr<connection>> idle;
  std::deque<std::shared_ptr<pending>> waiting;
  size_t open = 0;
};

// The lanes that one server I/O context holds, one per upstream: an asio
// service of that context, so its connections close when the context shuts
// down, while the socket service they need is still there.
class context_lanes : public net::execution_context::service {
public:
  using key_type = context_lanes;

  explicit context_lanes(net::execution_context& context)
    : net::execution_context::service(context) {}

  std::shared_ptr<lane> lane_for(const std::shared_ptr<upstream_target>& t,
                                 net::io_context& context) {
    std::lock_guard guard{mtx_};
    auto& l = lanes_[t.get()];
    if (!l)
      l = std::make_shared<lane>(t, context);
    return l;
  }

private:
  void shutdown() override {
    std::lock_guard guard{mtx_};
    for (auto& [target, l] : lanes_) {
      l->drop_idle();
      l->waiting.clear();
    }
    lanes_.clear();
  }

  std::mutex mtx_;
  std::unordered_map<const upstream_target*, std::shared_ptr<lane>> lanes_;
};

} // namespace

struct upstream::impl {
  explicit impl(upstream_options o)
    : target(std::make_shared<upstream_target>(std::move(o))),
      guard(net::make_work_guard(ioc)),
      own(std::make_shared<lane>(target, ioc)) {}

  // The lane for a request sent from this thread: the lane of the server
  // I/O context this thread runs, else the upstream's own.
  std::shared_ptr<lane> lane_here() {
    auto* here = running_io_context;
    if (here == nullptr || here == &ioc)
      return own;
    // The execution_context overload: the io_context one wants an `id`.
    net::execution_context& context = *here;
    return net::use_service<context_lanes>(context).lane_for(target, *here);
  }

  std::shared_ptr<upstream_target> target;
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> guard;
  std::shared_ptr<lane> own; // for callers on no I/O thread (health checks)
  std::thread thread;        // runs ioc: one thread, so lanes need no strand
};

upstream::upstream(upstream_options options)
  : impl_(std::make_shared<impl>(std::move(options))) {
  // The thread co-owns the pool state: see ~upstream.
  impl_->thread = std::thread{[d = impl_] { run_io(d->ioc, "upstream"); }};
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
  if (d.thread.get_id() == std::this_thread::get_id())
    d.thread.detach();
  else
    d.thread.join();
}

void upstream::send(method verb, const std::string& target,
                    const std::string& content_type, std::string body,
                    std::function<void(expected<response>)> done,
                    const std::string& client_key) {
  auto p = std::make_shared<pending>();
  p->req = bhttp::request<bhttp::string_body>{to_beast(verb), target, 11};
  auto& target_ = *impl_->target;
  p->req.set(bhttp::field::host, target_.where());
  if (!content_type.empty())
    p->req.set(bhttp::field::content_type, content_type);
  auto& key = target_.options.service_key.empty() ? client_key
                                                  : target_.options.service_key;
  if (!key.empty())
    p->req.set("api-key", key);
  p->req.body() = std::move(body);
  p->req.prepare_payload();
  p->req.keep_alive(true);
  p->done = std::move(done);
  // Inline when this thread runs the lane's context (a request read by a
  // server I/O thread): no queueing, no wakeup.
  auto l = impl_->lane_here();
  net::dispatch(l->ex, [l, p] { l->submit(p); });
}

size_t upstream::connections_opened() const {
  return impl_->target->opened;
}

} // namespace lh::http
