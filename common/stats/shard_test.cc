#include "common/stats/shard.h"

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace sipfleet::stats {
namespace {

ShardLayout TestLayout() {
  ShardLayout layout;
  layout.rtd_names = {"1", "setup"};
  layout.response_time_repartition_ms = {30, 10, 20};  // Unsorted on purpose.
  layout.call_length_repartition_ms = {10, 50, 100, 500, 1000, 5000, 10000};
  layout.user_counter_names = {"c1", "7"};
  layout.message_count = 4;
  return layout;
}

// One call's worth of events, parameterised so sequences differ.
void FeedCall(Shard* shard, uint64_t i) {
  shard->Increment(Counter::kOutgoingCall);
  shard->IncrementMessage(0, MessageCounter::kSent);
  shard->IncrementMessage(1, MessageCounter::kReceived);
  shard->RecordResponseTime(0, 1'000 * (i % 40) + i % 1000);
  shard->RecordResponseTime(1, 250 + i);
  shard->IncrementUserCounter(i % 2);
  if (i % 5 == 0) {
    shard->Increment(Counter::kFailedCall);
    shard->Increment(Counter::kFailedTimeoutOnRecv);
    shard->IncrementMessage(2, MessageCounter::kTimeout);
  } else {
    shard->Increment(Counter::kSuccessfulCall);
  }
  shard->RecordCallLength(40'000 + 997 * i);
  shard->Increment(Counter::kCallsEnded);
}

TEST(RepartitionBucketTest, BoundaryValueGoesToTheNextBucket) {
  const std::vector<int> boundaries = {10, 20, 30};
  EXPECT_EQ(RepartitionBucket(boundaries, 0), 0u);
  EXPECT_EQ(RepartitionBucket(boundaries, 9), 0u);
  EXPECT_EQ(RepartitionBucket(boundaries, 10), 1u);  // SIPp: "_<20" holds 10.
  EXPECT_EQ(RepartitionBucket(boundaries, 19), 1u);
  EXPECT_EQ(RepartitionBucket(boundaries, 29), 2u);
  EXPECT_EQ(RepartitionBucket(boundaries, 30), 3u);  // "_>=30".
  EXPECT_EQ(RepartitionBucket(boundaries, 1'000'000), 3u);
  EXPECT_EQ(RepartitionBucket({}, 5), 0u);
}

TEST(ShardTest, SortsRepartitionBoundaries) {
  const Shard shard(TestLayout());
  EXPECT_EQ(shard.layout().response_time_repartition_ms, (std::vector<int>{10, 20, 30}));
}

TEST(ShardTest, SnapshotHasEverythingRecorded) {
  Shard shard(TestLayout());
  shard.Increment(Counter::kIncomingCall, 3);
  shard.Increment(Counter::kOutgoingCall);
  shard.Increment(Counter::kCallsEnded, 2);
  shard.Increment(Counter::kMalformedMessages);
  shard.RecordResponseTime(0, 9'999);   // 9 ms: "<10".
  shard.RecordResponseTime(0, 10'000);  // 10 ms: "<20".
  shard.RecordResponseTime(0, 30'000);  // ">=30".
  shard.RecordResponseTime(1, 5);
  shard.RecordCallLength(4'009'000);  // "<5000".
  shard.IncrementUserCounter(1, 4);
  shard.IncrementMessage(3, MessageCounter::kUnexpected);
  shard.IncrementMessage(3, MessageCounter::kRetransmission, 2);

  const Snapshot s = shard.TakeSnapshot();
  EXPECT_EQ(s.Get(Counter::kIncomingCall), 3u);
  EXPECT_EQ(s.Get(Counter::kOutgoingCall), 1u);
  EXPECT_EQ(s.Get(Counter::kMalformedMessages), 1u);
  EXPECT_EQ(s.TotalCallsCreated(), 4u);
  EXPECT_EQ(s.CurrentCalls(), 2u);
  ASSERT_EQ(s.response_times.size(), 2u);
  EXPECT_EQ(s.response_times[0].count(), 3u);
  EXPECT_EQ(s.response_times[0].sum(), 49'999u);
  EXPECT_EQ(s.response_times[1].max(), 5u);
  EXPECT_EQ(s.response_time_repartition[0], (std::vector<uint64_t>{1, 1, 0, 1}));
  EXPECT_EQ(s.response_time_repartition[1], (std::vector<uint64_t>{1, 0, 0, 0}));
  EXPECT_EQ(s.call_length.count(), 1u);
  EXPECT_EQ(s.call_length_repartition, (std::vector<uint64_t>{0, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(s.user_counters, (std::vector<uint64_t>{0, 4}));
  EXPECT_EQ(s.Get(3, MessageCounter::kUnexpected), 1u);
  EXPECT_EQ(s.Get(3, MessageCounter::kRetransmission), 2u);
  EXPECT_EQ(s.Get(0, MessageCounter::kSent), 0u);
  EXPECT_EQ(s.Get(99, MessageCounter::kSent), 0u);
}

TEST(ShardTest, EmptySnapshotMatchesAFreshShard) {
  const Shard shard(TestLayout());
  EXPECT_EQ(shard.TakeSnapshot(), EmptySnapshot(TestLayout()));
  const Snapshot empty = EmptySnapshot(TestLayout());
  EXPECT_EQ(empty.response_time_repartition.size(), 2u);
  EXPECT_EQ(empty.response_time_repartition[0].size(), 4u);
  EXPECT_EQ(empty.call_length_repartition.size(), 8u);
  EXPECT_EQ(empty.messages.size(), 4u);
}

TEST(ShardTest, NoRepartitionMeansNoBuckets) {
  ShardLayout layout;
  layout.rtd_names = {"1"};
  Shard shard(layout);
  shard.RecordResponseTime(0, 100);
  shard.RecordCallLength(100);
  const Snapshot s = shard.TakeSnapshot();
  EXPECT_TRUE(s.response_time_repartition[0].empty());
  EXPECT_TRUE(s.call_length_repartition.empty());
  EXPECT_EQ(s.response_times[0].count(), 1u);
}

TEST(SnapshotTest, MergingShardsEqualsOneShardFedEverything) {
  constexpr int kShards = 5;
  std::vector<std::unique_ptr<Shard>> shards;
  for (int i = 0; i < kShards; ++i) shards.push_back(std::make_unique<Shard>(TestLayout()));
  Shard single(TestLayout());
  for (uint64_t i = 0; i < 3'000; ++i) {
    FeedCall(shards[(i * 7919) % kShards].get(), i);
    FeedCall(&single, i);
  }
  Snapshot merged = EmptySnapshot(TestLayout());
  for (const auto& shard : shards) Merge(&merged, shard->TakeSnapshot());
  EXPECT_EQ(merged, single.TakeSnapshot());

  Snapshot from_default;  // Grows to the shards' shape.
  for (const auto& shard : shards) Merge(&from_default, shard->TakeSnapshot());
  EXPECT_EQ(from_default, merged);
}

TEST(SnapshotTest, DeltaIsWhatHappenedInThePeriod) {
  Shard shard(TestLayout());
  Shard period_only(TestLayout());
  for (uint64_t i = 0; i < 500; ++i) FeedCall(&shard, i);
  const Snapshot before = shard.TakeSnapshot();
  for (uint64_t i = 500; i < 800; ++i) {
    FeedCall(&shard, i);
    FeedCall(&period_only, i);
  }
  const Snapshot delta = Delta(shard.TakeSnapshot(), before);
  const Snapshot expected = period_only.TakeSnapshot();

  EXPECT_EQ(delta.counters, expected.counters);
  EXPECT_EQ(delta.response_time_repartition, expected.response_time_repartition);
  EXPECT_EQ(delta.call_length_repartition, expected.call_length_repartition);
  EXPECT_EQ(delta.user_counters, expected.user_counters);
  EXPECT_EQ(delta.messages, expected.messages);
  for (size_t r = 0; r < 2; ++r) {
    EXPECT_EQ(delta.response_times[r].count(), expected.response_times[r].count());
    EXPECT_EQ(delta.response_times[r].sum(), expected.response_times[r].sum());
    EXPECT_EQ(delta.response_times[r].sum_of_squares(),
              expected.response_times[r].sum_of_squares());
    EXPECT_EQ(delta.response_times[r].ValueAtPercentile(90),
              expected.response_times[r].ValueAtPercentile(90));
  }
  EXPECT_EQ(delta.call_length.sum(), expected.call_length.sum());
  EXPECT_DOUBLE_EQ(delta.call_length.StdDev(), expected.call_length.StdDev());

  const Snapshot none = Delta(before, before);
  EXPECT_EQ(none, EmptySnapshot(TestLayout()));
}

TEST(SnapshotTest, DeltaAgainstSmallerOrEmptyBeforeIsLenient) {
  Shard shard(TestLayout());
  FeedCall(&shard, 1);
  const Snapshot now = shard.TakeSnapshot();
  EXPECT_EQ(Delta(now, Snapshot()), now);
  const Snapshot reversed = Delta(EmptySnapshot(TestLayout()), now);
  EXPECT_EQ(reversed, EmptySnapshot(TestLayout()));
}

TEST(ShardTest, ConcurrentSnapshotsSeeMonotonicCounters) {
  Shard shard(TestLayout());
  std::atomic<bool> done{false};
  std::thread worker([&] {
    for (uint64_t i = 0; i < 50'000; ++i) FeedCall(&shard, i);
    done.store(true, std::memory_order_release);
  });
  Snapshot previous = EmptySnapshot(TestLayout());
  int snapshots = 0;
  while (!done.load(std::memory_order_acquire) || snapshots < 3) {
    Snapshot s = shard.TakeSnapshot();
    for (size_t i = 0; i < kNumCounters; ++i) ASSERT_GE(s.counters[i], previous.counters[i]);
    ASSERT_GE(s.call_length.count(), previous.call_length.count());
    const Snapshot d = Delta(s, previous);
    ASSERT_EQ(d.Get(Counter::kOutgoingCall),
              s.Get(Counter::kOutgoingCall) - previous.Get(Counter::kOutgoingCall));
    previous = std::move(s);
    ++snapshots;
  }
  worker.join();
  EXPECT_EQ(shard.TakeSnapshot().Get(Counter::kOutgoingCall), 50'000u);
  EXPECT_EQ(shard.TakeSnapshot().call_length.count(), 50'000u);
}

}  // namespace
}  // namespace sipfleet::stats
