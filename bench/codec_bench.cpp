// bench/codec: the hand-written codecs the project keeps, each against the
// library code that could replace it, in ONE run (ratios, no assertions):
//   - CRC32C of a graph-sized buffer: lh::crc32c (SSE4.2 instruction when
//     the build targets it) vs Boost.CRC's crc_optimal for CRC-32C;
//   - the LHV1 envelope's id and metadata arrays: Boost.JSON (what
//     index/lhv1.cpp uses) vs the hand-written writer;
//   - a search reply of 10 hits with metadata: the writer (what the search
//     route uses) vs Boost.JSON, which must parse the stored metadata text
//     to embed it;
//   - an add body of 1000 x 784 floats: parsed whole by simdjson vs split
//     into its items first (http/json_skim), each parsed alone - the
//     split keeps the parser's buffers the size of one item.
// Usage: codec_bench [--quick]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <boost/crc.hpp>
#include <boost/json.hpp>

#include "http/json_writer.hpp"
#include "http/vector_json.hpp"
#include "storage/crc32c.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

// Runs `fn` until `budget` has passed (at least 3 times); seconds per call.
template <class F>
double seconds_per_call(F&& fn, std::chrono::milliseconds budget) {
  fn(); // warm-up: caches, page faults
  int calls = 0;
  auto start = clock_type::now();
  auto stop = start + budget;
  do {
    fn();
    ++calls;
  } while (calls < 3 || clock_type::now() < stop);
  return std::chrono::duration<double>(clock_type::now() - start).count()
         / calls;
}

volatile size_t sink; // keeps results alive so the work is not optimized out

void compare(const char* what, const char* base_name, double base,
             const char* other_name, double other, const char* unit,
             double scale) {
  std::printf("%-34s %-22s %10.2f %s   %-22s %10.2f %s   ratio %.2f\n", what,
              base_name, base * scale, unit, other_name, other * scale, unit,
              base / other);
}

} // namespace

int main(int argc, char** argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  auto budget = std::chrono::milliseconds{quick ? 200 : 2000};
  std::printf("codec bench (%s): ratio = first / second time, > 1 means the "
              "second is faster\n",
              quick ? "quick" : "full");

  // CRC32C over a buffer the size of a fashion-mnist graph (188 MiB;
  // --quick: 16 MiB).
  std::string graph((quick ? size_t{16} : size_t{188}) << 20, '\0');
  for (size_t i = 0; i < graph.size(); ++i)
    graph[i] = static_cast<char>(i * 2654435761u >> 13);
  using boost_crc32c
    = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;
  auto boost_crc = [&] {
    boost_crc32c crc;
    crc.process_bytes(graph.data(), graph.size());
    return crc.checksum();
  };
  if (boost_crc() != lh::crc32c(graph)) {
    std::printf("crc32c: Boost.CRC and lh::crc32c disagree\n");
    return 1;
  }
  auto ours = seconds_per_call([&] { sink = lh::crc32c(graph); }, budget);
  auto theirs = seconds_per_call([&] { sink = boost_crc(); }, budget);
  double mib = graph.size() / double(1 << 20);
  std::printf("crc32c of %.0f MiB: lh::crc32c %.0f MiB/s, Boost.CRC %.0f "
              "MiB/s, Boost.CRC / lh::crc32c time = %.1f\n",
              mib, mib / ours, mib / theirs, theirs / ours);

  // LHV1 envelope arrays: 60k ids and metadata objects (--quick: 10k).
  size_t items = quick ? 10000 : 60000;
  std::vector<std::string> ids, metadata;
  for (size_t i = 0; i < items; ++i) {
    ids.push_back("item-" + std::to_string(i));
    metadata.push_back(R"({"label":)" + std::to_string(i % 10)
                       + R"(,"source":"fashion-mnist","split":"train"})");
  }
  auto writer_env = [&] {
    auto out = lh::json::string_array(ids);
    out += lh::json::string_array(metadata);
    return out.size();
  };
  auto boost_env = [&] {
    boost::json::array a(ids.begin(), ids.end());
    boost::json::array b(metadata.begin(), metadata.end());
    return boost::json::serialize(a).size() + boost::json::serialize(b).size();
  };
  if (writer_env() != boost_env()) {
    std::printf("envelope: the writer and Boost.JSON disagree in size\n");
    return 1;
  }
  compare("LHV1 envelope arrays, per save", "Boost.JSON",
          seconds_per_call([&] { sink = boost_env(); }, budget), "writer",
          seconds_per_call([&] { sink = writer_env(); }, budget), "ms", 1e3);

  // A search reply: 10 hits with metadata (raw JSON text, as stored).
  std::vector<lh::search_hit> hits;
  for (size_t i = 0; i < 10; ++i)
    hits.push_back({ids[i], 0.125f * static_cast<float>(i), metadata[i]});
  auto boost_hits = [&] {
    boost::json::array results;
    for (auto& h : hits)
      results.push_back(
        boost::json::object{{"id", h.id},
                            {"distance", h.distance},
                            {"metadata", boost::json::parse(h.metadata)}});
    return boost::json::serialize(boost::json::object{{"results", results}});
  };
  compare("search reply of 10 hits, per reply", "writer",
          seconds_per_call([&] { sink = lh::json::render_hits(hits).size(); },
                           budget),
          "Boost.JSON",
          seconds_per_call([&] { sink = boost_hits().size(); }, budget), "us",
          1e6);

  // An add body as clients send it: 1000 items of 784 pixel values.
  std::string body = R"({"items":[)";
  for (size_t i = 0; i < 1000; ++i) {
    body += (i > 0 ? R"(,{"id":")" : R"({"id":")") + std::to_string(i)
            + R"(","vector":[)";
    for (size_t j = 0; j < 784; ++j)
      body += (j > 0 ? "," : "") + std::to_string((i * 31 + j * 7) % 256);
    body += "]}";
  }
  body += "]}";
  body.reserve(body.size() + 64); // the padding the server leaves
  auto parse = [&](size_t split_above) {
    auto batch = lh::json::parse_add(body, 784, split_above);
    if (!batch || batch->size() != 1000) {
      std::printf("add body: parse failed\n");
      std::exit(1);
    }
    return batch->vectors.size();
  };
  compare("add body 1000 x 784, per body", "whole",
          seconds_per_call([&] { sink = parse(SIZE_MAX); }, budget), "split",
          seconds_per_call([&] { sink = parse(0); }, budget), "ms", 1e3);
  return 0;
}
