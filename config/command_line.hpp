// Command-line parsing for every binary: --config plus overrides of the
// role's own section. Used by each main in apps/.
#pragma once

#include <optional>
#include <string>

#include "config/settings.hpp"

namespace lh {

enum class role { storaged, vectord, gateway, lakehouse };

struct command_line {
  std::optional<settings> loaded; // empty: exit with exit_code
  int exit_code = 0;              // 0 for --help, 2 for bad flags or config
};

/// Parses flags, loads the config file and applies flag overrides. On
/// failure prints the reason to stderr and returns exit code 2.
command_line parse_command_line(int argc, char** argv, role r);

/// The first steps of every main: block the stop signals (before any
/// thread starts), parse the command line, set up logging.
command_line start_process(int argc, char** argv, role r);

/// "config: FILE" or "config: built-in defaults", for start-up lines.
std::string config_origin(const settings& s);

} // namespace lh
