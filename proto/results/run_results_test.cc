#include "proto/results/run_results.h"

#include <httplib.h>

#include "common/scenario/embedded.h"
#include "common/scenario/loader.h"
#include "common/scenario/stats_layout.h"
#include "gtest/gtest.h"

namespace sipfleet::summary {
namespace {

using stats::Counter;

std::shared_ptr<const scenario::Scenario> Uac() {
  absl::StatusOr<std::shared_ptr<const scenario::Scenario>> loaded =
      scenario::LoadScenario(*scenario::EmbeddedScenario("uac"), "uac", {});
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return *loaded;
}

std::unique_ptr<RunResults> Make(std::vector<std::string> thresholds, std::string web = "") {
  cli::Options options;
  options.thresholds = std::move(thresholds);
  options.web_listen = std::move(web);
  options.web_control = !options.web_listen.empty();
  absl::StatusOr<std::unique_ptr<RunResults>> results =
      RunResults::Create(options, *Uac(), {"sipfleet", "sipfleet test", {"sipfleet"}, 0, 1});
  EXPECT_TRUE(results.ok()) << results.status();
  return std::move(*results);
}

results::SourceSnapshot WithCalls(uint64_t successful, uint64_t failed) {
  stats::ShardLayout layout = scenario::StatsLayoutFor(*Uac());
  results::SourceSnapshot source{"", stats::EmptySnapshot(layout), 0, 10};
  source.total.counters[static_cast<size_t>(Counter::kOutgoingCall)] = successful + failed;
  source.total.counters[static_cast<size_t>(Counter::kSuccessfulCall)] = successful;
  source.total.counters[static_cast<size_t>(Counter::kFailedCall)] = failed;
  return source;
}

TEST(RunResultsTest, FailedThresholdsTurnZeroAndOneInto98) {
  EXPECT_EQ(Make({"failed_calls.count==0"})->Finish(WithCalls(5, 1), {}, 2'000'000, 3, 1, "x"), 98);
  EXPECT_EQ(Make({"failed_calls.count==0"})->Finish(WithCalls(5, 0), {}, 2'000'000, 3, 0, "x"), 0);
  // Codes that say the run itself went wrong stand.
  EXPECT_EQ(Make({"failed_calls.count==0"})->Finish(WithCalls(5, 1), {}, 2'000'000, 3, 255, "x"),
            255);
  // Without thresholds nothing changes.
  EXPECT_EQ(Make({})->Finish(WithCalls(5, 1), {}, 2'000'000, 3, 1, "x"), 1);
}

TEST(RunResultsTest, AbortIsAskedOnceWhenAThresholdCannotPass) {
  std::unique_ptr<RunResults> results = Make({"failed_calls.count<2:abort"});
  EXPECT_FALSE(results->PeriodDue(999'999));
  EXPECT_TRUE(results->PeriodDue(1'000'000));
  EXPECT_FALSE(results->OnPeriod(WithCalls(5, 1), {}, 1'000'000, false));
  EXPECT_TRUE(results->OnPeriod(WithCalls(5, 2), {}, 2'000'000, false));
  EXPECT_FALSE(results->OnPeriod(WithCalls(5, 3), {}, 3'000'000, false));  // once
  // Aborted by a threshold: 98 even where a call failure alone would be 1.
  EXPECT_EQ(results->Finish(WithCalls(5, 3), {}, 3'500'000, 4, 1, "aborted"), 98);
}

TEST(RunResultsTest, LivePageServesTheSummaryAndTakesKeys) {
  std::unique_ptr<RunResults> results = Make({"rtd1.p99<1s"}, "127.0.0.1:0");
  ASSERT_GT(results->web_port(), 0);
  results->OnPeriod(WithCalls(7, 0), {}, 1'000'000, true);
  httplib::Client client("127.0.0.1", results->web_port());
  httplib::Result summary = client.Get("/summary.json");
  ASSERT_TRUE(summary);
  EXPECT_NE(summary->body.find("\"SuccessfulCall\":\"7\""), std::string::npos) << summary->body;
  EXPECT_NE(summary->body.find("\"paused\":true"), std::string::npos);
  EXPECT_NE(summary->body.find("\"verdict\":\"running\""), std::string::npos);
  httplib::Result metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("sipfleet_calls_total{result=\"successful\"} 7\n"),
            std::string::npos);
  ASSERT_TRUE(client.Post("/control?action=quit", "", "text/plain"));
  EXPECT_EQ(results->TakeKeys(), "q");
}

TEST(RunResultsTest, NoResultsOptionTakesNoPeriods) {
  std::unique_ptr<RunResults> results = Make({});
  EXPECT_FALSE(results->PeriodDue(10'000'000));
}

TEST(RunResultsTest, BadThresholdIsRefusedAtCreation) {
  cli::Options options;
  options.thresholds = {"rtd1.p99<<1"};
  absl::StatusOr<std::unique_ptr<RunResults>> results =
      RunResults::Create(options, *Uac(), {"sipfleet", "v", {}, 0, 0});
  ASSERT_FALSE(results.ok());
  EXPECT_NE(results.status().message().find("column 10"), std::string_view::npos);
}

}  // namespace
}  // namespace sipfleet::summary
