#include "common/stats/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace sipfleet::stats {
namespace {

Histogram Fed(const std::vector<uint64_t>& values) {
  Histogram h;
  for (uint64_t v : values) h.Record(v);
  return h;
}

// Deterministic sample sets (fixed seed, hand-written transforms so the
// values do not depend on the standard library's distributions).
std::vector<uint64_t> Samples(int distribution, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto unit = [&rng] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  std::vector<uint64_t> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    double v = 0;
    switch (distribution) {
      case 0:  // Uniform 0..1 s.
        v = unit() * 1e6;
        break;
      case 1:  // Exponential, mean 20 ms.
        v = -std::log(unit()) * 20'000;
        break;
      case 2:  // Log-uniform over 1 µs .. 1000 s.
        v = std::pow(10.0, unit() * 9);
        break;
      case 3:  // Bimodal: fast answers and 4 s call lengths.
        v = unit() < 0.7 ? 2'000 + unit() * 500 : 4'000'000 + unit() * 10'000;
        break;
      case 4:  // Pareto tail, including clamped values beyond the layout.
        v = 100 / std::pow(unit(), 2.5);
        break;
      default:  // Tiny values, all exact.
        v = unit() * 300;
        break;
    }
    out.push_back(v >= 1.8e19 ? std::numeric_limits<uint64_t>::max() / 1024
                              : static_cast<uint64_t>(v));
  }
  return out;
}

TEST(HistogramLayoutTest, BucketsTileTheRangeWithUnderOnePercentWidth) {
  EXPECT_LE(Histogram::kNumBuckets, 5000u);
  EXPECT_GE(Histogram::kMaxTrackableValue, uint64_t{1} << 40);
  for (size_t i = 0; i < Histogram::kNumBuckets; ++i) {
    const uint64_t lo = Histogram::BucketLowerBound(i);
    const uint64_t hi = Histogram::BucketUpperBound(i);
    ASSERT_LE(lo, hi);
    ASSERT_EQ(Histogram::BucketIndex(lo), i);
    ASSERT_EQ(Histogram::BucketIndex(hi), i);
    if (i + 1 < Histogram::kNumBuckets) {
      ASSERT_EQ(Histogram::BucketLowerBound(i + 1), hi + 1);
    }
    if (lo < 256) {
      ASSERT_EQ(lo, hi) << "values below 256 must be exact";
    } else {
      ASSERT_LE((hi - lo + 1) * 128, lo) << "bucket " << i << " wider than 1/128";
    }
  }
  EXPECT_EQ(Histogram::BucketIndex(std::numeric_limits<uint64_t>::max()),
            Histogram::kNumBuckets - 1);
}

TEST(HistogramTest, EmptyHistogramReportsZeros) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.sum(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.ValueAtPercentile(50), 0u);
  EXPECT_EQ(h.Mean(), 0);
  EXPECT_EQ(h.StdDev(), 0);
  int calls = 0;
  h.ForEachNonEmptyBucket([&](size_t, uint64_t) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(HistogramTest, KeepsExactScalars) {
  const Histogram h = Fed({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_EQ(h.count(), 8u);
  EXPECT_EQ(h.sum(), 40u);
  EXPECT_EQ(h.sum_of_squares(), absl::uint128(232));
  EXPECT_EQ(h.min(), 2u);
  EXPECT_EQ(h.max(), 9u);
  EXPECT_DOUBLE_EQ(h.Mean(), 5.0);
  EXPECT_DOUBLE_EQ(h.PopulationStdDev(), 2.0);
  EXPECT_DOUBLE_EQ(h.StdDev(), std::sqrt(32.0 / 7.0));  // n - 1, as SIPp.
  EXPECT_EQ(Fed({42}).StdDev(), 0);
}

TEST(HistogramTest, StdDevIsExactForLargeValues) {
  // Two-pass reference computed in long double; catastrophic cancellation
  // would show with a naive double sum of squares.
  std::vector<uint64_t> values;
  for (uint64_t i = 0; i < 1000; ++i) values.push_back(3'600'000'000 + (i % 7));
  const Histogram h = Fed(values);
  long double mean = 0;
  for (uint64_t v : values) mean += v;
  mean /= values.size();
  long double ss = 0;
  for (uint64_t v : values) ss += (v - mean) * (v - mean);
  EXPECT_NEAR(h.StdDev(), std::sqrt(ss / (values.size() - 1)), 1e-9);
}

TEST(HistogramTest, PercentileIsLowestValueCoveringTheRank) {
  Histogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.ValueAtPercentile(0), 1u);
  EXPECT_EQ(h.ValueAtPercentile(1), 1u);
  EXPECT_EQ(h.ValueAtPercentile(1.5), 2u);
  EXPECT_EQ(h.ValueAtPercentile(50), 50u);
  EXPECT_EQ(h.ValueAtPercentile(99), 99u);
  EXPECT_EQ(h.ValueAtPercentile(100), 100u);
  EXPECT_EQ(h.ValueAtPercentile(250), 100u);

  Histogram skewed;
  skewed.Record(10, 999);
  skewed.Record(200, 1);
  EXPECT_EQ(skewed.ValueAtPercentile(99.9), 10u);  // Rank 999 despite rounding.
  EXPECT_EQ(skewed.ValueAtPercentile(99.91), 200u);
}

TEST(HistogramTest, PercentileReportsHighestEquivalentValueOfTheBucket) {
  const Histogram h = Fed({1'000'000});
  const uint64_t p50 = h.ValueAtPercentile(50);
  EXPECT_EQ(p50, Histogram::BucketUpperBound(Histogram::BucketIndex(1'000'000)));
  EXPECT_GE(p50, 1'000'000u);
  EXPECT_LT(p50 - 1'000'000, 1'000'000 / 128);
}

TEST(HistogramTest, PercentilesWithinOnePercentOfExact) {
  for (int distribution = 0; distribution < 6; ++distribution) {
    std::vector<uint64_t> values = Samples(distribution, 20'000, 1234 + distribution);
    const Histogram h = Fed(values);
    std::sort(values.begin(), values.end());
    // Percentiles in units of 0.01%, so the reference rank is exact integer math.
    for (size_t basis_points :
         {10, 100, 1000, 2500, 5000, 7500, 9000, 9500, 9900, 9990, 9999, 10000}) {
      const double p = basis_points / 100.0;
      const size_t rank = (basis_points * values.size() + 9999) / 10000;
      const uint64_t exact = values[std::max<size_t>(rank, 1) - 1];
      const uint64_t got = h.ValueAtPercentile(p);
      if (exact > Histogram::kMaxTrackableValue) continue;  // Clamped on purpose.
      EXPECT_GE(got, exact) << "distribution " << distribution << " p" << p;
      EXPECT_LE(static_cast<double>(got - exact), 0.01 * static_cast<double>(exact))
          << "distribution " << distribution << " p" << p;
    }
  }
}

TEST(HistogramTest, ClampsHugeValuesIntoLastBucketButKeepsExactScalars) {
  const uint64_t huge = uint64_t{1} << 50;
  const Histogram h = Fed({5, huge});
  EXPECT_EQ(h.BucketCount(Histogram::kNumBuckets - 1), 1u);
  EXPECT_EQ(h.max(), huge);
  EXPECT_EQ(h.sum(), huge + 5);
  EXPECT_EQ(h.ValueAtPercentile(100), Histogram::kMaxTrackableValue);
}

TEST(HistogramTest, MergingShardsEqualsOneHistogramFedEverything) {
  for (int distribution = 0; distribution < 6; ++distribution) {
    const std::vector<uint64_t> values = Samples(distribution, 50'000, 99 + distribution);
    constexpr int kShards = 7;
    std::vector<Histogram> shards(kShards);
    std::mt19937_64 pick(distribution);
    for (uint64_t v : values) shards[pick() % kShards].Record(v);

    const Histogram single = Fed(values);
    Histogram merged;
    for (const Histogram& s : shards) merged.Merge(s);
    EXPECT_TRUE(merged == single) << "distribution " << distribution;

    // Any merge order and tree shape gives the same bits.
    Histogram left;
    Histogram right;
    for (int i = kShards - 1; i >= 0; --i) (i % 2 ? left : right).Merge(shards[i]);
    left.Merge(right);
    EXPECT_TRUE(left == single) << "distribution " << distribution;
    EXPECT_EQ(left.ValueAtPercentile(99), single.ValueAtPercentile(99));
    EXPECT_EQ(left.StdDev(), single.StdDev());
    EXPECT_EQ(left.Mean(), single.Mean());
  }
}

TEST(HistogramTest, EqualityTreatsUnallocatedAndZeroBucketsAlike) {
  Histogram a;
  Histogram b = Fed({7});
  b.Subtract(Fed({7}));
  EXPECT_TRUE(a == b);
  a.Merge(Histogram());
  EXPECT_TRUE(a == Histogram());
  EXPECT_FALSE(Fed({1}) == Fed({2}));
}

TEST(HistogramTest, SubtractLeavesExactlyTheNewerSamples) {
  const std::vector<uint64_t> first = Samples(1, 5'000, 7);
  const std::vector<uint64_t> second = Samples(2, 3'000, 8);
  const Histogram before = Fed(first);
  Histogram now = before;
  for (uint64_t v : second) now.Record(v);

  Histogram delta = now;
  delta.Subtract(before);
  const Histogram expected = Fed(second);
  EXPECT_EQ(delta.count(), expected.count());
  EXPECT_EQ(delta.sum(), expected.sum());
  EXPECT_EQ(delta.sum_of_squares(), expected.sum_of_squares());
  for (size_t i = 0; i < Histogram::kNumBuckets; ++i) {
    ASSERT_EQ(delta.BucketCount(i), expected.BucketCount(i)) << i;
  }
  EXPECT_EQ(delta.ValueAtPercentile(50), expected.ValueAtPercentile(50));
  EXPECT_DOUBLE_EQ(delta.StdDev(), expected.StdDev());
  // min/max: bucket-resolution bounds that never exclude a remaining sample.
  EXPECT_LE(delta.min(), expected.min());
  EXPECT_EQ(Histogram::BucketIndex(delta.min()), Histogram::BucketIndex(expected.min()));
  EXPECT_GE(delta.max(), expected.max());
  EXPECT_EQ(Histogram::BucketIndex(delta.max()), Histogram::BucketIndex(expected.max()));

  delta.Subtract(expected);
  EXPECT_TRUE(delta == Histogram());
}

TEST(HistogramTest, SubtractOfExactValuesKeepsExactMinMax) {
  Histogram now = Fed({50, 60, 70});
  now.Record(3);
  now.Record(200);
  Histogram delta = now;
  delta.Subtract(Fed({50, 60, 70}));
  EXPECT_EQ(delta.min(), 3u);
  EXPECT_EQ(delta.max(), 200u);
}

TEST(HistogramTest, FromPartsRebuildsAHistogram) {
  const Histogram h = Fed(Samples(3, 2'000, 3));
  std::vector<std::pair<size_t, uint64_t>> sparse;
  h.ForEachNonEmptyBucket([&](size_t i, uint64_t c) { sparse.emplace_back(i, c); });
  EXPECT_LT(sparse.size(), 400u);
  const absl::StatusOr<Histogram> rebuilt =
      Histogram::FromParts(sparse, h.sum(), h.sum_of_squares(), h.min(), h.max());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_TRUE(*rebuilt == h);

  EXPECT_FALSE(Histogram::FromParts({{Histogram::kNumBuckets, 1}}, 0, 0, 0, 0).ok());
  EXPECT_FALSE(Histogram::FromParts({{3, 1}}, 3, 9, 4, 3).ok());
  EXPECT_TRUE(Histogram::FromParts({}, 0, 0, 0, 0).value() == Histogram());
}

TEST(AtomicHistogramTest, SnapshotEqualsHistogramFedTheSameSamples) {
  for (int distribution = 0; distribution < 6; ++distribution) {
    const std::vector<uint64_t> values = Samples(distribution, 10'000, 31 + distribution);
    AtomicHistogram atomic;
    Histogram plain;
    for (size_t i = 0; i < values.size(); ++i) {
      atomic.Record(values[i], 1 + i % 3);
      plain.Record(values[i], 1 + i % 3);
    }
    Histogram snapshot = Fed({1, 2, 3});  // Overwritten, not merged into.
    atomic.SnapshotInto(&snapshot);
    EXPECT_TRUE(snapshot == plain) << "distribution " << distribution;
  }
  AtomicHistogram empty;
  Histogram snapshot = Fed({9});
  empty.SnapshotInto(&snapshot);
  EXPECT_TRUE(snapshot == Histogram());
}

TEST(AtomicHistogramTest, ConcurrentSnapshotsAreMonotonicAndConsistent) {
  constexpr uint64_t kSamples = 2'000'000;  // Long enough to hit the fallback path.
  AtomicHistogram atomic;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (uint64_t i = 0; i < kSamples; ++i) atomic.Record(i % 5'000'000 + 1);
    done.store(true, std::memory_order_release);
  });
  Histogram previous;
  int snapshots = 0;
  while (!done.load(std::memory_order_acquire) || snapshots < 5) {
    Histogram s;
    atomic.SnapshotInto(&s);
    uint64_t bucket_total = 0;
    s.ForEachNonEmptyBucket([&](size_t, uint64_t c) { bucket_total += c; });
    ASSERT_EQ(bucket_total, s.count());
    ASSERT_GE(s.count(), previous.count());
    ASSERT_GE(s.sum(), previous.sum());
    for (size_t i = 0; i < Histogram::kNumBuckets; ++i) {
      ASSERT_GE(s.BucketCount(i), previous.BucketCount(i));
    }
    Histogram delta = s;
    delta.Subtract(previous);
    ASSERT_EQ(delta.count(), s.count() - previous.count());
    previous = std::move(s);
    ++snapshots;
  }
  writer.join();
  Histogram final_snapshot;
  atomic.SnapshotInto(&final_snapshot);
  Histogram expected;
  for (uint64_t i = 0; i < kSamples; ++i) expected.Record(i % 5'000'000 + 1);
  EXPECT_TRUE(final_snapshot == expected);
}

}  // namespace
}  // namespace sipfleet::stats
