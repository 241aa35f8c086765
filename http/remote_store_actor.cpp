#include "http/remote_store_actor.hpp"

#include <caf/actor_system.hpp>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/store_actor.hpp"
#include "actors/vector_service.hpp"
#include "http/storage_routes.hpp"
#include "http/upstream.hpp"
#include "storage/key_rules.hpp"

namespace lh {

error error_from_storaged(unsigned status, const std::string& body) {
  // The message is the body's "error" text when there is one.
  std::string message = "storaged answered " + std::to_string(status);
  simdjson::dom::parser parser;
  std::string_view text;
  if (parser.parse(body).get_object()["error"].get(text) == simdjson::SUCCESS)
    message += ": " + std::string{text};
  switch (status) {
    case 400: return make_error(ec::invalid_argument, message);
    case 404: return make_error(ec::not_found, message);
    case 409: return make_error(ec::stale_write, message);
    case 413: return make_error(ec::payload_too_large, message);
    case 503: return make_error(ec::unavailable, message);
    case 507: return make_error(ec::no_space, message);
    default:
      return make_error(status >= 500 ? ec::storage_failure : ec::internal,
                        message);
  }
}

namespace {

// One call to storaged; an HTTP error or a transport failure is an error.
expected<http::response> call(remote_store_state& st, http::method verb,
                              const std::string& target,
                              std::string body = {}) {
  auto r = st.client->send(verb, target, std::move(body), st.headers);
  if (!r) {
    spdlog::warn("remote store: {}", r.error().message);
    return r.error(); // unavailable or timeout: the client names the host
  }
  if (r->status != 200)
    return error_from_storaged(r->status, r->body);
  return r;
}

// The answer of a write: storaged's 200, or its error.
caf::result<ok_atom> acknowledged(const expected<http::response>& r) {
  if (!r)
    return to_caf(r.error());
  return ok_atom::value;
}

expected<std::vector<std::string>> parse_keys(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::array keys;
  if (parser.parse(body)["keys"].get(keys))
    return make_error(ec::corrupt_data, "storaged list answer has no keys");
  std::vector<std::string> out;
  for (auto k : keys) {
    std::string_view s;
    if (k.get(s))
      return make_error(ec::corrupt_data, "storaged listed a non-string key");
    out.emplace_back(s);
  }
  return out;
}

} // namespace

store_actor::behavior_type
remote_store_actor(store_actor::stateful_pointer<remote_store_state> self,
                   std::string host, uint16_t port,
                   std::chrono::milliseconds timeout, std::string service_key) {
  self->state.client.emplace(std::move(host), port, timeout);
  if (!service_key.empty())
    self->state.headers.emplace_back("api-key", std::move(service_key));
  const std::string base = http::internal_storage_base;
  auto path = [base](std::string_view route, const std::string& key) {
    return base + "/" + std::string{route} + "/" + percent_encode(key);
  };
  return {
    [=](put_atom, const std::string& key,
        const bytes_message& value) -> caf::result<ok_atom> {
      return acknowledged(
        call(self->state, http::method::put, path("put", key), value.take()));
    },
    [=](get_atom, const std::string& key) -> caf::result<bytes_message> {
      auto r = call(self->state, http::method::get, path("get", key));
      if (!r)
        return to_caf(r.error());
      return bytes_message::wrap(std::move(r->body));
    },
    [=](delete_atom, const std::string& key) -> caf::result<ok_atom> {
      return acknowledged(
        call(self->state, http::method::del, path("delete", key)));
    },
    [=](put_atom, const std::string& key, const bytes_message& value,
        uint64_t generation) -> caf::result<ok_atom> {
      return acknowledged(
        call(self->state, http::method::put,
             path("put", key) + "?generation=" + std::to_string(generation),
             value.take()));
    },
    [=](delete_atom, const std::string& key,
        uint64_t generation) -> caf::result<ok_atom> {
      return acknowledged(call(self->state, http::method::del,
                               path("delete", key) + "?generation="
                                 + std::to_string(generation)));
    },
    [=](append_atom, const group_message& group) -> caf::result<ok_atom> {
      if (!group.objects)
        return to_caf(make_error(ec::internal, "empty group message"));
      return acknowledged(call(self->state, http::method::post,
                               base + "/append",
                               encode_object_group(*group.objects)));
    },
    [=](trim_atom, const std::string& from,
        const std::string& to) -> caf::result<ok_atom> {
      return acknowledged(call(self->state, http::method::post,
                               base + "/trim?from=" + percent_encode(from)
                                 + "&to=" + percent_encode(to)));
    },
    [=](list_atom,
        const std::string& prefix) -> caf::result<std::vector<std::string>> {
      auto r = call(self->state, http::method::get,
                    base + "/list?prefix=" + percent_encode(prefix));
      if (!r)
        return to_caf(r.error());
      auto keys = parse_keys(r->body);
      if (!keys)
        return to_caf(keys.error());
      return std::move(*keys);
    },
  };
}

store_actor spawn_remote_store(caf::actor_system& sys, const std::string& host,
                               uint16_t port, std::chrono::milliseconds timeout,
                               size_t workers, const std::string& service_key) {
  std::vector<store_actor> handles;
  for (size_t i = 0; i < std::max<size_t>(1, workers); ++i)
    handles.push_back(sys.spawn<caf::detached>(remote_store_actor, host, port,
                                               timeout, service_key));
  return sys.spawn(store_pool_actor, std::move(handles));
}

expected<store_actor> connect_store(caf::actor_system& sys,
                                    const settings& cfg) {
  auto& s = cfg.vectord;
  if (s.storaged_url.empty())
    return store_actor{};
  auto url = http::parse_upstream_url(s.storaged_url);
  if (!url)
    return make_error(ec::config_error,
                      "[vectord].storaged_url: " + url.error().message);
  // Saves of different indexes and parallel loads at start each take one.
  const size_t connections = 4;
  return spawn_remote_store(sys, url->host, url->port, store_call_timeout,
                            connections, cfg.auth.service_key);
}

} // namespace lh
