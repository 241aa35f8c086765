#include "bench/paired_rounds.hpp"

#include <algorithm>

namespace bench {

std::vector<std::vector<double>>
run_rounds(const std::vector<measurement>& measurements, size_t rounds) {
  auto count = measurements.size();
  std::vector<std::vector<double>> values(count,
                                          std::vector<double>(rounds, 0.0));
  for (size_t r = 0; r < rounds; ++r)
    for (size_t i = 0; i < count; ++i) {
      auto m = (r + i) % count;
      values[m][r] = measurements[m].run();
    }
  return values;
}

spread spread_of(std::vector<double> values) {
  if (values.empty())
    return {};
  std::sort(values.begin(), values.end());
  auto n = values.size();
  auto median = n % 2 == 1 ? values[n / 2]
                           : (values[n / 2 - 1] + values[n / 2]) / 2;
  return {median, values.front(), values.back()};
}

std::vector<double> per_round_ratios(const std::vector<double>& numerator,
                                     const std::vector<double>& denominator) {
  std::vector<double> out(std::min(numerator.size(), denominator.size()));
  for (size_t r = 0; r < out.size(); ++r)
    out[r] = denominator[r] > 0 ? numerator[r] / denominator[r] : 0;
  return out;
}

std::vector<double> per_round_ceilings(const std::vector<double>& a,
                                       const std::vector<double>& b) {
  std::vector<double> out(std::min(a.size(), b.size()));
  for (size_t r = 0; r < out.size(); ++r)
    out[r] = a[r] > 0 && b[r] > 0 ? 1 / (1 / a[r] + 1 / b[r]) : 0;
  return out;
}

} // namespace bench
