#include "actors/caf_error.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace lh {

caf::error to_caf(const error& err) {
  return caf::error{static_cast<uint8_t>(err.code), error_category,
                    caf::make_message(err.message)};
}

error from_caf(const caf::error& err) {
  if (err.category() == error_category) {
    std::string msg;
    if (err.context().match_elements<std::string>())
      msg = err.context().get_as<std::string>(0);
    return make_error(static_cast<ec>(err.code()), std::move(msg));
  }
  if (err.category() == caf::atom("system")) {
    auto code = static_cast<caf::sec>(err.code());
    if (code == caf::sec::request_timeout)
      return make_error(ec::timeout, "the request timed out");
    if (code == caf::sec::request_receiver_down)
      return make_error(ec::unavailable, "the receiving actor is down");
  }
  return make_error(ec::internal, caf::to_string(err));
}

void add_error_renderer(caf::actor_system_config& cfg) {
  cfg.add_error_category(error_category, [](uint8_t code, caf::atom_value,
                                            const caf::message& ctx) {
    std::string out{to_string(static_cast<ec>(code))};
    if (ctx.match_elements<std::string>())
      out += ": " + ctx.get_as<std::string>(0);
    return out;
  });
}

} // namespace lh
