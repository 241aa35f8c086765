// One HTTP/1.1 connection of the server: reads a header, picks the route,
// reads the body within the route's limit, calls the handler and writes
// its answer, then waits for the next request (keep-alive). Internal to
// the server's files (see server_impl.hpp).
#pragma once

#include <array>
#include <memory>
#include <optional>

#include "http/server_impl.hpp"
#include "http/stamped_socket.hpp"

namespace lh::http {

class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket&& socket, std::shared_ptr<server::impl> srv);
  ~session();

  void run();

  /// Called by the drain on this session's strand.
  void close_if_idle();

  auto executor() { return socket_.get_executor(); }

  void close();

  /// Called once a second on this session's thread.
  void check_timeout(clock_type::time_point now);

private:
  void read_header();
  void on_header(beast::error_code ec);
  void refuse_malformed(beast::error_code ec);
  static bool is_parse_error(beast::error_code ec);
  void read_body();
  /// Feeds the body bytes already buffered to the parser: true when the
  /// body is done (or failed, in ec) without another read.
  bool parse_buffered_body(beast::error_code& ec);
  void read_more_body();
  void on_body(beast::error_code ec);
  void dispatch();
  response too_large(uint64_t limit) const;
  static response bodies_bound_reached();
  static bool is_probe(std::string_view path);
  static response too_far_behind(std::chrono::microseconds behind);
  void send(response r);
  void send_and_close(response r);
  void on_write(beast::error_code ec, bool keep);
  void linger_then_close();
  void discard_input();
  void finish_and_close();
  void release_body_bytes();

  static constexpr size_t header_limit = 16 * 1024;
  static constexpr uint64_t first_body_reserve = uint64_t{64} << 20;
  uint64_t body_bytes_held_ = 0; // counted in server::impl's bound

  stamped_socket socket_;
  clock_type::time_point deadline_ = clock_type::time_point::max();
  clock_type::time_point body_started_{};
  clock_type::time_point head_read_{}; // of the request being answered
  beast::flat_buffer buffer_;
  std::shared_ptr<server::impl> srv_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> header_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> body_parser_;
  request req_;
  const route* route_ = nullptr;
  // A refusal decided from the head, sent once the (small) body is read.
  std::optional<response> late_refusal_;
  static constexpr uint64_t small_body = 64 * 1024;
  bool keep_alive_ = true;
  bool unread_body_ = false; // answered before reading the whole body
  std::shared_ptr<std::array<char, 16384>> discard_;
  bool busy_ = false;
  unsigned version_ = 11;
};

} // namespace lh::http
