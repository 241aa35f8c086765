#include "http/gateway_routes.hpp"

#include "config/request_limits.hpp"
#include "http/error_response.hpp"
#include "http/vector_routes.hpp"

namespace lh::http {

namespace {

// Forwards the request to `to`, dropping "/v1" from its path.
handler forward(std::shared_ptr<upstream> to) {
  return [to](request& req, respond_fn respond) {
    auto target = req.path.substr(3); // "/v1/vectors/x" -> "/vectors/x"
    if (!req.query.empty())
      target += "?" + req.query;
    to->send(req.verb, std::move(target), req.content_type, std::move(req.body),
             [respond](expected<response> res) {
               respond(res ? std::move(*res) : error_response(res.error()));
             },
             req.api_key);
  };
}

} // namespace

void add_gateway_routes(router& r, std::shared_ptr<upstream> vectors,
                        std::shared_ptr<upstream> storage,
                        uint64_t max_storage_body) {
  for (auto verb : {method::get, method::post, method::put, method::del}) {
    r.add(verb, "/v1/vectors/{rest*}", forward(vectors),
          limits().max_add_body_bytes);
    r.add(verb, "/v1/storage/{rest*}", forward(storage), max_storage_body);
  }
}

} // namespace lh::http
