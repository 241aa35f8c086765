// The store_actor interface over HTTP to a remote storaged: what vectord
// uses when [vectord].storaged_url is set. Each worker owns one kept-alive
// connection and blocks on it, so workers are spawned detached, several
// behind a store pool (actors/store_actor.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/interfaces.hpp"
#include "config/settings.hpp"
#include "http/client.hpp"

namespace lh {

struct remote_store_state {
  std::optional<http::blocking_client> client;
  http::header_list headers; // the service key, when there is one
  static inline const char* name = "remote-store";
};

store_actor::behavior_type
remote_store_actor(store_actor::stateful_pointer<remote_store_state> self,
                   std::string host, uint16_t port,
                   std::chrono::milliseconds timeout, std::string service_key);

/// `workers` detached remote_store_actors behind a store pool. They call
/// storaged's internal routes, presenting `service_key` when not empty.
store_actor spawn_remote_store(caf::actor_system& sys, const std::string& host,
                               uint16_t port, std::chrono::milliseconds timeout,
                               size_t workers,
                               const std::string& service_key = {});

/// The store vectord saves into: a pool of clients of the storaged at
/// `s.vectord.storaged_url` presenting `s.auth.service_key`, or null when
/// the URL is empty (ephemeral).
expected<store_actor> connect_store(caf::actor_system& sys,
                                    const settings& s);

/// The error a storaged HTTP answer stands for: decided by its status
/// (404 is ec::not_found), with the body's message. Pure; tested alone.
error error_from_storaged(unsigned status, const std::string& body);

} // namespace lh
