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

TEST(TimerWheelTest, OneSlotFiresInScheduleOrderAndKeepsLaterRevolutions) {
  TimerWheel wheel(0);
  wheel.Schedule(7, 1);
  wheel.Schedule(TimerWheel::kSlots + 7, 2);  // same slot, next revolution
  wheel.Schedule(7, 3);
  wheel.Schedule(2 * TimerWheel::kSlots + 7, 4);
  wheel.Schedule(7, 5);
  std::vector<uint64_t> fired;
  auto record = [&](uint64_t t) { fired.push_back(t); };
  wheel.Advance(7, record);
  EXPECT_EQ(fired, (std::vector<uint64_t>{1, 3, 5}));
  wheel.Schedule(TimerWheel::kSlots + 7, 6);  // reuses a freed entry, after 2
  wheel.Advance(TimerWheel::kSlots + 7, record);
  EXPECT_EQ(fired, (std::vector<uint64_t>{1, 3, 5, 2, 6}));
  EXPECT_EQ(wheel.size(), 1u);
  wheel.Advance(2 * TimerWheel::kSlots + 7, record);
  EXPECT_EQ(fired, (std::vector<uint64_t>{1, 3, 5, 2, 6, 4}));
  EXPECT_EQ(wheel.size(), 0u);
}

// Issue 17: a burst of 200 entries in every slot in turn, never more than
// 200 pending. The wheel keeps room for about 200 entries, not 200 per slot
// (which a vector per slot kept: 4096 x 256 x 16 bytes = 16 MB).
TEST(TimerWheelTest, HoldsThePeakOfPendingEntriesNotAPeakPerSlot) {
  TimerWheel wheel(0);
  uint64_t fired = 0;
  for (int64_t ms = 0; ms < 2 * TimerWheel::kSlots; ++ms) {
    for (uint64_t i = 0; i < 200; ++i) wheel.Schedule(ms + 1, i);
    wheel.Advance(ms + 1, [&](uint64_t) { ++fired; });
    ASSERT_EQ(wheel.size(), 0u);
  }
  EXPECT_EQ(fired, 200u * 2 * TimerWheel::kSlots);
  EXPECT_GE(wheel.pool_capacity(), 200u);
  EXPECT_LE(wheel.pool_capacity(), 400u);
}

}  // namespace
}  // namespace sipfleet::transport
