// The one mapping from error code to HTTP status, and the JSON error body
// {"error": "...", "code": "..."} every service answers with.
#pragma once

#include "config/error.hpp"
#include "http/message.hpp"

namespace lh::http {

/// The HTTP status that reports `code` to a client.
unsigned status_of(ec code);

/// A response with status_of(err.code) and a JSON error body.
response error_response(const error& err);

/// A 200 (or `status`) response with a JSON body.
response json_response(std::string body, unsigned status = 200);

} // namespace lh::http
