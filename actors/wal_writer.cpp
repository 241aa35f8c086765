#include "actors/wal_writer.hpp"

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "config/metrics.hpp"
#include "index/wal_record.hpp"

namespace lh {

namespace {

using self_pointer = wal_actor::stateful_pointer<wal_writer_state>;

void answer(self_pointer self, uint64_t token, const error* why) {
  auto& waiting = self->state.waiting;
  auto it = waiting.find(token);
  if (it == waiting.end())
    return;
  if (why == nullptr)
    it->second.deliver(ok_atom::value);
  else
    it->second.deliver(to_caf(*why));
  waiting.erase(it);
}

// Log writes for /metrics: records by result, records per group commit.
void count_group(size_t records, bool ok) {
  static auto& written = metrics::process().counters(
    "lakehouse_log_records_total",
    "Write-ahead log records (one per acknowledged change), by result",
    {"result"});
  static auto& ok_records = written.with({"ok"});
  static auto& failed_records = written.with({"failed"});
  static auto& groups = metrics::process()
                          .histograms("lakehouse_log_group_commit_records",
                                      "Records written together in one "
                                      "synced log write",
                                      {}, metrics::size_buckets())
                          .get();
  (ok ? ok_records : failed_records).inc(records);
  groups.observe(static_cast<double>(records));
}

// The group in flight was written (why == null) or not: answer it.
void finish_group(self_pointer self, const std::vector<uint64_t>& tokens,
                  error* why) {
  if (why != nullptr)
    why->message = "the change is not durable, the log write failed: "
                   + why->message;
  for (auto t : tokens)
    answer(self, t, why);
  count_group(tokens.size(), why == nullptr);
  auto later = self->state.commits.finished(why == nullptr);
  if (why != nullptr) {
    spdlog::error("log: a group of {} records was not written ({}); {} "
                  "later records of the same indexes fail with it",
                  tokens.size(), why->message, later.size());
    for (auto t : later)
      answer(self, t, why);
  }
}

// The next group: its records, their keys, and the tokens to answer;
// nullopt when a group is in flight or nothing is queued.
struct taken_group {
  std::vector<group_commit::entry> records;
  std::vector<std::string> keys;
  std::vector<uint64_t> tokens;
};

std::optional<taken_group> take_group(self_pointer self) {
  auto group = self->state.commits.next_group();
  if (!group)
    return std::nullopt;
  taken_group out{std::move(*group), {}, {}};
  for (auto& e : out.records) {
    out.keys.push_back(wal::key_of(e.index, e.sequence));
    out.tokens.push_back(e.token);
  }
  return out;
}

// Through the store actor: starts the next group when none is in flight.
void write_next(self_pointer self) {
  auto& st = self->state;
  if (st.local) { // written in flush, after what is queued now
    if (!st.flush_queued) {
      st.flush_queued = true;
      self->send(self, flush_atom::value);
    }
    return;
  }
  auto group = take_group(self);
  if (!group)
    return;
  auto objects = std::make_shared<object_group>();
  for (size_t i = 0; i < group->keys.size(); ++i)
    objects->emplace_back(group->keys[i], *group->records[i].bytes);
  auto tokens = std::move(group->tokens);
  self
    ->request(st.store, st.timeout, append_atom::value,
              group_message{std::move(objects)})
    .then(
      [self, tokens](ok_atom) {
        finish_group(self, tokens, nullptr);
        write_next(self);
      },
      [self, tokens](caf::error& e) {
        auto why = from_caf(e);
        finish_group(self, tokens, &why);
        write_next(self);
      });
}

// The local form's write: every append queued before this message, its
// records' bytes written from where they are (no copy but the batch's).
void flush_local(self_pointer self) {
  auto& st = self->state;
  st.flush_queued = false;
  auto group = take_group(self);
  if (!group)
    return;
  std::vector<rocks_store::object_ref> refs;
  for (size_t i = 0; i < group->keys.size(); ++i)
    refs.emplace_back(group->keys[i], *group->records[i].bytes);
  auto written = st.local->put_all(refs, [&group] {
    for (auto& e : group->records)
      e.bytes.reset(); // the write batch has its copy
  });
  finish_group(self, group->tokens, written ? nullptr : &written.error());
  if (st.commits.queued() > 0)
    write_next(self);
}

wal_actor::behavior_type behavior(self_pointer self) {
  return {
    [self](append_atom, const wal_entry& e) -> caf::result<ok_atom> {
      auto& st = self->state;
      auto token = st.next_token++;
      auto offered = st.commits.offer({e.index, e.sequence, e.bytes, token});
      if (!offered)
        return to_caf(offered.error());
      auto promise = self->make_response_promise<ok_atom>();
      st.waiting.emplace(token, promise);
      write_next(self);
      return promise;
    },
    [self](expect_atom, const std::string& index, uint64_t next) {
      self->state.commits.expect(index, next);
    },
    [self](flush_atom) { flush_local(self); },
  };
}

} // namespace

wal_actor::behavior_type
wal_writer(wal_actor::stateful_pointer<wal_writer_state> self,
           store_actor store, std::chrono::milliseconds timeout) {
  self->state.store = std::move(store);
  self->state.timeout = timeout;
  return behavior(self);
}

wal_actor::behavior_type
local_wal_writer(wal_actor::stateful_pointer<wal_writer_state> self,
                 std::shared_ptr<rocks_store> store) {
  self->state.local = std::move(store);
  return behavior(self);
}

} // namespace lh
