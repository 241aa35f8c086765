#include "http/session.hpp"

#include <spdlog/spdlog.h>

#include "config/metrics.hpp"
#include "http/beast_convert.hpp"
#include "http/error_response.hpp"
#include "http/request_metrics.hpp"
#include "storage/huge_pages.hpp"

namespace lh::http {

session::session(tcp::socket&& socket, std::shared_ptr<server::impl> srv)
  : socket_(std::move(socket)), srv_(std::move(srv)) {
  // How long each request waited before it was read (refused past
  // max_queue_delay); stamping costs the kernel a clock read per packet.
  if (srv_->options.max_queue_delay.count() > 0)
    socket_.enable_stamps();
}

session::~session() {
  release_body_bytes();
  srv_->untrack(this);
}

void session::release_body_bytes() {
  if (body_bytes_held_ > 0)
    srv_->give_body_bytes(std::exchange(body_bytes_held_, 0));
}

void session::run() {
  net::dispatch(socket_.get_executor(),
                [self = shared_from_this()] { self->read_header(); });
}

void session::close_if_idle() {
  if (!busy_)
    close();
}

void session::close() {
  beast::error_code ignored;
  socket_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  socket_.socket().close(ignored);
}

void session::check_timeout(clock_type::time_point now) {
  if (now > deadline_) {
    spdlog::debug("http: closing a connection that timed out");
    close();
  }
}

void session::read_header() {
  if (srv_->stopping)
    return close();
  header_parser_.emplace();
  header_parser_->header_limit(header_limit);
  header_parser_->body_limit(boost::none); // checked per route below
  deadline_ = clock_type::now() + srv_->options.idle_timeout;
  bhttp::async_read_header(socket_, buffer_, *header_parser_,
                           [self = shared_from_this()](beast::error_code ec,
                                                       size_t) {
                             self->on_header(ec);
                           });
}

// A request Beast could not parse (HTTP/0.9, a bad chunk size, a bad or
// conflicting Content-Length, headers past the limit) gets a status line
// and its connection closes: what follows cannot be trusted to be the
// next request.
void session::refuse_malformed(beast::error_code ec) {
  spdlog::debug("http: malformed request: {}", ec.message());
  bool too_big = ec == bhttp::error::header_limit;
  busy_ = true;
  srv_->request_started();
  version_ = 11;
  send_and_close(error_response(
    make_error(too_big ? ec::header_too_large : ec::invalid_argument,
               too_big ? "request headers are over the limit of "
                           + std::to_string(header_limit) + " bytes"
                       : "malformed HTTP request: " + ec.message())));
}

bool session::is_parse_error(beast::error_code ec) {
  return ec.category()
           == bhttp::make_error_code(bhttp::error::bad_method).category()
         && ec != bhttp::error::end_of_stream
         && ec != bhttp::error::partial_message
         && ec != bhttp::error::need_more;
}

void session::on_header(beast::error_code ec) {
  if (ec) {
    if (is_parse_error(ec))
      return refuse_malformed(ec);
    if (ec != bhttp::error::end_of_stream && ec != net::error::eof
        && ec != beast::error::timeout && ec != net::error::operation_aborted)
      spdlog::debug("http: read error: {}", ec.message());
    return close();
  }
  busy_ = true;
  srv_->request_started();
  head_read_ = clock_type::now();
  route_ = nullptr;
  auto& header = header_parser_->get();
  // Both framings at once is how requests are smuggled past proxies.
  if (header.count(bhttp::field::content_length) > 0
      && header.count(bhttp::field::transfer_encoding) > 0)
    return refuse_malformed(bhttp::error::bad_transfer_encoding);
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
  req_.api_key = std::string{
    presented_key(header[bhttp::field::authorization], header["api-key"])};
  bool has_body = header_parser_->content_length().value_or(0) > 0
                  || header_parser_->chunked();
  // Answered before the body is read: the unread body would be taken for
  // the next request, so the connection closes after the answer.
  auto refuse = [&](response r) {
    if (has_body)
      return send_and_close(std::move(r));
    send(std::move(r));
  };
  // Keys first: a client without one learns nothing of the routes.
  auto& keys = srv_->options.keys;
  if (auto why = keys.refusal(required_access(req_.verb, req_.path,
                                              keys.keyed_probes()),
                              req_.api_key))
    return refuse(error_response(*why));
  auto match = srv_->routes.find(req_.verb, req_.path);
  if (match.result != route_match::found) {
    // As sent (PATCH, not "OTHER"); Beast took it as a token already.
    std::string sent_method{header.method_string()};
    if (match.result == route_match::not_found)
      return refuse(error_response(make_error(
        ec::not_found, "no route for " + sent_method + " " + req_.path)));
    auto r = error_response(make_error(
      ec::method_not_allowed, sent_method + " is not allowed on " + req_.path));
    std::string allow;
    for (auto m : match.allowed)
      allow += (allow.empty() ? "" : ", ") + std::string{to_string(m)};
    r.headers.emplace_back("Allow", allow);
    return refuse(std::move(r));
  }
  // Behind by more than the bound: answering now costs little, answering
  // late costs every request queued behind this one. Probes always go. A
  // small body is read first, so that the connection stays open (a client
  // retrying would otherwise pay for a new one); a large one is not.
  late_refusal_.reset();
  if (srv_->options.max_queue_delay.count() > 0 && !is_probe(req_.path)) {
    auto in_kernel = waited_since(socket_.last_arrival(), wall_clock::now());
    auto behind = srv_->queue_delay(socket_.get_executor().context(),
                                    in_kernel);
    if (behind.count() > 0) {
      auto declared_body = header_parser_->content_length().value_or(0);
      if (header_parser_->chunked() || declared_body > small_body)
        return refuse(too_far_behind(behind));
      if (!has_body)
        return send(too_far_behind(behind));
      late_refusal_ = too_far_behind(behind);
    }
  }
  route_ = match.matched;
  req_.params = std::move(match.params);
  auto limit = route_->body_limit;
  auto declared = header_parser_->content_length().value_or(0);
  if (declared > limit)
    return send_and_close(too_large(limit));
  if (route_->admit)
    if (auto refusal = route_->admit(req_))
      return refuse(std::move(*refusal));
  // Bodies held at once are bounded: past the bound a request is refused
  // before its body is read (one request alone may always go, up to its
  // route's limit).
  if (declared > 0 && !srv_->take_body_bytes(declared))
    return refuse(bodies_bound_reached());
  body_bytes_held_ = declared;
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
                       [self = shared_from_this(), cont](beast::error_code ec,
                                                         size_t) {
                         if (ec)
                           return self->finish_and_close();
                         self->read_body();
                       });
    return;
  }
  read_body();
}

void session::read_body() {
  body_started_ = clock_type::now();
  buffer_.reserve(body_read_room);
  // Memory follows the bytes that arrive, not the length a client claims:
  // the first piece is reserved now, the rest once that much came.
  if (auto n = body_parser_->content_length())
    reserve_huge(body_parser_->get().body(),
                 std::min<uint64_t>(*n, first_body_reserve) + body_padding);
  beast::error_code ec;
  if (parse_buffered_body(ec))
    return on_body(ec);
  read_more_body();
}

// A small body usually came in the read that brought its head. Parsed
// here it is served now; read through Beast it would be a completion
// posted behind every other ready connection of this thread (under load,
// a whole epoll batch), after the request was admitted as on time.
// Only for a declared length: a chunked body is counted as it arrives
// (read_more_body).
bool session::parse_buffered_body(beast::error_code& ec) {
  if (!body_parser_->content_length())
    return false;
  body_parser_->eager(true);
  while (buffer_.size() > 0 && !body_parser_->is_done()) {
    auto used = body_parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      break;
    }
    if (ec)
      return true;
    if (used == 0)
      break;
  }
  return body_parser_->is_done();
}

// The body is read piece by piece so that its deadline follows its
// progress: a grace period plus what has arrived at the minimum rate
// (server_options.min_body_rate), never past read_timeout. A client that
// trickles bytes (slowloris) loses its connection after the grace period;
// a large body at a normal rate gets all the time it needs.
void session::read_more_body() {
  auto& o = srv_->options;
  auto& body = body_parser_->get().body();
  auto received = body.size();
  if (auto n = body_parser_->content_length();
      n && received >= first_body_reserve / 2
      && body.capacity() < *n + body_padding)
    reserve_huge(body, *n + body_padding);
  // A chunked body has no declared length: it counts as it arrives.
  if (!body_parser_->content_length() && received > body_bytes_held_) {
    if (!srv_->take_body_bytes(received - body_bytes_held_))
      return send_and_close(bodies_bound_reached());
    body_bytes_held_ = received;
  }
  auto earned = std::chrono::duration_cast<clock_type::duration>(
    std::chrono::duration<double>(double(received) / o.min_body_rate));
  deadline_ = std::min(body_started_ + o.body_grace + earned,
                       body_started_ + o.read_timeout);
  bhttp::async_read_some(socket_, buffer_, *body_parser_,
                         [self = shared_from_this()](beast::error_code ec,
                                                     size_t) {
                           if (!ec && !self->body_parser_->is_done())
                             return self->read_more_body();
                           self->on_body(ec);
                         });
}

void session::on_body(beast::error_code ec) {
  if (ec == bhttp::error::body_limit)
    return send_and_close(too_large(route_->body_limit));
  if (ec) {
    spdlog::debug("http: body read error on {}: {}", req_.path, ec.message());
    if (is_parse_error(ec)) // a bad chunk: answer, then close
      return send_and_close(error_response(make_error(
        ec::invalid_argument, "malformed HTTP request body: " + ec.message())));
    return finish_and_close();
  }
  req_.body = std::move(body_parser_->get().body());
  body_parser_.reset();
  dispatch();
}

void session::dispatch() {
  header_parser_.reset();
  deadline_ = clock_type::time_point::max(); // the handler has its own
  if (late_refusal_) // refused when the head was read, its body read since
    return send(*std::exchange(late_refusal_, std::nullopt));
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

bool session::is_probe(std::string_view path) {
  return path == "/health" || path == "/ready" || path == "/metrics";
}

response session::too_far_behind(std::chrono::microseconds behind) {
  metrics::refused("queue_delay");
  return error_response(make_error(
    ec::overloaded, "the server is " + std::to_string(behind.count() / 1000)
                      + " ms behind its requests; retry shortly"));
}

response session::bodies_bound_reached() {
  metrics::refused("body_bytes_in_flight");
  return error_response(make_error(
    ec::overloaded,
    "the server holds too many request bodies at once; retry shortly"));
}

response session::too_large(uint64_t limit) const {
  return error_response(
    make_error(ec::payload_too_large, "request body is over the limit of "
                                        + std::to_string(limit) + " bytes for "
                                        + req_.path));
}

void session::send(response r) {
  count_request(
    route_ ? std::string_view{route_->pattern} : std::string_view{}, req_.verb,
    r.status,
    std::chrono::duration<double>(clock_type::now() - head_read_).count());
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

// An answer before the request's body was read (or after a body that
// cannot be trusted): the rest of the bytes would be taken for the next
// request, so the connection closes after it (linger_then_close).
void session::send_and_close(response r) {
  keep_alive_ = false;
  unread_body_ = true;
  send(std::move(r));
}

void session::on_write(beast::error_code ec, bool keep) {
  busy_ = false;
  release_body_bytes();
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
void session::linger_then_close() {
  beast::error_code ignored;
  socket_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  deadline_ = clock_type::now() + std::chrono::seconds{2};
  discard_ = std::make_shared<std::array<char, 16384>>();
  discard_input();
}

void session::discard_input() {
  socket_.socket().async_read_some(
    net::buffer(*discard_),
    [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec)
        return self->close();
      self->discard_input();
    });
}

void session::finish_and_close() {
  busy_ = false;
  release_body_bytes();
  srv_->request_finished();
  close();
}

} // namespace lh::http
