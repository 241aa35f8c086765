#include "actors/index_loader.hpp"

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "index/lhv1.hpp"
#include "index/wal_record.hpp"
#include "index/wal_replay.hpp"

namespace lh {

namespace {

// What one load gathers before it replays.
struct load_job {
  std::string name;
  caf::typed_response_promise<loaded_index> promise;
  std::shared_ptr<vector_index> snapshot;
  std::vector<std::string> record_keys;
  std::vector<stored_record> records;
  size_t answered = 0;
  bool failed = false;
};

void fail(index_loader_actor::pointer self, load_job& job, caf::error err) {
  if (job.failed)
    return;
  job.failed = true;
  job.promise.deliver(std::move(err));
  self->quit();
}

void replay(index_loader_actor::pointer self, load_job& job,
            worker_pool* pool) {
  auto outcome = replay_log(job.name, std::move(job.snapshot),
                            std::move(job.records), pool);
  if (!outcome)
    return fail(self, job, to_caf(outcome.error()));
  if (!outcome->torn_tail.empty())
    spdlog::warn("index '{}': the last log record is damaged and ends the "
                 "replay (a write torn by a crash, never acknowledged): {}",
                 job.name, outcome->torn_tail);
  if (outcome->applied > 0)
    spdlog::info("index '{}': replayed {} log records after its snapshot",
                 job.name, outcome->applied);
  job.promise.deliver(loaded_index{std::move(outcome->index),
                                   outcome->last_sequence + 1,
                                   outcome->applied});
  self->quit();
}

// Gets every listed record at once; a record trimmed meanwhile (below a
// newer snapshot) is simply absent, and replay finds any real gap.
void get_records(index_loader_actor::pointer self,
                 std::shared_ptr<load_job> job, store_actor store,
                 std::chrono::milliseconds timeout,
                 std::shared_ptr<worker_pool> pool) {
  if (job->record_keys.empty())
    return replay(self, *job, pool.get());
  for (auto& key : job->record_keys) {
    auto sequence = wal::parse_key(key)->sequence;
    self->request(store, timeout, get_atom::value, key)
      .then(
        [=](const bytes_message& bytes) {
          job->records.push_back({sequence, bytes.take()});
          if (++job->answered == job->record_keys.size() && !job->failed)
            replay(self, *job, pool.get());
        },
        [=](caf::error& e) {
          if (from_caf(e).code != ec::not_found)
            return fail(self, *job, std::move(e));
          if (++job->answered == job->record_keys.size() && !job->failed)
            replay(self, *job, pool.get());
        });
  }
}

} // namespace

index_loader_actor::behavior_type
index_loader(index_loader_actor::pointer self, store_actor store,
             std::chrono::milliseconds timeout,
             std::shared_ptr<worker_pool> pool) {
  return {
    [=](load_atom, const std::string& name) -> caf::result<loaded_index> {
      auto job = std::make_shared<load_job>();
      job->name = name;
      job->promise = self->make_response_promise<loaded_index>();
      // The records first, then the blob: a snapshot that lands between
      // the two only trims records the blob then holds.
      self->request(store, timeout, list_atom::value, wal::prefix_of(name))
        .then(
          [=](const std::vector<std::string>& keys) {
            for (auto& key : keys)
              if (auto k = wal::parse_key(key); k && k->index == name)
                job->record_keys.push_back(key);
            self->request(store, timeout, get_atom::value, lhv1::key_of(name))
              .then(
                [=](const bytes_message& blob) {
                  auto bytes = blob.take();
                  auto index = lhv1::restore(name, bytes);
                  if (!index)
                    return fail(self, *job, to_caf(index.error()));
                  job->snapshot = std::move(*index);
                  get_records(self, job, store, timeout, pool);
                },
                [=](caf::error& e) {
                  if (from_caf(e).code != ec::not_found)
                    return fail(self, *job, std::move(e));
                  get_records(self, job, store, timeout, pool); // log only
                });
          },
          [=](caf::error& e) { fail(self, *job, std::move(e)); });
      return job->promise;
    },
  };
}

} // namespace lh
