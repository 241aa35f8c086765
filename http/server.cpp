#include "http/server.hpp"

#include <array>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "http/beast_convert.hpp"
#include "storage/huge_pages.hpp"
#include "http/error_response.hpp"

namespace lh::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

class session;

struct server::impl : std::enable_shared_from_this<server::impl> {
  impl(router r, server_options o)
    : routes(std::move(r)), options(o), contexts(make_contexts()),
      acceptor(*contexts[0]), sweeper(*contexts[0]) {
  }

  // One io_context per thread: a connection lives on one thread, so its
  // completions never hop threads (futex wake-ups are costly here).
  std::vector<std::unique_ptr<net::io_context>> make_contexts() const {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (unsigned i = 0; i < thread_count(); ++i)
      out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }

  void sweep_timeouts();

  unsigned thread_count() const {
    if (options.threads > 0)
      return options.threads;
    return std::max(1u, std::thread::hardware_concurrency());
  }

  void accept_next();
  void track(const std::shared_ptr<session>& s);
  void untrack(session* s);
  /// Strong references to the open sessions. Taken under the lock but
  /// released by the caller outside it: a session's destructor locks too.
  std::vector<std::shared_ptr<session>> live_sessions() {
    std::vector<std::shared_ptr<session>> out;
    std::lock_guard guard{mtx};
    for (auto& [ptr, weak] : sessions)
      if (auto s = weak.lock())
        out.push_back(std::move(s));
    return out;
  }
  void request_started() { ++in_flight; }
  void request_finished() {
    if (--in_flight == 0) {
      std::lock_guard guard{mtx};
      idle_cv.notify_all();
    }
  }

  router routes;
  server_options options;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  size_t next_context = 0; // round-robin for accepted sockets
  tcp::acceptor acceptor;
  // Timeouts are checked once a second instead of arming a timer per
  // request: a per-operation timer costs syscalls on every request.
  net::steady_timer sweeper;
  std::vector<std::thread> threads;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::atomic<bool> stopping{false};
  std::atomic<bool> threads_stopped{false}; // late replies are dropped
  std::atomic<int> in_flight{0};
  std::mutex mtx; // guards sessions; pairs with idle_cv
  std::condition_variable idle_cv;
  std::unordered_map<session*, std::weak_ptr<session>> sessions;
  uint16_t bound_port = 0;
  bool running = false;
};

class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket&& socket, std::shared_ptr<server::impl> srv)
    : socket_(std::move(socket)), srv_(std::move(srv)) {
  }

  ~session() { srv_->untrack(this); }

  void run() {
    net::dispatch(socket_.get_executor(),
                  [self = shared_from_this()] { self->read_header(); });
  }

  /// Called by server::stop on this session's strand.
  void close_if_idle() {
    if (!busy_)
      close();
  }

  auto executor() { return socket_.get_executor(); }

  void close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  /// Called once a second on this session's thread.
  void check_timeout(clock_type::time_point now) {
    if (now > deadline_) {
      spdlog::debug("http: closing a connection that timed out");
      close();
    }
  }

private:
  void read_header() {
    if (srv_->stopping)
      return close();
    header_parser_.emplace();
    header_parser_->header_limit(16 * 1024);
    header_parser_->body_limit(boost::none); // checked per route below
    deadline_ = clock_type::now() + srv_->options.idle_timeout;
    bhttp::async_read_header(
      socket_, buffer_, *header_parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        self->on_header(ec);
      });
  }

  void on_header(beast::error_code ec) {
    if (ec) {
      if (ec != bhttp::error::end_of_stream && ec != net::error::eof
          && ec != beast::error::timeout && ec != net::error::operation_aborted)
        spdlog::debug("http: read error: {}", ec.message());
      return close();
    }
    busy_ = true;
    srv_->request_started();
    auto& header = header_parser_->get();
    keep_alive_ = header.keep_alive();
    version_ = header.version();
    auto target = std::string_view{header.target().data(),
                                   header.target().size()};
    auto qmark = target.find('?');
    req_ = request{};
    unread_body_ = false;
    req_.verb = from_beast(header.method());
    req_.path = std::string{target.substr(0, qmark)};
    if (qmark != std::string_view::npos)
      req_.query = std::string{target.substr(qmark + 1)};
    if (auto it = header.find(bhttp::field::content_type); it != header.end())
      req_.content_type = std::string{it->value()};
    bool has_body = header_parser_->content_length().value_or(0) > 0
                    || header_parser_->chunked();
    auto match = srv_->routes.find(req_.verb, req_.path);
    if (match.result != route_match::found) {
      if (has_body) { // the unread body would be taken for the next request
        keep_alive_ = false;
        unread_body_ = true;
      }
      if (match.result == route_match::not_found)
        return send(error_response(make_error(
          ec::not_found, "no route for " + std::string{to_string(req_.verb)}
                           + " " + req_.path)));
      auto r = error_response(make_error(
        ec::method_not_allowed, std::string{to_string(req_.verb)}
                                  + " is not allowed on " + req_.path));
      std::string allow;
      for (auto m : match.allowed)
        allow += (allow.empty() ? "" : ", ") + std::string{to_string(m)};
      r.headers.emplace_back("Allow", allow);
      return send(std::move(r));
    }
    route_ = match.matched;
    req_.params = std::move(match.params);
    auto limit = route_->body_limit;
    if (header_parser_->content_length().value_or(0) > limit) {
      keep_alive_ = false;
      unread_body_ = true;
      return send(too_large(limit));
    }
    if (!has_body)
      return dispatch();
    body_parser_.emplace(std::move(*header_parser_));
    body_parser_->body_limit(limit);
    auto expect = body_parser_->get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      // curl waits for this before it sends a large body.
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(
        bhttp::status::continue_, version_);
      bhttp::async_write(socket_, *cont,
                         [self = shared_from_this(),
                          cont](beast::error_code ec, size_t) {
                           if (ec)
                             return self->finish_and_close();
                           self->read_body();
                         });
      return;
    }
    read_body();
  }

  void read_body() {
    deadline_ = clock_type::now() + srv_->options.read_timeout;
    buffer_.reserve(body_read_room);
    if (auto n = body_parser_->content_length())
      reserve_huge(body_parser_->get().body(), *n + body_padding);
    bhttp::async_read(socket_, buffer_, *body_parser_,
                      [self = shared_from_this()](beast::error_code ec,
                                                  size_t) {
                        self->on_body(ec);
                      });
  }

  void on_body(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      keep_alive_ = false;
      unread_body_ = true;
      return send(too_large(route_->body_limit));
    }
    if (ec) {
      spdlog::debug("http: body read error on {}: {}", req_.path, ec.message());
      return finish_and_close();
    }
    req_.body = std::move(body_parser_->get().body());
    body_parser_.reset();
    dispatch();
  }

  void dispatch() {
    header_parser_.reset();
    deadline_ = clock_type::time_point::max(); // the handler has its own
    spdlog::debug("http: {} {}", to_string(req_.verb), req_.path);
    // The responder may run on any thread: it posts back to this strand.
    auto self = shared_from_this();
    auto responded = std::make_shared<std::atomic<bool>>(false);
    respond_fn respond = [self, responded](response r) {
      if (responded->exchange(true))
        return; // a handler answered twice: keep the first answer
      if (self->srv_->threads_stopped)
        return; // the server is gone; nobody would write this reply
      // Inline when already on this strand (a search answered at once).
      net::dispatch(self->executor(), [self, r = std::move(r)]() mutable {
        self->send(std::move(r));
      });
    };
    try {
      route_->fn(req_, std::move(respond));
    } catch (const std::exception& e) {
      spdlog::error("http: handler for {} {} threw: {}", to_string(req_.verb),
                    req_.path, e.what());
      if (!responded->exchange(true))
        send(error_response(make_error(ec::internal, e.what())));
    }
  }

  response too_large(uint64_t limit) {
    return error_response(make_error(
      ec::payload_too_large, "request body is over the limit of "
                               + std::to_string(limit) + " bytes for "
                               + req_.path));
  }

  void send(response r) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
      static_cast<bhttp::status>(r.status), version_);
    res->set(bhttp::field::server, "lakehouse/" LAKEHOUSE_VERSION);
    res->set(bhttp::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers)
      res->set(name, value);
    bool keep = keep_alive_ && !srv_->stopping;
    res->keep_alive(keep);
    res->body() = std::move(r.body);
    res->prepare_payload();
    deadline_ = clock_type::now() + srv_->options.read_timeout;
    bhttp::async_write(socket_, *res,
                       [self = shared_from_this(), res,
                        keep](beast::error_code ec, size_t) {
                         self->on_write(ec, keep);
                       });
  }

  void on_write(beast::error_code ec, bool keep) {
    busy_ = false;
    srv_->request_finished();
    if (!ec && !keep && unread_body_)
      return linger_then_close();
    if (ec || !keep)
      return close();
    read_header();
  }

  // Closing with unread request bytes makes the kernel send a reset, which
  // can destroy the error response before the client reads it. So after an
  // early answer, stop sending and discard what arrives for a short while.
  void linger_then_close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    deadline_ = clock_type::now() + std::chrono::seconds{2};
    discard_ = std::make_shared<std::array<char, 16384>>();
    drain();
  }

  void drain() {
    socket_.async_read_some(
      net::buffer(*discard_),
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec)
          return self->close();
        self->drain();
      });
  }

  void finish_and_close() {
    busy_ = false;
    srv_->request_finished();
    close();
  }

  tcp::socket socket_;
  clock_type::time_point deadline_ = clock_type::time_point::max();
  beast::flat_buffer buffer_;
  std::shared_ptr<server::impl> srv_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> header_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> body_parser_;
  request req_;
  const route* route_ = nullptr;
  bool keep_alive_ = true;
  bool unread_body_ = false; // answered before reading the whole body
  std::shared_ptr<std::array<char, 16384>> discard_;
  bool busy_ = false;
  unsigned version_ = 11;
};

void server::impl::accept_next() {
  auto& context = *contexts[next_context++ % contexts.size()];
  acceptor.async_accept(
    context,
    [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != net::error::operation_aborted && !self->stopping)
          spdlog::warn("http: accept failed: {}", ec.message());
        if (self->stopping || !self->acceptor.is_open())
          return;
      } else {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay{true}, ignored);
        auto s = std::make_shared<session>(std::move(socket), self);
        self->track(s);
        s->run();
      }
      self->accept_next();
    });
}

void server::impl::sweep_timeouts() {
  sweeper.expires_after(std::chrono::seconds{1});
  sweeper.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->stopping)
      return;
    auto now = clock_type::now();
    for (auto& s : self->live_sessions())
      net::post(s->executor(), [s, now] { s->check_timeout(now); });
    self->sweep_timeouts();
  });
}

void server::impl::track(const std::shared_ptr<session>& s) {
  std::lock_guard guard{mtx};
  sessions.emplace(s.get(), s);
}

void server::impl::untrack(session* s) {
  std::lock_guard guard{mtx};
  sessions.erase(s);
}

server::server(router routes, server_options options)
  : impl_(std::make_shared<impl>(std::move(routes), std::move(options))) {
}

server::~server() {
  stop(std::chrono::seconds{1});
}

expected<void> server::start() {
  auto& d = *impl_;
  beast::error_code ec;
  auto address = net::ip::make_address(d.options.bind, ec);
  if (ec)
    return make_error(ec::config_error,
                      "invalid bind address '" + d.options.bind + "'");
  tcp::endpoint endpoint{address, d.options.port};
  auto where = d.options.bind + ":" + std::to_string(d.options.port);
  d.acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    d.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    d.acceptor.bind(endpoint, ec);
  if (!ec)
    d.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(ec::unavailable,
                      "cannot listen on " + where + ": " + ec.message());
  d.bound_port = d.acceptor.local_endpoint().port();
  d.accept_next();
  d.sweep_timeouts();
  for (auto& context : d.contexts) {
    // Keeps run() going while the context has no socket yet.
    d.guards.push_back(net::make_work_guard(*context));
    d.threads.emplace_back([&context] { context->run(); });
  }
  d.running = true;
  return {};
}

uint16_t server::port() const {
  return impl_->bound_port;
}

void server::stop(std::chrono::milliseconds grace) {
  auto& d = *impl_;
  if (!d.running)
    return;
  d.running = false;
  d.stopping = true;
  net::post(d.acceptor.get_executor(), [&d] {
    beast::error_code ignored;
    d.acceptor.close(ignored);
    d.sweeper.cancel();
  });
  for (auto& s : d.live_sessions())
    net::post(s->executor(), [s] { s->close_if_idle(); });
  {
    std::unique_lock lock{d.mtx};
    d.idle_cv.wait_for(lock, grace, [&d] { return d.in_flight == 0; });
  }
  if (d.in_flight > 0)
    spdlog::warn("http: stopping with {} request(s) still in flight",
                 d.in_flight.load());
  d.guards.clear();
  for (auto& context : d.contexts)
    context->stop();
  for (auto& t : d.threads)
    t.join();
  d.threads.clear();
  // No I/O thread runs now. Close what is left and run the aborted
  // handlers once, so that sessions release the server and are freed.
  d.threads_stopped = true;
  auto left = d.live_sessions();
  for (auto& s : left)
    s->close();
  left.clear();
  beast::error_code ignored;
  d.acceptor.close(ignored);
  d.sweeper.cancel();
  for (auto& context : d.contexts) {
    context->restart();
    context->poll();
  }
}

} // namespace lh::http
