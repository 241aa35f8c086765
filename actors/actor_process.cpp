#include "actors/actor_process.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/caf_error.hpp"

namespace lh {

int run_actor_process(
  int argc, char** argv, role r,
  const std::function<int(const settings&, caf::actor_system&)>& body) {
  auto cli = start_process(argc, argv, r);
  if (!cli.loaded)
    return cli.exit_code;
  caf::actor_system_config system_cfg;
  add_error_renderer(system_cfg);
  caf::actor_system sys{system_cfg};
  return body(*cli.loaded, sys);
}

} // namespace lh
