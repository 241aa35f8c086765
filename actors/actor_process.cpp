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
  // An idle CAF worker polls its queue 500 times with a 50 us sleep between
  // (CAF 0.17's "moderate" phase) before it waits on its condition
  // variable. The actors here get a message every few milliseconds, so the
  // workers never got past that phase: ~5,000 nanosleep wakeups a second
  // during a bulk load, each a context switch on the cores the searches
  // and inserts need. Skipping it costs nothing measurable: messages from
  // other threads wake a waiting worker at once, and work an actor sends
  // to its own worker is stolen within the relaxed phase's 10 ms.
  system_cfg.set("work-stealing.moderate-poll-attempts", 0);
  caf::actor_system sys{system_cfg};
  return body(*cli.loaded, sys);
}

} // namespace lh
