// bench/paired_rounds: the order measurements run in, and the figures a
// benchmark's verdict is read from (medians of per-round ratios).
#include "bench/paired_rounds.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

TEST(paired_rounds, every_measurement_runs_once_a_round_in_rotated_order) {
  std::vector<std::string> order;
  double calls = 0;
  auto counted = [&](std::string name) {
    return bench::measurement{name, [&, name] {
                                order.push_back(name);
                                return ++calls;
                              }};
  };
  auto values = bench::run_rounds({counted("a"), counted("b"), counted("c")},
                                  3);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "b", "c", "a", "c",
                                             "a", "b"}));
  // values[m][r] is what measurement m returned in round r.
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0], (std::vector<double>{1, 6, 8}));
  EXPECT_EQ(values[1], (std::vector<double>{2, 4, 9}));
  EXPECT_EQ(values[2], (std::vector<double>{3, 5, 7}));
}

TEST(paired_rounds, a_ratio_is_taken_within_each_round) {
  // The machine ran at half speed in round 1: both sides slowed together,
  // so every round's ratio is 0.5, where a ratio of round 0's target to
  // round 1's baseline would read 1.0.
  std::vector<double> target{50, 25, 50}, baseline{100, 50, 100};
  auto s = bench::spread_of(bench::per_round_ratios(target, baseline));
  EXPECT_DOUBLE_EQ(s.median, 0.5);
  EXPECT_DOUBLE_EQ(s.low, 0.5);
  EXPECT_DOUBLE_EQ(s.high, 0.5);
  EXPECT_DOUBLE_EQ(bench::per_round_ratios({1}, {0})[0], 0);
}

TEST(paired_rounds, spread_gives_median_and_extremes) {
  auto odd = bench::spread_of({0.9, 0.7, 0.8});
  EXPECT_DOUBLE_EQ(odd.median, 0.8);
  EXPECT_DOUBLE_EQ(odd.low, 0.7);
  EXPECT_DOUBLE_EQ(odd.high, 0.9);
  EXPECT_DOUBLE_EQ(bench::spread_of({4, 1, 3, 2}).median, 2.5);
  EXPECT_DOUBLE_EQ(bench::spread_of({}).median, 0);
}

TEST(paired_rounds, ceiling_of_two_rates_sharing_the_machine) {
  // 20k searches/s in-process and 60k requests/s of bare HTTP: a request
  // costs 50 + 16.7 us of the machine, so at best 15k/s.
  auto c = bench::per_round_ceilings({20000, 0}, {60000, 60000});
  EXPECT_NEAR(c[0], 15000, 1e-6);
  EXPECT_EQ(c[1], 0);
}
