// Payload types carried in actor messages, with the CAF glue they need.
// Used by actors/interfaces.hpp and every actor that sends them.
#pragma once

#include <memory>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

namespace lh {

/// Object bytes moved between actors without copying: CAF payloads must be
/// copyable, so the bytes sit behind a shared pointer and the receiver moves
/// them out. Never leaves the process, so it needs no serializer.
struct bytes_message {
  std::shared_ptr<std::string> data;

  static bytes_message wrap(std::string bytes) {
    return bytes_message{std::make_shared<std::string>(std::move(bytes))};
  }
  std::string take() const { return data ? std::move(*data) : std::string{}; }
};

} // namespace lh

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lh::bytes_message)
