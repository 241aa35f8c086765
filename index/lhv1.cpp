#include "index/lhv1.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <simdjson.h>

#include "storage/crc32c.hpp"
#include "storage/huge_pages.hpp"

namespace lh::lhv1 {

namespace {

error corrupt(const std::string& what) {
  return make_error(ec::corrupt_data, "LHV1 blob: " + what);
}

// The graph header fields LHV1 cross-checks (hnswlib's saveIndex layout:
// offsetLevel0_, max_elements_, cur_element_count, size_data_per_element_).
constexpr size_t graph_header_bytes = 4 * sizeof(size_t);

size_t read_size_t(std::string_view graph, size_t index) {
  size_t v;
  std::memcpy(&v, graph.data() + index * sizeof(size_t), sizeof v);
  return v;
}

// hnswlib's per-element size at level 0 for these parameters.
size_t element_bytes(const index_params& p) {
  return (2 * size_t{p.m}) * sizeof(uint32_t) + sizeof(uint32_t)
         + size_t{p.dimension} * sizeof(float) + sizeof(size_t);
}

// The envelope ends with this field: ,"envelope_crc32c":"xxxxxxxx"}
constexpr std::string_view envelope_crc_prefix = ",\"envelope_crc32c\":\"";
constexpr size_t envelope_crc_suffix_bytes = envelope_crc_prefix.size() + 10;
// ... just after this one: ,"graph_crc32c":"xxxxxxxx"

std::string hex8(uint32_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4)
    out[static_cast<size_t>(i)] = digits[v & 0xf];
  return out;
}

// Checks the envelope's own checksum (see encode).
bool envelope_intact(std::string_view env) {
  if (env.size() < envelope_crc_suffix_bytes + 2)
    return false;
  auto tail = env.substr(env.size() - envelope_crc_suffix_bytes);
  if (!tail.starts_with(envelope_crc_prefix) || !tail.ends_with("\"}"))
    return false;
  auto stored = tail.substr(envelope_crc_prefix.size(), 8);
  std::string zeroed{env};
  zeroed.replace(zeroed.size() - 10, 8, "00000000");
  return hex8(crc32c(zeroed)) == stored;
}

template <class T>
bool get(simdjson::dom::element e, std::string_view key, T& out) {
  return e[key].get(out) == simdjson::SUCCESS;
}

} // namespace

constexpr std::string_view key_suffix = ".lhv1";

std::string key_of(std::string_view index_name) {
  return std::string{key_prefix} + std::string{index_name}
         + std::string{key_suffix};
}

std::optional<std::string> name_of(std::string_view key) {
  if (!key.starts_with(key_prefix) || !key.ends_with(key_suffix))
    return std::nullopt;
  key.remove_prefix(key_prefix.size());
  key.remove_suffix(key_suffix.size());
  if (!validate_index_name(key))
    return std::nullopt;
  return std::string{key};
}

namespace {

// The envelope with both checksums left as "00000000", to be patched once
// the graph is written (see seal). Boost.JSON keeps the keys in insertion
// order and writes no spaces, so it ends exactly with the two checksum
// fields the patching expects.
std::string envelope_without_checksums(const index_params& p,
                                       std::span<const std::string> ids,
                                       std::span<const std::string> metadata,
                                       size_t graph_bytes, uint64_t sequence) {
  boost::json::object env;
  env["version"] = version;
  // The last log record the blob holds (index/wal_record.hpp); replay
  // starts after it. Blobs from before the log have none: 0.
  env["sequence"] = sequence;
  env["params"] = {{"name", p.name},
                   {"dimension", p.dimension},
                   {"distance", to_string(p.space)},
                   {"m", p.m},
                   {"ef_construction", p.ef_construction},
                   {"ef_search", p.ef_search}};
  env["count"] = ids.size();
  // Deleted slots have an empty id; the count is for readers of the blob.
  env["deleted"] = std::count_if(
    ids.begin(), ids.end(), [](const std::string& id) { return id.empty(); });
  env["ids"] = boost::json::array(ids.begin(), ids.end());
  // Raw JSON kept as strings: exact.
  env["metadata"] = boost::json::array(metadata.begin(), metadata.end());
  env["graph_bytes"] = graph_bytes;
  env["graph_crc32c"] = "00000000";
  env["envelope_crc32c"] = "00000000";
  return boost::json::serialize(env);
}

// Header and envelope, reserving room for the graph that follows.
std::string start_blob(const std::string& env, size_t graph_bytes) {
  std::string blob;
  reserve_huge(blob, 8 + env.size() + graph_bytes);
  blob += magic;
  auto n = static_cast<uint32_t>(env.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    blob += static_cast<char>((n >> shift) & 0xff);
  blob += env;
  return blob;
}

// With the graph in place: patches the graph's checksum, then the
// envelope's own (computed over the envelope with its 8 digits zero).
void seal(std::string& blob, size_t env_size) {
  auto env_end = 8 + env_size;
  auto graph = std::string_view{blob}.substr(env_end);
  auto graph_crc_at = env_end - envelope_crc_suffix_bytes - 9;
  blob.replace(graph_crc_at, 8, hex8(crc32c(graph)));
  auto env = std::string_view{blob}.substr(8, env_size);
  blob.replace(env_end - 10, 8, hex8(crc32c(env)));
}

} // namespace

expected<void> check_envelope_size(uint64_t bytes) {
  if (bytes <= max_envelope_bytes)
    return {};
  return make_error(ec::payload_too_large,
                    "LHV1 envelope of " + std::to_string(bytes)
                      + " bytes (ids and metadata) is over the format's limit"
                        " of "
                      + std::to_string(max_envelope_bytes));
}

expected<std::string>
encode(const index_params& p, std::span<const std::string> ids,
       std::span<const std::string> metadata, std::string_view graph_bytes,
       uint64_t sequence) {
  auto env = envelope_without_checksums(p, ids, metadata, graph_bytes.size(),
                                        sequence);
  if (auto ok = check_envelope_size(env.size()); !ok)
    return ok.error();
  auto blob = start_blob(env, graph_bytes.size());
  blob += graph_bytes;
  seal(blob, env.size());
  return blob;
}

expected<std::string> encode_index(const vector_index& index,
                                   log_position* seen) {
  std::string blob;
  std::optional<error> refused;
  index.read_for_save([&](const index_view& v) {
    if (seen != nullptr)
      *seen = v.log;
    auto graph_bytes = v.graph.serialized_size();
    auto env = envelope_without_checksums(v.params, v.ids, v.metadata,
                                          graph_bytes, v.log.applied);
    if (auto ok = check_envelope_size(env.size()); !ok) {
      refused = ok.error();
      return;
    }
    blob = start_blob(env, graph_bytes);
    v.graph.serialize_into(blob);
    seal(blob, env.size());
  });
  if (refused)
    return *refused;
  return blob;
}

expected<decoded> decode(std::string_view blob) {
  if (blob.size() < 8)
    return corrupt("truncated: " + std::to_string(blob.size())
                   + " bytes, the header alone has 8");
  if (blob.substr(0, 4) != magic)
    return corrupt("wrong magic (not an LHV1 blob)");
  uint32_t env_len = 0;
  for (int i = 4; i < 8; ++i)
    env_len = (env_len << 8) | static_cast<unsigned char>(blob[i]);
  if (env_len > blob.size() - 8)
    return corrupt("envelope length " + std::to_string(env_len)
                   + " runs past the end of " + std::to_string(blob.size())
                   + " bytes");
  if (!envelope_intact(blob.substr(8, env_len)))
    return corrupt("envelope checksum mismatch");
  simdjson::dom::parser parser;
  simdjson::dom::element env;
  if (auto e = parser.parse(blob.data() + 8, env_len).get(env))
    return corrupt(std::string{"envelope is not valid JSON: "}
                   + simdjson::error_message(e));
  uint64_t ver = 0, count = 0, graph_bytes = 0;
  std::string_view crc;
  uint64_t dimension = 0, m = 0, ef_c = 0, ef_s = 0;
  std::string_view name, distance;
  simdjson::dom::element params;
  simdjson::dom::array ids, metadata;
  if (!get(env, "version", ver) || !get(env, "params", params)
      || !get(env, "count", count) || !get(env, "ids", ids)
      || !get(env, "metadata", metadata)
      || !get(env, "graph_bytes", graph_bytes) || !get(env, "graph_crc32c", crc)
      || !get(params, "name", name) || !get(params, "dimension", dimension)
      || !get(params, "distance", distance) || !get(params, "m", m)
      || !get(params, "ef_construction", ef_c)
      || !get(params, "ef_search", ef_s))
    return corrupt("envelope lacks a field or has a wrong type");
  if (ver != version)
    return corrupt("unsupported version " + std::to_string(ver));
  decoded out;
  auto& p = out.params;
  p.name = std::string{name};
  p.dimension = static_cast<uint32_t>(dimension);
  p.m = static_cast<uint32_t>(m);
  p.ef_construction = static_cast<uint32_t>(ef_c);
  p.ef_search = static_cast<uint32_t>(ef_s);
  if (!parse_metric(distance, p.space) || dimension > UINT32_MAX
      || m > UINT32_MAX || ef_c > UINT32_MAX || ef_s > UINT32_MAX)
    return corrupt("envelope has bad params");
  if (auto ok = validate_params(p); !ok)
    return corrupt("envelope params: " + ok.error().message);
  for (auto id : ids) {
    std::string_view s;
    if (id.get(s))
      return corrupt("an id is not a string");
    out.ids.emplace_back(s);
  }
  for (auto meta : metadata) {
    std::string_view s;
    if (meta.get(s))
      return corrupt("a metadata entry is not a string");
    out.metadata.emplace_back(s);
  }
  get(env, "sequence", out.sequence); // absent before the log: 0
  uint64_t deleted = 0;
  if (get(env, "deleted", deleted)
      && deleted
           != static_cast<uint64_t>(
             std::count(out.ids.begin(), out.ids.end(), std::string{})))
    return corrupt("envelope says " + std::to_string(deleted)
                   + " deleted slots, its ids disagree");
  if (out.ids.size() != count || out.metadata.size() != count)
    return corrupt("envelope count " + std::to_string(count) + " but "
                   + std::to_string(out.ids.size()) + " ids and "
                   + std::to_string(out.metadata.size()) + " metadata");
  out.graph = blob.substr(8 + env_len);
  if (out.graph.size() != graph_bytes)
    return corrupt("graph has " + std::to_string(out.graph.size())
                   + " bytes, envelope says " + std::to_string(graph_bytes));
  if (hex8(crc32c(out.graph)) != crc)
    return corrupt("graph checksum mismatch");
  if (out.graph.size() < graph_header_bytes)
    return corrupt("graph header is truncated");
  if (read_size_t(out.graph, 2) != count)
    return corrupt("graph holds " + std::to_string(read_size_t(out.graph, 2))
                   + " elements, envelope says " + std::to_string(count));
  if (read_size_t(out.graph, 3) != element_bytes(p))
    return corrupt("graph element size does not match dimension "
                   + std::to_string(p.dimension) + " and m "
                   + std::to_string(p.m));
  return out;
}

} // namespace lh::lhv1

namespace lh::lhv1 {

expected<std::shared_ptr<vector_index>> restore(std::string_view name,
                                                std::string_view blob) {
  auto d = decode(blob);
  if (!d)
    return d.error();
  if (d->params.name != name)
    return corrupt("it holds index '" + d->params.name + "', not '"
                   + std::string{name} + "'");
  auto graph = hnsw_index::deserialize(graph_params(d->params), d->graph);
  if (!graph)
    return graph.error();
  auto index
    = vector_index::restore(std::move(d->params), std::move(*graph),
                            std::move(d->ids), std::move(d->metadata));
  if (index)
    (*index)->loaded_at(d->sequence);
  return index;
}

} // namespace lh::lhv1
