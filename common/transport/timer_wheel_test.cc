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

TEST(TimerWheelTest, OneSlotFiresInScheduleOrderAndKeepsLaterRevolutionsWhenTrimmed) {
  constexpr int64_t kRound = TimerWheel::kSlots;
  TimerWheel wheel(0);
  std::vector<uint64_t> expected = {1, 3};
  wheel.Schedule(7, 1);
  wheel.Schedule(kRound + 7, 2);  // same slot, next revolution
  wheel.Schedule(7, 3);
  wheel.Schedule(2 * kRound + 7, 4);
  for (uint64_t t = 100; t < 200; ++t) {  // a burst: the slot grows to 128
    wheel.Schedule(7, t);
    expected.push_back(t);
  }
  wheel.Schedule(7, 5);
  expected.push_back(5);
  std::vector<uint64_t> fired;
  auto record = [&](uint64_t t) { fired.push_back(t); };
  wheel.Advance(7, record);
  EXPECT_EQ(fired, expected);
  EXPECT_GE(wheel.capacity(), 104u);  // needed last revolution: kept
  wheel.Schedule(kRound + 7, 6);
  fired.clear();
  wheel.Advance(kRound + 7, record);  // held 3 of 128: trimmed, 4 kept
  EXPECT_EQ(fired, (std::vector<uint64_t>{2, 6}));
  EXPECT_LE(wheel.capacity(), 2 * TimerWheel::kMinSlotCapacity);
  EXPECT_EQ(wheel.size(), 1u);
  fired.clear();
  wheel.Advance(2 * kRound + 7, record);
  EXPECT_EQ(fired, std::vector<uint64_t>{4});
  EXPECT_EQ(wheel.size(), 0u);
}

// Issue 17: a revolution with a burst of 200 entries in every slot, then two
// quiet ones (2 entries a slot). The bursts' room is given back: the wheel
// keeps what the last revolution needed, not each slot's busiest moment
// (which, kept for good, grew a loaded worker's heap through a whole soak).
TEST(TimerWheelTest, GivesBackWhatTheLastRevolutionDidNotNeed) {
  constexpr int64_t kRound = TimerWheel::kSlots;
  TimerWheel wheel(0);
  uint64_t fired = 0;
  auto run = [&](int64_t from, int64_t to, uint64_t per_slot) {
    for (int64_t ms = from; ms < to; ++ms) {
      for (uint64_t i = 0; i < per_slot; ++i) wheel.Schedule(ms + 1, i);
      wheel.Advance(ms + 1, [&](uint64_t) { ++fired; });
      ASSERT_EQ(wheel.size(), 0u);
    }
  };
  run(0, kRound, 200);
  EXPECT_GE(wheel.capacity(), 200u * kRound);
  run(kRound, 3 * kRound, 2);
  EXPECT_EQ(fired, 200u * kRound + 2u * 2 * kRound);
  EXPECT_LE(wheel.capacity(), 2 * TimerWheel::kMinSlotCapacity * kRound);
}

}  // namespace
}  // namespace sipfleet::transport
