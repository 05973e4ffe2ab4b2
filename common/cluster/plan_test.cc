#include "common/cluster/plan.h"

#include <numeric>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::cluster {
namespace {

using ::testing::ElementsAre;

TEST(PlanStripesTest, GivesConsecutiveResiduesByWeight) {
  absl::StatusOr<std::vector<Stripe>> stripes = PlanStripes({1, 2, 1}, 2);
  ASSERT_TRUE(stripes.ok());
  EXPECT_THAT(*stripes, ElementsAre(Stripe{0, 8, 2}, Stripe{2, 8, 4}, Stripe{6, 8, 2}));
}

TEST(PlanStripesTest, RefusesZeroWeightAndEmptyCluster) {
  EXPECT_FALSE(PlanStripes({1, 0}, 1).ok());
  EXPECT_FALSE(PlanStripes({}, 1).ok());
  EXPECT_FALSE(PlanStripes({1}, 0).ok());
}

// Every worker of every agent places offset + i + 1 + j * stride, exactly
// as Engine::Create sets its workers up: together they place each number
// once.
TEST(PlanStripesTest, CallNumbersNeverCollideAndCoverEverything) {
  absl::StatusOr<std::vector<Stripe>> stripes = PlanStripes({3, 1, 2}, 3);
  ASSERT_TRUE(stripes.ok());
  const uint64_t kMaxCalls = 2000;
  std::set<uint64_t> seen;
  uint64_t placed = 0;
  for (const Stripe& stripe : *stripes) {
    uint64_t mine = 0;
    for (uint32_t w = 0; w < stripe.workers; ++w) {
      for (uint64_t n = stripe.offset + w + 1; n <= kMaxCalls; n += stripe.stride) {
        EXPECT_TRUE(seen.insert(n).second) << "number " << n << " placed twice";
        ++mine;
      }
    }
    EXPECT_EQ(mine, CallsInStripe(stripe, kMaxCalls));
    placed += mine;
  }
  EXPECT_EQ(placed, kMaxCalls);
  EXPECT_EQ(seen.size(), kMaxCalls);
}

TEST(PlanStripesTest, RateSharesAddUpToTheTotal) {
  absl::StatusOr<std::vector<Stripe>> stripes = PlanStripes({1, 1, 1}, 1);
  ASSERT_TRUE(stripes.ok());
  double sum = 0;
  for (const Stripe& stripe : *stripes) sum += RateShare(stripe, 200);
  EXPECT_NEAR(sum, 200, 1e-9);
  EXPECT_NEAR(RateShare((*stripes)[0], 200), 200.0 / 3, 1e-9);
}

TEST(CallsInStripeTest, CountsAPartialCycle) {
  Stripe stripe{2, 5, 2};  // residues 2 and 3: numbers 3, 4, 8, 9, ...
  EXPECT_EQ(CallsInStripe(stripe, 0), 0u);
  EXPECT_EQ(CallsInStripe(stripe, 2), 0u);
  EXPECT_EQ(CallsInStripe(stripe, 3), 1u);
  EXPECT_EQ(CallsInStripe(stripe, 4), 2u);
  EXPECT_EQ(CallsInStripe(stripe, 8), 3u);
  EXPECT_EQ(CallsInStripe(stripe, 10), 4u);
}

TEST(SplitByWeightTest, SharesAddUpExactly) {
  for (uint64_t total : {0ull, 1ull, 7ull, 100ull, 2001ull, 18446744073709551615ull}) {
    std::vector<uint64_t> shares = SplitByWeight(total, {3, 1, 1, 5});
    EXPECT_EQ(std::accumulate(shares.begin(), shares.end(), uint64_t{0}), total) << total;
  }
  EXPECT_THAT(SplitByWeight(10, {1, 1, 1}), ElementsAre(4, 3, 3));
  EXPECT_THAT(SplitByWeight(10, {2, 1, 2}), ElementsAre(4, 2, 4));
  EXPECT_THAT(SplitByWeight(5, {}), ElementsAre());
}

TEST(PartitionRowsTest, RangesAreDisjointAndCoverAllRows) {
  EXPECT_THAT(PartitionRows(10, {1, 1, 1}),
              ElementsAre(RowRange{0, 4}, RowRange{4, 7}, RowRange{7, 10}));
}

TEST(CsvShardTest, KeepsTheOrderLineAndOnlyTheRange) {
  const std::string csv = "SEQUENTIAL\nu0;p0\n# comment\nu1;p1\r\nu2;p2\nu3;p3\n\nu9;ignored\n";
  EXPECT_EQ(CountCsvRows(csv), 4u);
  absl::StatusOr<std::string> shard = CsvShard(csv, RowRange{1, 3});
  ASSERT_TRUE(shard.ok());
  EXPECT_EQ(*shard, "SEQUENTIAL\nu1;p1\nu2;p2\n");
}

TEST(CsvShardTest, RefusesAnEmptyOrTooLongRange) {
  const std::string csv = "RANDOM\na\nb\n";
  EXPECT_FALSE(CsvShard(csv, RowRange{1, 1}).ok());
  EXPECT_FALSE(CsvShard(csv, RowRange{1, 3}).ok());
}

}  // namespace
}  // namespace sipfleet::cluster
