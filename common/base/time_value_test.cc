#include "common/base/time_value.h"

#include "gtest/gtest.h"

namespace sipfleet::base {
namespace {

TEST(TimeValueTest, BareNumberUsesDefaultUnit) {
  EXPECT_EQ(*ParseTimeValueMs("500", TimeUnit::kMilliseconds), 500);
  EXPECT_EQ(*ParseTimeValueMs("20", TimeUnit::kSeconds), 20'000);
}

TEST(TimeValueTest, SuffixesOverrideDefaultUnit) {
  EXPECT_EQ(*ParseTimeValueMs("250ms", TimeUnit::kSeconds), 250);
  EXPECT_EQ(*ParseTimeValueMs("2s", TimeUnit::kMilliseconds), 2000);
  EXPECT_EQ(*ParseTimeValueMs("3m", TimeUnit::kMilliseconds), 180'000);
  EXPECT_EQ(*ParseTimeValueMs("1h", TimeUnit::kMilliseconds), 3'600'000);
}

TEST(TimeValueTest, RejectsGarbageAndClockForms) {
  EXPECT_FALSE(ParseTimeValueMs("abc", TimeUnit::kSeconds).ok());
  EXPECT_FALSE(ParseTimeValueMs("01:30", TimeUnit::kSeconds).ok());
  EXPECT_FALSE(ParseTimeValueMs("-5", TimeUnit::kSeconds).ok());
  EXPECT_FALSE(ParseTimeValueMs("", TimeUnit::kSeconds).ok());
}

}  // namespace
}  // namespace sipfleet::base
