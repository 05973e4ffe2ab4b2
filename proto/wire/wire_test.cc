#include "proto/wire/wire.h"

#include <random>

#include "gtest/gtest.h"

namespace sipfleet::wire {
namespace {

stats::ShardLayout Layout() {
  stats::ShardLayout layout;
  layout.rtd_names = {"1", "2"};
  layout.response_time_repartition_ms = {10, 20};
  layout.call_length_repartition_ms = {100};
  layout.user_counter_names = {"a", "b"};
  layout.message_count = 4;
  return layout;
}

TEST(WireTest, StatsReportRoundTripsExactly) {
  stats::Shard shard(Layout());
  std::mt19937_64 rng(3);
  for (int i = 0; i < 500; ++i) {
    shard.Increment(stats::Counter::kSuccessfulCall);
    shard.RecordResponseTime(i % 2, rng() % 3'000'000);
    shard.RecordCallLength(rng() % 90'000'000'000ull);
    shard.IncrementUserCounter(1);
    shard.IncrementMessage(3, stats::MessageCounter::kRetransmission);
  }
  cluster::ReportBuilder builder;
  cluster::StatsReport report = builder.Next(shard.TakeSnapshot(), 12, true);
  v1::StatsReport proto;
  ToProto(report, &proto);
  std::string bytes;
  ASSERT_TRUE(proto.SerializeToString(&bytes));
  v1::StatsReport parsed_proto;
  ASSERT_TRUE(parsed_proto.ParseFromString(bytes));
  absl::StatusOr<cluster::StatsReport> back = FromProto(parsed_proto);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->sequence, 1u);
  EXPECT_TRUE(back->final);
  EXPECT_EQ(back->open_calls, 12u);
  EXPECT_EQ(back->delta, report.delta);
  EXPECT_EQ(back->delta, shard.TakeSnapshot());
}

TEST(WireTest, RejectsMalformedHistogram) {
  v1::HistogramDelta histogram;
  histogram.add_bucket_index(1);
  EXPECT_FALSE(HistogramFromProto(histogram).ok());
  histogram.add_bucket_count(1);
  histogram.set_bucket_index(0, 0xFFFFFFF);
  EXPECT_FALSE(HistogramFromProto(histogram).ok());
}

}  // namespace
}  // namespace sipfleet::wire
