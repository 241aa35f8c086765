#include "config/command_line.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

#include "config/allocator.hpp"
#include "config/log.hpp"
#include "config/request_limits.hpp"
#include "config/signals.hpp"

namespace lh {

command_line parse_command_line(int argc, char** argv, role r) {
  static constexpr const char* names[] = {"storaged", "vectord", "gateway",
                                          "lakehouse"};
  CLI::App app{std::string{names[static_cast<int>(r)]}
               + " - lakehouse vectors " LAKEHOUSE_VERSION};
  std::optional<std::string> config_path;
  std::optional<std::string> bind;
  std::optional<uint16_t> port;
  std::optional<std::string> data_dir;
  std::optional<std::string> log_level;
  std::optional<std::string> vectord_url;
  std::optional<std::string> storaged_url;
  app.add_option("-c,--config", config_path,
                 "TOML config file (default: ./lakehouse.toml when present)");
  app.add_option("--bind", bind, "address to listen on");
  app.add_option("-p,--port", port, "port to listen on (0: any free port)");
  if (r == role::storaged || r == role::lakehouse)
    app.add_option("-d,--data-dir", data_dir, "directory of the RocksDB data");
  if (r == role::gateway) {
    app.add_option("--vectord-url", vectord_url, "vectord, http://host:port");
    app.add_option("--storaged-url", storaged_url,
                   "storaged, http://host:port");
  }
  if (r == role::vectord)
    app.add_option("--storaged-url", storaged_url,
                   "storaged, http://host:port (\"\" = ephemeral)");
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error, critical or off");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return command_line{std::nullopt, app.exit(e) == 0 ? 0 : 2};
  }
  auto loaded = load_settings(config_path);
  if (!loaded) {
    std::cerr << "error: " << loaded.error().message << '\n';
    return command_line{std::nullopt, 2};
  }
  settings& s = *loaded;
  // The flags override the section of the role that listens.
  auto apply = [&](std::string& b, uint16_t& p) {
    if (bind)
      b = *bind;
    if (port)
      p = *port;
  };
  switch (r) {
    case role::storaged: apply(s.storaged.bind, s.storaged.port); break;
    case role::vectord: apply(s.vectord.bind, s.vectord.port); break;
    case role::gateway: apply(s.gateway.bind, s.gateway.port); break;
    case role::lakehouse: apply(s.lakehouse.bind, s.lakehouse.port); break;
  }
  if (data_dir)
    s.storaged.data_dir = *data_dir;
  if (log_level)
    s.log_level = *log_level;
  if (vectord_url)
    s.gateway.vectord_url = *vectord_url;
  if (storaged_url)
    (r == role::gateway ? s.gateway.storaged_url : s.vectord.storaged_url)
      = *storaged_url;
  if (auto ok = validate(s); !ok) {
    std::cerr << "error: " << ok.error().message << '\n';
    return command_line{std::nullopt, 2};
  }
  return command_line{std::move(s), 0};
}

command_line start_process(int argc, char** argv, role r) {
  map_large_buffers_apart(); // before anything large is allocated
  block_stop_signals();
  auto cli = parse_command_line(argc, argv, r);
  if (cli.loaded) {
    setup_logging(cli.loaded->log_level);
    set_request_limits(cli.loaded->limits);
  }
  return cli;
}

std::string config_origin(const settings& s) {
  return "config: "
         + (s.config_path.empty() ? std::string{"built-in defaults"}
                                  : s.config_path);
}

} // namespace lh
