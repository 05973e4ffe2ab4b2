#include "common/results/figures.h"

#include "gtest/gtest.h"

namespace sipfleet::results {
namespace {

using stats::Counter;

TEST(FiguresTest, EveryCounterHasItsOwnMetricNameBothWays) {
  for (size_t i = 0; i < stats::kNumCounters; ++i) {
    const auto counter = static_cast<Counter>(i);
    std::string_view name = CounterMetricName(counter);
    ASSERT_FALSE(name.empty()) << stats::CounterName(counter);
    EXPECT_EQ(CounterFromMetricName(name), counter) << name;
  }
  // Counters added after the transport errors keep their own names.
  EXPECT_EQ(CounterMetricName(Counter::kStreamReadTimeouts), "stream_read_timeouts");
  EXPECT_EQ(CounterMetricName(Counter::kCallsEnded), "calls_ended");
  EXPECT_EQ(CounterMetricName(Counter::kTraceDrops), "trace_drops");
  EXPECT_EQ(CounterMetricName(Counter::kLateCalls), "late_calls");
}

TEST(FiguresTest, StreamReadTimeoutsAreATransportError) {
  EXPECT_TRUE(IsTransportErrorCounter(Counter::kFramingErrors));
  EXPECT_TRUE(IsTransportErrorCounter(Counter::kStreamReadTimeouts));
  EXPECT_FALSE(IsTransportErrorCounter(Counter::kCallsEnded));
  EXPECT_FALSE(IsTransportErrorCounter(Counter::kMalformedMessages));
}

}  // namespace
}  // namespace sipfleet::results
