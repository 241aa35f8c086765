#include "http/serve.hpp"

#include <spdlog/spdlog.h>

#include "config/signals.hpp"

namespace lh::http {

int serve_until_signal(std::string_view name, server& srv,
                       const std::string& bind, const std::string& about,
                       const std::function<void()>& stop_actors) {
  if (auto ok = srv.start(); !ok) {
    spdlog::error("{}: {}", name, ok.error().message);
    stop_actors();
    return 1;
  }
  spdlog::info("{} {} listening on {}:{} ({})", name, LAKEHOUSE_VERSION, bind,
               srv.port(), about);
  auto sig = wait_for_stop_signal();
  spdlog::info("{}: signal {} received, stopping", name, sig);
  srv.stop(std::chrono::seconds{5});
  stop_actors();
  spdlog::info("{}: stopped", name);
  return 0;
}

} // namespace lh::http
