// Our method enum <-> Beast's verb. Includes Beast: only for the few .cpp
// files that already do (server, client, upstream).
#pragma once

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

} // namespace lh::http
