#include "http/client.hpp"

#include <optional>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/beast_convert.hpp"
#include "storage/huge_pages.hpp"

namespace lh::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

struct blocking_client::impl {
  std::string host;
  uint16_t port;
  std::chrono::milliseconds timeout;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  int opened = 0;

  beast::error_code connect() {
    stream.emplace(ioc);
    buffer.clear();
    beast::error_code ec;
    auto address = net::ip::make_address(host, ec);
    if (ec)
      return ec;
    stream->socket().connect(tcp::endpoint{address, port}, ec);
    buffer.reserve(body_read_room);
    if (!ec) {
      stream->socket().set_option(tcp::no_delay{true}, ec);
      ++opened;
    }
    return ec;
  }

  // One exchange on the current connection, with a deadline.
  beast::error_code exchange(bhttp::request<bhttp::string_body>& req,
                             response& out) {
    beast::error_code result = net::error::timed_out;
    bool done = false;
    stream->expires_after(timeout);
    // A server may answer (413, say) and close before it reads the whole
    // body: the write then fails, but the response is still readable.
    bhttp::async_write(*stream, req, [](beast::error_code, size_t) {});
    auto parser
      = std::make_shared<bhttp::response_parser<bhttp::string_body>>();
    parser->body_limit(boost::none);
    parser->skip(req.method() == bhttp::verb::head);
    auto finish = [&](beast::error_code ec, size_t) {
      result = ec;
      done = true;
    };
    // The header first: a large body then goes into a buffer reserved
    // (with huge pages) for its whole length.
    bhttp::async_read_header(
      *stream, buffer, *parser, [&](beast::error_code ec, size_t n) {
        if (ec)
          return finish(ec, n);
        if (auto length = parser->content_length())
          reserve_huge(parser->get().body(), *length);
        bhttp::async_read(*stream, buffer, *parser, finish);
      });
    ioc.restart();
    ioc.run();
    if (!done || result)
      return result;
    auto& res = parser->get();
    bool keep_alive = res.keep_alive();
    out = from_beast(res, [](std::string_view) { return true; });
    if (!keep_alive)
      stream.reset();
    return {};
  }
};

blocking_client::blocking_client(std::string host, uint16_t port,
                                 std::chrono::milliseconds timeout)
  : impl_(std::make_unique<impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

blocking_client::~blocking_client() = default;
blocking_client::blocking_client(blocking_client&&) noexcept = default;
blocking_client&
blocking_client::operator=(blocking_client&&) noexcept = default;

int blocking_client::connections_opened() const {
  return impl_->opened;
}

expected<response> blocking_client::send(method verb, const std::string& target,
                                         std::string body,
                                         const header_list& headers) {
  auto& d = *impl_;
  bhttp::request<bhttp::string_body> req{to_beast(verb), target, 11};
  req.set(bhttp::field::host, d.host);
  for (auto& [name, value] : headers)
    req.set(name, value);
  req.body() = std::move(body);
  req.prepare_payload();
  req.keep_alive(true);
  bool fresh = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!d.stream) {
      if (auto ec = d.connect())
        return make_error(ec::unavailable, "cannot connect to " + d.host + ":"
                                             + std::to_string(d.port) + ": "
                                             + ec.message());
      fresh = true;
    }
    response out;
    auto ec = d.exchange(req, out);
    if (!ec)
      return out;
    d.stream.reset();
    if (ec == net::error::timed_out || ec == beast::error::timeout)
      return make_error(ec::timeout, "no answer from " + d.host + ":"
                                       + std::to_string(d.port) + " in time");
    if (fresh) // a new connection failed: do not retry
      return make_error(ec::unavailable, "request to " + d.host + ":"
                                           + std::to_string(d.port)
                                           + " failed: " + ec.message());
  }
  return make_error(ec::unavailable, "request failed twice");
}

} // namespace lh::http
