#include "common/cluster/stats_report.h"

#include <random>

#include "gtest/gtest.h"

namespace sipfleet::cluster {
namespace {

using stats::Counter;

stats::ShardLayout Layout() {
  stats::ShardLayout layout;
  layout.rtd_names = {"1"};
  layout.response_time_repartition_ms = {10, 20, 50};
  layout.call_length_repartition_ms = {100, 500};
  layout.user_counter_names = {"c"};
  layout.message_count = 3;
  return layout;
}

// Records one random call into `shard` (and the same into `reference`).
void RecordCall(std::mt19937_64& rng, stats::Shard* shard, stats::Shard* reference) {
  uint64_t rtd = rng() % 200000;
  uint64_t length = rng() % 2000000;
  for (stats::Shard* s : {shard, reference}) {
    s->Increment(Counter::kOutgoingCall);
    s->Increment(Counter::kSuccessfulCall);
    s->RecordResponseTime(0, rtd);
    s->RecordCallLength(length);
    s->IncrementUserCounter(0);
    s->IncrementMessage(1, stats::MessageCounter::kSent);
  }
}

// Three agents each report every few calls; merged at the master, their
// reports give exactly the snapshot of one shard fed every sample.
TEST(StatsMergerTest, MergedReportsEqualOneShardFedAllSamples) {
  std::mt19937_64 rng(42);
  stats::Shard reference(Layout());
  std::vector<std::unique_ptr<stats::Shard>> agents;
  std::vector<ReportBuilder> builders(3);
  for (int k = 0; k < 3; ++k) agents.push_back(std::make_unique<stats::Shard>(Layout()));
  StatsMerger merger(3);
  for (int round = 0; round < 20; ++round) {
    for (int k = 0; k < 3; ++k) {
      for (int call = 0; call < 1 + (round * 7 + k) % 13; ++call) {
        RecordCall(rng, agents[k].get(), &reference);
      }
      StatsReport report = builders[k].Next(agents[k]->TakeSnapshot(), 0, round == 19);
      ASSERT_TRUE(merger.Apply(k, report).value());
    }
  }
  stats::Snapshot total = merger.Total();
  stats::Snapshot expected = reference.TakeSnapshot();
  EXPECT_EQ(total, expected);
  EXPECT_EQ(total.response_times[0].ValueAtPercentile(99),
            expected.response_times[0].ValueAtPercentile(99));
  EXPECT_EQ(total.call_length.min(), expected.call_length.min());
  EXPECT_EQ(total.call_length.max(), expected.call_length.max());
  for (int k = 0; k < 3; ++k) {
    EXPECT_TRUE(merger.Complete(k));
    EXPECT_EQ(merger.Agent(k), agents[k]->TakeSnapshot());
  }
}

TEST(StatsMergerTest, IgnoresDuplicatesAndAcceptsAnyOrder) {
  std::mt19937_64 rng(7);
  stats::Shard shard(Layout());
  stats::Shard reference(Layout());
  ReportBuilder builder;
  std::vector<StatsReport> reports;
  for (int i = 0; i < 5; ++i) {
    RecordCall(rng, &shard, &reference);
    RecordCall(rng, &shard, &reference);
    reports.push_back(builder.Next(shard.TakeSnapshot(), 0, i == 4));
  }
  StatsMerger merger(1);
  for (int i : {4, 1, 1, 0, 3, 4}) (void)merger.Apply(0, reports[i]);
  EXPECT_FALSE(merger.Complete(0));  // report 2 is still missing
  EXPECT_TRUE(merger.Apply(0, reports[2]).value());
  EXPECT_FALSE(merger.Apply(0, reports[2]).value());
  EXPECT_TRUE(merger.Complete(0));
  EXPECT_EQ(merger.Total(), reference.TakeSnapshot());
  EXPECT_EQ(merger.Total().Get(Counter::kSuccessfulCall), 10u);
}

TEST(StatsMergerTest, RejectsBadAgentAndSequenceZero) {
  StatsMerger merger(1);
  StatsReport report;
  EXPECT_FALSE(merger.Apply(0, report).ok());
  report.sequence = 1;
  EXPECT_FALSE(merger.Apply(1, report).ok());
}

TEST(ReportBuilderTest, EmptyTickGivesAnEmptyDelta) {
  stats::Shard shard(Layout());
  std::mt19937_64 rng(1);
  stats::Shard ignored(Layout());
  RecordCall(rng, &shard, &ignored);
  ReportBuilder builder;
  StatsReport first = builder.Next(shard.TakeSnapshot(), 3, false);
  StatsReport second = builder.Next(shard.TakeSnapshot(), 2, false);
  EXPECT_EQ(first.sequence, 1u);
  EXPECT_EQ(second.sequence, 2u);
  EXPECT_EQ(first.delta.Get(Counter::kSuccessfulCall), 1u);
  EXPECT_EQ(second.delta.Get(Counter::kSuccessfulCall), 0u);
  EXPECT_EQ(second.delta.call_length.count(), 0u);
  EXPECT_EQ(second.open_calls, 2u);
}

}  // namespace
}  // namespace sipfleet::cluster
