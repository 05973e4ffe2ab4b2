#include "common/metrics/exposition.h"

#include <string>

#include "gtest/gtest.h"

namespace sipfleet::metrics {
namespace {

using stats::Counter;

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(ExpositionTest, CountersGaugesAndAgentLabels) {
  auto layout = std::make_shared<stats::ShardLayout>();
  layout->rtd_names = {"1"};
  layout->message_count = 2;
  results::RunView view;
  view.layout = layout;
  view.elapsed_s = 2.0;
  view.message_names = {"INVITE", ""};
  stats::Snapshot merged = stats::EmptySnapshot(*layout);
  merged.counters[static_cast<size_t>(Counter::kSuccessfulCall)] = 7;
  merged.counters[static_cast<size_t>(Counter::kFailedMaxUDPRetrans)] = 2;
  merged.messages[0][static_cast<size_t>(stats::MessageCounter::kSent)] = 9;
  view.merged = {"", merged, 3, 5.0};
  view.agents.push_back({"a\"1", merged, 1, 2.5});
  std::string text = RenderExposition(view);
  EXPECT_TRUE(Has(text, "# TYPE sipfleet_calls_total counter")) << text;
  EXPECT_TRUE(Has(text, "sipfleet_calls_total{result=\"successful\"} 7")) << text;
  EXPECT_TRUE(Has(text, "sipfleet_calls_total{agent=\"a\\\"1\",result=\"successful\"} 7"));
  EXPECT_TRUE(Has(text, "sipfleet_failed_calls_total{reason=\"max_udp_retrans\"} 2"));
  EXPECT_TRUE(Has(text, "sipfleet_messages_total{index=\"0\",message=\"INVITE\",kind=\"sent\"} 9"));
  EXPECT_EQ(text.find("index=\"1\""), std::string::npos);
  EXPECT_TRUE(Has(text, "sipfleet_current_calls 3"));
  EXPECT_TRUE(Has(text, "sipfleet_target_calls_per_second 5"));
  // Each family's TYPE line appears once.
  EXPECT_EQ(text.find("# TYPE sipfleet_calls_total"), text.rfind("# TYPE sipfleet_calls_total"));
}

TEST(ExpositionTest, HistogramBucketsAreExactSumsOfEngineBuckets) {
  auto layout = std::make_shared<stats::ShardLayout>();
  layout->rtd_names = {"1"};
  results::RunView view;
  view.layout = layout;
  view.merged.total = stats::EmptySnapshot(*layout);
  for (uint64_t us : {100u, 319u, 320u, 5000u, 5000u}) {
    view.merged.total.response_times[0].Record(us);
  }
  std::string text = RenderExposition(view);
  EXPECT_TRUE(Has(text, "sipfleet_response_time_seconds_bucket{rtd=\"1\",le=\"0.000127\"} 1"));
  EXPECT_TRUE(Has(text, "sipfleet_response_time_seconds_bucket{rtd=\"1\",le=\"0.000319\"} 2"));
  EXPECT_TRUE(Has(text, "sipfleet_response_time_seconds_bucket{rtd=\"1\",le=\"0.000383\"} 3"));
  EXPECT_TRUE(Has(text, "sipfleet_response_time_seconds_bucket{rtd=\"1\",le=\"+Inf\"} 5"));
  EXPECT_TRUE(Has(text, "sipfleet_response_time_seconds_sum{rtd=\"1\"} 0.010739"));
  EXPECT_TRUE(Has(text, "sipfleet_response_time_seconds_count{rtd=\"1\"} 5"));
  // Every bound is a bucket's inclusive upper bound, ascending.
  const auto& bounds = HistogramBoundsMicros();
  for (size_t i = 1; i < bounds.size(); ++i) {
    ASSERT_LT(bounds[i - 1], bounds[i]);
    EXPECT_EQ(stats::Histogram::BucketUpperBound(stats::Histogram::BucketIndex(bounds[i])),
              bounds[i]);
  }
}

TEST(ExpositionTest, MicrosAsSecondsIsExact) {
  EXPECT_EQ(MicrosAsSeconds(0), "0");
  EXPECT_EQ(MicrosAsSeconds(319), "0.000319");
  EXPECT_EQ(MicrosAsSeconds(2'500'000), "2.5");
}

}  // namespace
}  // namespace sipfleet::metrics
