#include "common/cli/options.h"

#include "gtest/gtest.h"

namespace sipfleet::cli {
namespace {

absl::StatusOr<Options> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "sipfleet");
  return ParseCommandLine(args);
}

TEST(OptionsTest, SippDefaults) {
  auto o = Parse({"127.0.0.1"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->rate, 10.0);
  EXPECT_EQ(o->rate_period_ms, 1000);
  EXPECT_EQ(o->service, "service");
  EXPECT_EQ(o->max_invite_retrans, 5);
  EXPECT_EQ(o->max_non_invite_retrans, 9);
  EXPECT_EQ(o->t2_ms, 4000);
  EXPECT_EQ(o->stat_period_ms, 60000);
  EXPECT_EQ(o->default_behaviors, 15u);
  EXPECT_EQ(o->remote_host_port, "127.0.0.1");
}

TEST(OptionsTest, TimeUnitsFollowSipp) {
  auto o = Parse({"-d", "2s", "-timeout", "20", "-fd", "500ms", "-rp", "2", "-T2", "1s"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->duration_ms, 2000);
  EXPECT_EQ(o->timeout_ms, 20000);
  EXPECT_EQ(o->stat_period_ms, 500);
  EXPECT_EQ(o->rate_period_ms, 2);
  EXPECT_EQ(o->t2_ms, 1000);
}

TEST(OptionsTest, RepeatableKeysAndBehaviors) {
  auto o = Parse({"-key", "a", "1", "-key", "b", "", "-default_behaviors", "all,-bye"});
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_EQ(o->keys.size(), 2u);
  EXPECT_EQ(o->keys[1].second, "");
  EXPECT_EQ(o->default_behaviors, 14u);
  EXPECT_EQ(Parse({"-nd"})->default_behaviors, 0u);
}

TEST(OptionsTest, UnsupportedSippOptionIsRefusedByName) {
  auto o = Parse({"-rsa", "1.2.3.4:5"});
  EXPECT_EQ(o.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(o.status().message(), "option -rsa is not supported yet");
  EXPECT_EQ(Parse({"-t", "sn"}).status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(Parse({"-t", "x9"}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Parse({"-t", "tn"})->transport, "tn");
}

TEST(OptionsTest, UnknownOptionNamesClosest) {
  auto o = Parse({"-trace_stats"});
  EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(o.status().message(), "unknown option -trace_stats; did you mean -trace_stat?");
}

TEST(OptionsTest, MissingValueAndBadNumbersAreErrors) {
  EXPECT_FALSE(Parse({"-m"}).ok());
  EXPECT_FALSE(Parse({"-m", "x"}).ok());
  EXPECT_FALSE(Parse({"-p", "70000"}).ok());
  EXPECT_FALSE(Parse({"a", "b"}).ok());
}

TEST(OptionsTest, NumberTooLargeNamesTheOption) {
  auto o = Parse({"-m", "99999999999999999999999"});
  EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(o.status().message(),
            "-m: invalid value '99999999999999999999999': a whole number from 0 to "
            "18446744073709551615 is expected");
  auto t = Parse({"-timeout", "forever"});
  EXPECT_EQ(t.status().message().substr(0, 31), "-timeout: invalid value 'foreve");
}

TEST(OptionsTest, RatePeriodMustBePositive) {
  for (const char* period : {"0", "-5", "0ms"}) {
    auto o = Parse({"-rp", period});
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument) << period;
    const std::string expected = std::string("-rp: invalid value '") + period + "'";
    EXPECT_TRUE(std::string(o.status().message()).starts_with(expected)) << o.status();
  }
  auto ok = Parse({"-rp", "2s"});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->rate_period_ms, 2000);
}

}  // namespace
}  // namespace sipfleet::cli
