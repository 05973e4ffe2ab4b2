#include "common/runtime/pacing.h"

#include "gtest/gtest.h"

namespace sipfleet::runtime {
namespace {

TEST(PacingTest, CallsFollowTheIntervalFromTheStart) {
  Pacing pacing{1'000'000, 1, IntervalForRate(10, 1000)};  // 10 calls/s
  EXPECT_EQ(pacing.DueMicros(1), 1'000'000);
  EXPECT_EQ(pacing.DueMicros(11), 2'000'000);
  EXPECT_EQ(pacing.NextNumberAt(999'999), 1u);
  EXPECT_EQ(pacing.NextNumberAt(1'000'000), 2u);
  EXPECT_EQ(pacing.NextNumberAt(1'950'000), 11u);
}

TEST(PacingTest, RateChangeKeepsCallsAlreadyDueAndPacesTheRestAnew) {
  Pacing slow{0, 1, IntervalForRate(10, 1000)};
  // At 1.05 s calls 1..11 are due; from then on 20 calls/s.
  Pacing fast = Repace(slow, 1'050'000, IntervalForRate(20, 1000));
  EXPECT_EQ(fast.first_number, 12u);
  EXPECT_EQ(fast.DueMicros(12), 1'050'000);
  EXPECT_EQ(fast.DueMicros(32), 2'050'000);
  EXPECT_EQ(fast.DueMicros(5), 1'050'000);  // a lagging worker places it at once
}

TEST(PacingTest, PauseHoldsTheNextNumberUntilResumed) {
  Pacing running{0, 1, IntervalForRate(10, 1000)};
  Pacing paused = Repace(running, 500'000, 0);  // calls 1..6 were due
  EXPECT_FALSE(paused.running());
  EXPECT_EQ(paused.NextNumberAt(9'000'000), 7u);
  Pacing resumed = Repace(paused, 9'000'000, IntervalForRate(10, 1000));
  EXPECT_EQ(resumed.first_number, 7u);
  EXPECT_EQ(resumed.DueMicros(8), 9'100'000);
}

TEST(PacingTest, RateZeroPlacesNothing) {
  EXPECT_EQ(IntervalForRate(0, 1000), 0);
  EXPECT_FALSE((Pacing{0, 1, IntervalForRate(0, 1000)}).running());
  EXPECT_DOUBLE_EQ(IntervalForRate(7, 2000), 2000.0 * 1000 / 7);
}

}  // namespace
}  // namespace sipfleet::runtime
