#include "index/wal_replay.hpp"

#include <algorithm>

#include "index/wal_record.hpp"

namespace lh {

namespace {

error corrupt(std::string_view name, uint64_t sequence,
              const std::string& what) {
  return make_error(ec::corrupt_data, "index '" + std::string{name}
                                        + "': log record "
                                        + std::to_string(sequence) + ": "
                                        + what);
}

// Applies one record to `index` (which a create makes, a drop clears).
expected<void> apply(std::string_view name, const wal::record& r,
                     std::shared_ptr<vector_index>& index, worker_pool* pool) {
  switch (r.what) {
    case wal::kind::create:
      if (index)
        return corrupt(name, r.sequence, "creates an index that exists");
      if (r.params.name != name)
        return corrupt(name, r.sequence,
                       "creates index '" + r.params.name + "'");
      if (auto ok = validate_params(r.params); !ok)
        return corrupt(name, r.sequence, ok.error().message);
      index = std::make_shared<vector_index>(r.params);
      break;
    case wal::kind::add:
      if (!index)
        return corrupt(name, r.sequence, "adds to an index that is not there");
      if (auto added = index->add(r.batch, pool); !added)
        return corrupt(name, r.sequence, added.error().message);
      break;
    case wal::kind::remove:
      if (!index)
        return corrupt(name, r.sequence,
                       "deletes from an index that is not there");
      if (auto removed = index->remove({.ids = r.ids, .where = nullptr});
          !removed)
        return corrupt(name, r.sequence, removed.error().message);
      break;
    case wal::kind::drop: index = nullptr; break;
  }
  if (index)
    index->loaded_at(r.sequence);
  return {};
}

} // namespace

expected<replay_outcome> replay_log(std::string_view name,
                                    std::shared_ptr<vector_index> snapshot,
                                    std::vector<stored_record> records,
                                    worker_pool* pool) {
  std::sort(records.begin(), records.end(),
            [](auto& a, auto& b) { return a.sequence < b.sequence; });
  replay_outcome out;
  std::vector<wal::record> log;
  for (size_t i = 0; i < records.size(); ++i) {
    auto r = wal::decode(records[i].bytes);
    if (r && r->sequence != records[i].sequence)
      r = corrupt(name, records[i].sequence,
                  "holds sequence " + std::to_string(r->sequence));
    if (!r && i + 1 == records.size()) {
      out.torn_tail = r.error().message;
      break;
    }
    if (!r)
      return corrupt(name, records[i].sequence, r.error().message);
    log.push_back(std::move(*r));
  }
  // Start from the last drop, unless a snapshot is newer than it.
  uint64_t base = snapshot ? snapshot->log().applied : 0;
  bool from_known_point = static_cast<bool>(snapshot);
  for (auto it = log.rbegin(); it != log.rend(); ++it)
    if (it->what == wal::kind::drop) {
      if (it->sequence >= base) {
        snapshot = nullptr;
        base = it->sequence;
        from_known_point = true;
      }
      break;
    }
  out.index = std::move(snapshot);
  out.last_sequence = base;
  for (auto& r : log) {
    if (r.sequence <= base)
      continue; // covered by the snapshot or before the drop
    uint64_t expected_next = out.last_sequence + 1;
    if (!from_known_point && out.applied == 0) {
      if (r.what != wal::kind::create)
        return corrupt(name, r.sequence,
                       "the log starts here with no snapshot before it");
      expected_next = r.sequence;
    }
    if (r.sequence != expected_next)
      return corrupt(name, r.sequence,
                     "record " + std::to_string(expected_next)
                       + " before it is missing");
    if (auto ok = apply(name, r, out.index, pool); !ok)
      return ok.error();
    out.last_sequence = r.sequence;
    ++out.applied;
  }
  return out;
}

} // namespace lh
