// Payload types carried in actor messages, with the CAF glue they need.
// Used by actors/interfaces.hpp and every actor that sends them.
#pragma once

#include <memory>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include "index/vector_index.hpp"
#include "storage/object_group.hpp"

namespace lh {

/// Object bytes moved between actors without copying: CAF payloads must be
/// copyable, so the bytes sit behind a shared pointer and the receiver moves
/// them out. Never leaves the process, so it needs no serializer.
struct bytes_message {
  std::shared_ptr<std::string> data;

  static bytes_message wrap(std::string bytes) {
    return bytes_message{std::make_shared<std::string>(std::move(bytes))};
  }
  std::string take() const { return data ? std::move(*data) : std::string{}; }
};

/// Objects written in one store call (storage/object_group.hpp).
struct group_message {
  std::shared_ptr<const object_group> objects;
};

/// An index rebuilt at start from its blob and the log after it, handed to
/// the registry. A null index: the log ends with the index's drop; the
/// name's next sequence still counts on from it.
struct loaded_index {
  std::shared_ptr<vector_index> index;
  uint64_t next_sequence = 1; // of the name's next log record
  size_t replayed = 0;        // log records applied after the blob
};

/// One log record on its way to the log writer (index/wal_record.hpp).
struct wal_entry {
  std::string index;
  uint64_t sequence = 0;
  std::shared_ptr<const std::string> bytes; // the encoded record

  static wal_entry of(std::string index, uint64_t sequence,
                      std::string record) {
    return wal_entry{std::move(index), sequence,
                     std::make_shared<const std::string>(std::move(record))};
  }
};

/// A batch moved to the index actor without copying its vectors.
struct batch_message {
  std::shared_ptr<add_batch> batch;
};

/// A delete (ids or filter) moved to the index actor without a copy.
struct delete_message {
  std::shared_ptr<const delete_request> request;
};

} // namespace lh

// In-process only: these never cross a network, so no serializers.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lh::bytes_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lh::batch_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lh::index_params)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lh::index_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lh::add_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lh::delete_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lh::delete_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lh::loaded_index)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lh::group_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lh::wal_entry)
