// Our method enum <-> Beast's verb, and Beast's response -> ours. Includes
// Beast: only for the few .cpp files that already do (server, client,
// upstream).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include "http/message.hpp"

namespace lh::http {

inline boost::beast::http::verb to_beast(method m) {
  using boost::beast::http::verb;
  switch (m) {
    case method::get: return verb::get;
    case method::head: return verb::head;
    case method::post: return verb::post;
    case method::put: return verb::put;
    case method::del: return verb::delete_;
    case method::other: break;
  }
  return verb::unknown;
}

inline method from_beast(boost::beast::http::verb v) {
  using boost::beast::http::verb;
  switch (v) {
    case verb::get: return method::get;
    case verb::head: return method::head;
    case verb::post: return method::post;
    case verb::put: return method::put;
    case verb::delete_: return method::del;
    default: return method::other;
  }
}

/// Free room to keep in a read buffer while a body streams in: Beast
/// sizes each read by the buffer's free capacity, 512 bytes after a
/// header, so a 100 MiB body would take 200k reads. 64 KiB is Beast's
/// largest read.
inline constexpr size_t body_read_room = 64 * 1024;

/// Our response from Beast's, moving the body out; `keep_header(name)`
/// decides which headers come along.
template <class KeepHeader>
response
from_beast(boost::beast::http::response<boost::beast::http::string_body>& res,
           KeepHeader keep_header) {
  response out;
  out.status = res.result_int();
  out.content_type = std::string{res[boost::beast::http::field::content_type]};
  for (auto& field : res)
    if (keep_header(field.name_string()))
      out.headers.emplace_back(std::string{field.name_string()},
                               std::string{field.value()});
  out.body = std::move(res.body());
  return out;
}

} // namespace lh::http
