// Logging setup shared by every binary: one spdlog logger to stderr with a
// level from settings. Code logs with spdlog::info/warn/error directly.
#pragma once

#include <string_view>

namespace lh {

/// Sets the default spdlog logger's pattern and level ("info", "debug", ...).
void setup_logging(std::string_view level);

} // namespace lh
