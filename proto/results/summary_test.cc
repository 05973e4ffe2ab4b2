#include "proto/results/summary.h"

#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace sipfleet::summary {
namespace {

using stats::Counter;

results::RunView TestView() {
  auto layout = std::make_shared<stats::ShardLayout>();
  layout->rtd_names = {"1"};
  layout->message_count = 2;
  layout->user_counter_names = {"retries"};
  results::RunView view;
  view.program = "sipfleet-master";
  view.command_line = {"sipfleet-master", "-sn", "uac"};
  view.scenario = "uac";
  view.start_wall_us = 1'700'000'000'000'000;
  view.elapsed_s = 10;
  view.layout = layout;
  view.message_names = {"INVITE", "100"};
  stats::Snapshot total = stats::EmptySnapshot(*layout);
  total.counters[static_cast<size_t>(Counter::kOutgoingCall)] = 100;
  total.counters[static_cast<size_t>(Counter::kSuccessfulCall)] = 99;
  total.counters[static_cast<size_t>(Counter::kConnectFailures)] = 4;
  for (uint64_t ms = 1; ms <= 100; ++ms) total.response_times[0].Record(ms * 1000);
  total.messages[0][static_cast<size_t>(stats::MessageCounter::kRetransmission)] = 3;
  view.merged = {"", total, 1, 10};
  view.agents.push_back({"agent-a", total, 1, 5});
  absl::StatusOr<results::Threshold> t = results::ParseThreshold("rtd1.p99<50", *layout);
  view.thresholds = {*t};
  view.threshold_results = {results::Evaluate(*t, view.FiguresOf(view.merged))};
  view.exit_code = 98;
  return view;
}

TEST(SummaryTest, FiguresComeFromTheMergedSnapshot) {
  results::RunView view = TestView();
  v1::Summary summary = BuildSummary(view, "sipfleet 0.1.0");
  EXPECT_EQ(summary.verdict(), "failed");
  EXPECT_EQ(summary.exit_code(), 98);
  EXPECT_EQ(summary.start_time(), "2023-11-14T22:13:20.000000Z");
  EXPECT_EQ(summary.merged().counters().at("SuccessfulCall"), 99u);
  EXPECT_EQ(summary.merged().transport_errors().at("connect_failures"), 4u);
  EXPECT_EQ(summary.merged().user_counters().at("retries"), 0u);
  EXPECT_DOUBLE_EQ(summary.merged().achieved_calls_per_s(), 10.0);
  ASSERT_EQ(summary.merged().response_times_size(), 1);
  const v1::Distribution& rtd = summary.merged().response_times(0);
  EXPECT_EQ(rtd.count(), 100u);
  EXPECT_DOUBLE_EQ(rtd.p99_ms(),
                   static_cast<double>(view.merged.total.response_times[0].ValueAtPercentile(99)) /
                       1000.0);
  EXPECT_DOUBLE_EQ(rtd.p999_ms(), 100.0);  // capped at the largest sample
  EXPECT_DOUBLE_EQ(rtd.min_ms(), 1.0);
  uint64_t bucketed = 0;
  for (const v1::Bucket& bucket : rtd.buckets()) bucketed += bucket.count();
  EXPECT_EQ(bucketed, 100u);
  ASSERT_EQ(summary.merged().messages_size(), 2);
  EXPECT_EQ(summary.merged().messages(0).retransmissions(), 3u);
  ASSERT_EQ(summary.agents_size(), 1);
  EXPECT_EQ(summary.agents(0).agent(), "agent-a");
  EXPECT_DOUBLE_EQ(summary.agents(0).stats().target_calls_per_s(), 5.0);
  ASSERT_EQ(summary.thresholds_size(), 1);
  EXPECT_FALSE(summary.thresholds(0).passed());
  EXPECT_TRUE(summary.thresholds(0).has_measured());
}

TEST(SummaryTest, JsonRoundTripsThroughTheSchema) {
  results::RunView view = TestView();
  view.threshold_results[0].measured.reset();
  std::string json = SummaryJson(view, "sipfleet 0.1.0", true);
  EXPECT_NE(json.find("\"schema\": \"sipfleet.results.v1.Summary\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"SuccessfulCall\": \"99\""), std::string::npos);  // uint64 as string
  EXPECT_EQ(json.find("\"measured\""), std::string::npos);  // nothing measured
  v1::Summary parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok());
  EXPECT_EQ(parsed.merged().counters().at("OutgoingCall"), 100u);
}

}  // namespace
}  // namespace sipfleet::summary
