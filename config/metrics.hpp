// The process's metrics: counters, gauges and histograms in labelled
// families, updated lock-free on hot paths, rendered as Prometheus text
// (version 0.0.4) for GET /metrics. Debian has no Prometheus client
// library for C++, so this is the whole of it. Pure: every layer may
// count into metrics::process().
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace lh::metrics {

/// Label values of one series, in the order of its family's label names.
using labels = std::vector<std::string>;

class counter {
public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<uint64_t> value_{0};
};

class gauge {
public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0};
};

/// Observations counted into buckets by upper bound (the last: +Inf).
class histogram {
public:
  explicit histogram(std::vector<double> bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  /// Cumulative counts per bound, then the +Inf count (= count()).
  std::vector<uint64_t> cumulative() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_; // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

/// Latency buckets in seconds: 100 us to 30 s.
std::vector<double> seconds_buckets();
/// Size buckets: 1, 2, 4, ... 4096.
std::vector<double> size_buckets();

enum class kind { counter, gauge, histogram };

/// One metric name with its series, one per label-value tuple. Series are
/// never removed: a pointer from with() stays valid for the process.
template <class Metric>
class family {
public:
  family(std::string name, std::string help, std::vector<std::string> names,
         std::vector<double> bounds = {})
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(names)),
      bounds_(std::move(bounds)) {}

  /// The series with these label values (created at first use).
  Metric& with(const labels& values);
  Metric& get() { return with({}); }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  /// Calls fn(values, metric) for each series, in label order.
  template <class Fn>
  void each(Fn fn) const {
    std::lock_guard g{m_};
    for (auto& [values, metric] : series_)
      fn(values, *metric);
  }

private:
  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::mutex m_;
  std::map<labels, std::unique_ptr<Metric>> series_;
};

template <class Metric>
Metric& family<Metric>::with(const labels& values) {
  std::lock_guard g{m_};
  auto& slot = series_[values];
  if (!slot) {
    if constexpr (std::is_same_v<Metric, histogram>)
      slot = std::make_unique<histogram>(bounds_);
    else
      slot = std::make_unique<Metric>();
  }
  return *slot;
}

/// Every family of the process, by name. A family asked for twice is the
/// same one.
class registry {
public:
  family<counter>& counters(const std::string& name, const std::string& help,
                            std::vector<std::string> label_names = {});
  family<gauge>& gauges(const std::string& name, const std::string& help,
                        std::vector<std::string> label_names = {});
  family<histogram>&
  histograms(const std::string& name, const std::string& help,
             std::vector<std::string> label_names, std::vector<double> bounds);

  /// Every family in the Prometheus text format, by name.
  void render(std::string& out) const;

private:
  mutable std::mutex m_;
  std::map<std::string, std::unique_ptr<family<counter>>> counters_;
  std::map<std::string, std::unique_ptr<family<gauge>>> gauges_;
  std::map<std::string, std::unique_ptr<family<histogram>>> histograms_;
};

/// The process's registry.
registry& process();

// The Prometheus text format, for series made at scrape time (per index):
/// "# HELP name help\n# TYPE name type\n".
void write_header(std::string& out, std::string_view name,
                  std::string_view help, kind k);
/// "name{a="x",b="y"} value\n", label values escaped.
void write_sample(std::string& out, std::string_view name,
                  const std::vector<std::string>& label_names,
                  const labels& values, double value);

/// A refusal past a bound (429/503), counted by reason:
/// lakehouse_refused_requests_total{reason}.
void refused(std::string_view reason);

} // namespace lh::metrics
