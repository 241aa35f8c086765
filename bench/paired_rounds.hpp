// Measurements taken in interleaved rounds, so that a ratio compares
// figures taken seconds apart: this machine's speed drifts by 10-20% over
// the minutes of a benchmark run (another tenant, steal time), which made
// a ratio of two figures measured minutes apart read anywhere from 0.8 to
// 1.4. Used by bench/ann.cpp; tested in tests/unit/paired_rounds_test.cpp.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace bench {

/// One figure to measure (a rate, higher is better), taken once a round.
struct measurement {
  std::string name;
  std::function<double()> run;
};

/// Runs every measurement once per round, `rounds` times; round r starts
/// at measurement r (mod count), so none always runs first or last.
/// Returns values[m][r]: measurement m in round r.
std::vector<std::vector<double>>
run_rounds(const std::vector<measurement>& measurements, size_t rounds);

/// The middle and the extremes of a set of per-round figures.
struct spread {
  double median = 0;
  double low = 0;
  double high = 0;
};

/// Median (mean of the middle two for an even count), lowest and highest;
/// all 0 for no values.
spread spread_of(std::vector<double> values);

/// Per round: numerator[r] / denominator[r] (0 where the denominator is 0).
std::vector<double> per_round_ratios(const std::vector<double>& numerator,
                                     const std::vector<double>& denominator);

/// Per round: the ceiling 1 / (1/a[r] + 1/b[r]) of two rates that share
/// the machine (0 where either is 0).
std::vector<double> per_round_ceilings(const std::vector<double>& a,
                                       const std::vector<double>& b);

} // namespace bench
