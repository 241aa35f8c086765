#include "actors/vector_service.hpp"

#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/persistence_actor.hpp"
#include "actors/registry_actor.hpp"
#include "actors/store_actor.hpp"
#include "actors/wal_writer.hpp"

namespace lh {

expected<opened_store> open_store(caf::actor_system& sys,
                                  const storaged_settings& s) {
  auto store = rocks_store::open(
    {.path = s.data_dir, .max_value_bytes = s.max_value_bytes});
  if (!store)
    return store.error();
  std::shared_ptr<rocks_store> rocks{std::move(*store)};
  return opened_store{spawn_rocks_store(sys, rocks, default_store_writers),
                      rocks};
}

vector_service start_vector_service(caf::actor_system& sys, store_actor store,
                                    const vectord_settings& s,
                                    std::shared_ptr<rocks_store> local) {
  vector_service svc;
  bool persistent = static_cast<bool>(store);
  svc.table = std::make_shared<index_table>();
  svc.status = std::make_shared<index_status>(persistent);
  if (persistent) {
    svc.persistence = sys.spawn<caf::detached>(persistence, store, svc.table,
                                               svc.status, store_call_timeout);
    svc.wal = local ? sys.spawn<caf::detached>(local_wal_writer, local)
                    : sys.spawn(wal_writer, store, store_call_timeout);
  }
  registry_options o;
  o.table = svc.table;
  svc.pool = std::make_shared<worker_pool>(0);
  o.pool = svc.pool;
  o.detached = true;
  o.status = svc.status;
  o.store = std::move(store);
  o.persistence = svc.persistence;
  o.wal = svc.wal;
  o.rehydrate_timeout = std::chrono::milliseconds{s.rehydrate_timeout_ms};
  o.max_queued_changes = s.max_queued_changes;
  svc.max_waiting_requests = s.max_waiting_requests;
  o.rehydrate_parallelism = std::max(1u, std::thread::hardware_concurrency());
  svc.registry = sys.spawn(registry, std::move(o));
  return svc;
}

void stop_vector_service(caf::actor_system& sys, const vector_service& svc,
                         std::chrono::milliseconds timeout) {
  caf::anon_send_exit(svc.registry, caf::exit_reason::user_shutdown);
  if (!svc.persistence)
    return;
  caf::scoped_actor self{sys};
  self->request(svc.persistence, timeout, flush_atom::value)
    .receive([](ok_atom) { spdlog::info("every index change is saved"); },
             [&](caf::error& e) {
               std::string unsaved;
               for (auto& [name, why] : svc.status->save_failures())
                 unsaved += fmt::format(" '{}' ({})", name, why);
               spdlog::error("stopping with index changes not saved ({}):{}",
                             from_caf(e).message,
                             unsaved.empty() ? " saves still running"
                                             : unsaved);
             });
  caf::anon_send_exit(svc.persistence, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(svc.wal, caf::exit_reason::user_shutdown);
}

} // namespace lh
