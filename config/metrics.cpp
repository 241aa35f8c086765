#include "config/metrics.hpp"

#include <charconv>
#include <cmath>

namespace lh::metrics {

histogram::histogram(std::vector<double> bounds)
  : bounds_(std::move(bounds)),
    buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i)
    buckets_[i] = 0;
}

void histogram::observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i])
    ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<uint64_t> histogram::cumulative() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i)
    out[i] = total += buckets_[i].load(std::memory_order_relaxed);
  return out;
}

std::vector<double> seconds_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
}

std::vector<double> size_buckets() {
  std::vector<double> out;
  for (double b = 1; b <= 4096; b *= 2)
    out.push_back(b);
  return out;
}

namespace {

template <class Map, class... Args>
auto& find_or_make(std::mutex& m, Map& families, const std::string& name,
                   Args&&... args) {
  std::lock_guard g{m};
  auto& slot = families[name];
  if (!slot)
    slot = std::make_unique<typename Map::mapped_type::element_type>(
      name, std::forward<Args>(args)...);
  return *slot;
}

void append_number(std::string& out, double v) {
  if (std::isnan(v))
    out += "NaN";
  else if (std::isinf(v))
    out += v > 0 ? "+Inf" : "-Inf";
  else {
    char buf[32];
    auto [end, err] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
  }
}

// Label values escape backslash, double quote and newline; HELP text
// escapes backslash and newline.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quote)
      out += "\\\"";
    else
      out += c;
  }
}

void write_labels(std::string& out, const std::vector<std::string>& names,
                  const labels& values, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty())
    return;
  out += '{';
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += i ? "," : "";
    out += names[i];
    out += "=\"";
    append_escaped(out, values[i], true);
    out += '"';
  }
  if (!extra_name.empty()) {
    out += names.empty() ? "" : ",";
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void render_histogram(std::string& out, const family<histogram>& f) {
  write_header(out, f.name(), f.help(), kind::histogram);
  f.each([&](const labels& values, const histogram& h) {
    auto counts = h.cumulative();
    for (size_t i = 0; i < counts.size(); ++i) {
      std::string le;
      append_number(le, i < h.bounds().size() ? h.bounds()[i] : INFINITY);
      out += f.name();
      out += "_bucket";
      write_labels(out, f.label_names(), values, "le", le);
      out += ' ';
      append_number(out, static_cast<double>(counts[i]));
      out += '\n';
    }
    write_sample(out, f.name() + "_sum", f.label_names(), values, h.sum());
    write_sample(out, f.name() + "_count", f.label_names(), values,
                 static_cast<double>(counts.back()));
  });
}

} // namespace

family<counter>& registry::counters(const std::string& name,
                                    const std::string& help,
                                    std::vector<std::string> label_names) {
  return find_or_make(m_, counters_, name, help, std::move(label_names));
}

family<gauge>& registry::gauges(const std::string& name,
                                const std::string& help,
                                std::vector<std::string> label_names) {
  return find_or_make(m_, gauges_, name, help, std::move(label_names));
}

family<histogram>& registry::histograms(const std::string& name,
                                        const std::string& help,
                                        std::vector<std::string> label_names,
                                        std::vector<double> bounds) {
  return find_or_make(m_, histograms_, name, help, std::move(label_names),
                      std::move(bounds));
}

void registry::render(std::string& out) const {
  std::lock_guard g{m_};
  // Not structured bindings: clang 14 cannot capture them in a lambda.
  for (auto& entry : counters_) {
    auto& f = *entry.second;
    write_header(out, f.name(), f.help(), kind::counter);
    f.each([&](const labels& values, const counter& c) {
      write_sample(out, f.name(), f.label_names(), values,
                   static_cast<double>(c.value()));
    });
  }
  for (auto& entry : gauges_) {
    auto& f = *entry.second;
    write_header(out, f.name(), f.help(), kind::gauge);
    f.each([&](const labels& values, const gauge& v) {
      write_sample(out, f.name(), f.label_names(), values, v.value());
    });
  }
  for (auto& entry : histograms_)
    render_histogram(out, *entry.second);
}

registry& process() {
  static registry r;
  return r;
}

void write_header(std::string& out, std::string_view name,
                  std::string_view help, kind k) {
  out += "# HELP ";
  out += name;
  out += ' ';
  append_escaped(out, help, false);
  out += "\n# TYPE ";
  out += name;
  out += k == kind::counter ? " counter\n"
         : k == kind::gauge ? " gauge\n"
                            : " histogram\n";
}

void write_sample(std::string& out, std::string_view name,
                  const std::vector<std::string>& label_names,
                  const labels& values, double value) {
  out += name;
  write_labels(out, label_names, values);
  out += ' ';
  append_number(out, value);
  out += '\n';
}

void refused(std::string_view reason) {
  static auto& f = process().counters(
    "lakehouse_refused_requests_total",
    "Requests refused at once past a bound (429 or 503), by reason",
    {"reason"});
  f.with({std::string{reason}}).inc();
}

} // namespace lh::metrics
