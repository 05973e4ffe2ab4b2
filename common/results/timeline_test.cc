#include "common/results/timeline.h"

#include "gtest/gtest.h"

namespace sipfleet::results {
namespace {

using stats::Counter;

TEST(TimelineTest, PeriodsAreDeltasOfCumulativeSnapshots) {
  stats::ShardLayout layout;
  layout.rtd_names = {"1"};
  Timeline timeline(layout, 1'000'000);
  stats::Snapshot total = stats::EmptySnapshot(layout);
  total.counters[static_cast<size_t>(Counter::kOutgoingCall)] = 10;
  total.counters[static_cast<size_t>(Counter::kSuccessfulCall)] = 8;
  total.response_times[0].Record(2000, 10);
  timeline.Add(total, 2'000'000, 10, 2);
  total.counters[static_cast<size_t>(Counter::kOutgoingCall)] = 30;
  total.counters[static_cast<size_t>(Counter::kSuccessfulCall)] = 20;
  total.counters[static_cast<size_t>(Counter::kFailedCall)] = 1;
  total.response_times[0].Record(100'000, 10);
  timeline.Add(total, 3'000'000, 20, 9);
  timeline.Add(total, 3'000'000, 20, 9);  // no time passed: ignored

  ASSERT_EQ(timeline.size(), 2u);
  const std::vector<Period> periods = timeline.Periods(0, 2);
  const Period& second = periods[1];
  EXPECT_DOUBLE_EQ(second.end_s, 2.0);
  EXPECT_DOUBLE_EQ(second.achieved_calls_per_s, 20.0);
  EXPECT_EQ(second.successful_calls, 12u);
  EXPECT_EQ(second.failed_calls, 1u);
  EXPECT_EQ(second.current_calls, 9u);
  ASSERT_EQ(second.rtds.size(), 1u);
  // The second period only saw the 100 ms samples.
  EXPECT_NEAR(second.rtds[0].p50_ms, 100.0, 1.0);
  EXPECT_NEAR(timeline.Periods(0, 1)[0].rtds[0].p99_ms, 2.0, 0.02);
}

}  // namespace
}  // namespace sipfleet::results
