#include "config/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace lh {

void setup_logging(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("lakehouse");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%t] %v");
  spdlog::set_level(spdlog::level::from_str(std::string{level}));
  spdlog::flush_on(spdlog::level::info);
}

} // namespace lh
