#include "http/request_metrics.hpp"

#include <map>
#include <tuple>

#include "config/metrics.hpp"

namespace lh::http {

namespace {

struct series {
  metrics::counter* requests;
  metrics::histogram* seconds;
};

// The series of one (route, method, status). Each I/O thread keeps its
// own cache, so the hot path takes no lock once a series was seen.
// Compares owned keys with looked-up ones as string views, so that a
// lookup builds no string (std::less<> on mixed tuples fails in clang 14).
struct key_less {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return view(a) < view(b);
  }
  template <class T>
  static std::tuple<std::string_view, method, unsigned> view(const T& k) {
    return {std::get<0>(k), std::get<1>(k), std::get<2>(k)};
  }
};

series& series_of(std::string_view pattern, method verb, unsigned status) {
  using key = std::tuple<std::string, method, unsigned>;
  thread_local std::map<key, series, key_less> cache;
  if (auto it = cache.find(std::tuple{pattern, verb, status});
      it != cache.end())
    return it->second;
  static auto& requests = metrics::process().counters(
    "lakehouse_http_requests_total", "HTTP requests answered",
    {"route", "method", "status"});
  static auto& seconds = metrics::process().histograms(
    "lakehouse_http_request_duration_seconds",
    "Time from a request's head to its answer", {"route", "method"},
    metrics::seconds_buckets());
  std::string route = pattern.empty() ? "unmatched" : std::string{pattern};
  std::string verb_name{to_string(verb)};
  series s{&requests.with({route, verb_name, std::to_string(status)}),
           &seconds.with({route, verb_name})};
  return cache.emplace(key{std::string{pattern}, verb, status}, s)
    .first->second;
}

} // namespace

void count_request(std::string_view pattern, method verb, unsigned status,
                   double seconds) {
  auto& s = series_of(pattern, verb, status);
  s.requests->inc();
  s.seconds->observe(seconds);
}

} // namespace lh::http
