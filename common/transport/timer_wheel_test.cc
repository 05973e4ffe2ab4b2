#include "common/transport/timer_wheel.h"

#include <vector>

#include "gtest/gtest.h"

namespace sipfleet::transport {
namespace {

TEST(TimerWheelTest, FiresAtDeadlineNotBefore) {
  TimerWheel wheel(1000);
  wheel.Schedule(1010, 7);
  std::vector<uint64_t> fired;
  wheel.Advance(1009, [&](uint64_t t) { fired.push_back(t); });
  EXPECT_TRUE(fired.empty());
  wheel.Advance(1010, [&](uint64_t t) { fired.push_back(t); });
  EXPECT_EQ(fired, std::vector<uint64_t>{7});
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheelTest, EntriesBeyondOneRevolutionWaitForTheirDeadline) {
  TimerWheel wheel(0);
  wheel.Schedule(TimerWheel::kSlots + 5, 1);
  wheel.Schedule(5, 2);
  std::vector<uint64_t> fired;
  wheel.Advance(5, [&](uint64_t t) { fired.push_back(t); });
  EXPECT_EQ(fired, std::vector<uint64_t>{2});
  wheel.Advance(TimerWheel::kSlots + 4, [&](uint64_t t) { fired.push_back(t); });
  EXPECT_EQ(fired.size(), 1u);
  wheel.Advance(TimerWheel::kSlots + 5, [&](uint64_t t) { fired.push_back(t); });
  EXPECT_EQ(fired, (std::vector<uint64_t>{2, 1}));
}

TEST(TimerWheelTest, PastDeadlinesFireOnNextAdvanceAndCallbacksMayReschedule) {
  TimerWheel wheel(100);
  wheel.Schedule(50, 9);
  int fires = 0;
  wheel.Advance(100, [&](uint64_t t) {
    if (++fires < 3) wheel.Schedule(100 + fires, t);
  });
  auto reschedule = [&](uint64_t t) {
    if (++fires < 3) wheel.Schedule(200, t);
  };
  wheel.Advance(110, reschedule);
  EXPECT_EQ(fires, 2);
  wheel.Advance(199, reschedule);
  EXPECT_EQ(fires, 2);
  wheel.Advance(200, reschedule);
  EXPECT_EQ(fires, 3);
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheelTest, ReportsTimeUntilNextDeadline) {
  TimerWheel wheel(0);
  EXPECT_EQ(wheel.MillisUntilNext(0, 50), 50);
  wheel.Schedule(20, 1);
  EXPECT_EQ(wheel.MillisUntilNext(0, 50), 20);
  EXPECT_EQ(wheel.MillisUntilNext(0, 10), 10);
}

}  // namespace
}  // namespace sipfleet::transport
