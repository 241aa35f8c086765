#include "actors/bridge.hpp"

#include <thread>

namespace lh {

namespace {

// `int`: CAF 0.17.6 dereferences a null tuple when a function actor gets
// no spawn arguments (UBSan reports it).
caf::behavior relay_actor(caf::event_based_actor* self, int) {
  return {[self](const relay_job& job) { job.run(self); }};
}

} // namespace

relay::relay(caf::actor_system& sys, size_t actors, size_t max_waiting)
  : waiting_(std::make_shared<std::atomic<size_t>>(0)),
    max_waiting_(max_waiting) {
  if (actors == 0)
    actors = std::max(1u, std::thread::hardware_concurrency());
  for (size_t i = 0; i < actors; ++i)
    actors_.push_back(sys.spawn(relay_actor, 0));
}

metrics::gauge& relay::waiting_gauge() {
  static auto& g = metrics::process()
                     .gauges(
                       "lakehouse_bridge_waiting_requests",
                       "Requests from HTTP threads waiting for an actor's "
                       "answer (bounded; past it 503)")
                     .get();
  return g;
}

relay::~relay() {
  for (auto& a : actors_)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

} // namespace lh
