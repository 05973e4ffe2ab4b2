#ifndef SIPFLEET_COMMON_STATS_HISTOGRAM_H_
#define SIPFLEET_COMMON_STATS_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace sipfleet::stats {

// A log-linear (HdrHistogram-style) histogram of non-negative integer values,
// in sipfleet always microseconds. There is exactly one bucket layout, so any
// two histograms can be merged and merging is exact: the histogram of N merged
// shards equals, bit for bit, the one a single process fed every sample.
//
// Layout: values 0..255 each have their own bucket (exact); above that every
// power-of-two range [2^k, 2^(k+1)), 8 <= k <= 40, is split into 128 equal
// sub-buckets, so a bucket is never wider than 1/128 of its lower bound
// (relative error < 0.8%). Values above kMaxTrackableValue (2^41 - 1 µs,
// about 25 days) are counted in the last bucket. count/sum/sum of squares/min/
// max are kept exactly from the recorded values themselves, not from buckets.
//
// A plain value type; not thread-safe. The bucket array (kNumBuckets uint64s,
// 35 KiB) is allocated on the first Record/Merge, so empty histograms are small.
class Histogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr size_t kSubBucketCount = size_t{1} << kSubBucketBits;
  // The highest power-of-two range that has its own sub-buckets starts here.
  static constexpr int kMaxExponent = 40;
  static constexpr size_t kNumBuckets = kSubBucketCount * (kMaxExponent - kSubBucketBits + 2);
  static constexpr uint64_t kMaxTrackableValue = (uint64_t{1} << (kMaxExponent + 1)) - 1;

  // The bucket that counts `value`; values above kMaxTrackableValue map to
  // the last bucket (kNumBuckets - 1).
  static constexpr size_t BucketIndex(uint64_t value) {
    if (value > kMaxTrackableValue) return kNumBuckets - 1;
    if (value < kSubBucketCount) return static_cast<size_t>(value);
    const int exponent = std::bit_width(value) - 1;  // >= kSubBucketBits
    const int shift = exponent - kSubBucketBits;
    return static_cast<size_t>(shift + 1) * kSubBucketCount +
           static_cast<size_t>((value >> shift) - kSubBucketCount);
  }

  // The lowest value counted in bucket `index` (< kNumBuckets).
  static constexpr uint64_t BucketLowerBound(size_t index) {
    const size_t range = index >> kSubBucketBits;
    if (range == 0) return index;
    return (kSubBucketCount + (index & (kSubBucketCount - 1))) << (range - 1);
  }

  // The highest value equivalent to bucket `index` (< kNumBuckets): the last
  // value the bucket's range covers. For the last bucket that is
  // kMaxTrackableValue even though larger values are clamped into it.
  static constexpr uint64_t BucketUpperBound(size_t index) {
    const size_t range = index >> kSubBucketBits;
    if (range == 0) return index;
    return BucketLowerBound(index) + (uint64_t{1} << (range - 1)) - 1;
  }

  // An empty histogram.
  Histogram() = default;

  // Rebuilds a histogram from its sparse parts, e.g. as shipped between
  // processes: `buckets` are (index, count) pairs in any order (repeated
  // indices add up), plus the exact scalars. Errors: InvalidArgument if an
  // index is out of range, or the buckets are non-empty but min > max.
  static absl::StatusOr<Histogram> FromParts(absl::Span<const std::pair<size_t, uint64_t>> buckets,
                                             uint64_t sum, absl::uint128 sum_of_squares,
                                             uint64_t min, uint64_t max);

  // Adds `count` samples of `value`. Contract: the exact sum stays below
  // 2^64 and the sum of squares below 2^128 (true for any realistic µs data).
  void Record(uint64_t value, uint64_t count = 1);

  // Adds every sample of `other` (exact; order of merges does not matter).
  void Merge(const Histogram& other);

  // Removes the samples of `other`, for periodic deltas. Precondition:
  // `other` is an earlier state of this same stream of samples (every bucket
  // and scalar of `other` <= this one's); violating fields saturate at 0.
  // Buckets, count, sum and sum of squares of the result are exact; min() and
  // max() become bucket-resolution bounds of the remaining samples (the
  // removed samples' extremes are unknown), clamped by the old min/max.
  void Subtract(const Histogram& other);

  // Back to the empty state.
  void Clear();

  uint64_t count() const { return count_; }
  // Exact sum of the recorded values.
  uint64_t sum() const { return sum_; }
  // Exact sum of the squares of the recorded values.
  absl::uint128 sum_of_squares() const { return sum_of_squares_; }
  // Smallest / largest recorded value; 0 when empty.
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return count_ == 0 ? 0 : max_; }

  // HdrHistogram semantics: finds the lowest bucket such that at least
  // `percentile`% of the samples are in it or below (the rank is
  // ceil(percentile/100 * count), at least 1) and returns that bucket's
  // BucketUpperBound(), i.e. the highest value equivalent to it. Exact for
  // values < 256; otherwise at most 1/128 above the true sample value.
  // `percentile` is clamped to [0, 100]; 0 gives the first non-empty bucket.
  // Returns 0 when empty.
  uint64_t ValueAtPercentile(double percentile) const;

  // Mean of the recorded values; 0 when empty.
  double Mean() const;
  // Sample standard deviation (divides by n - 1), the formula SIPp uses;
  // exact from the sum and the sum of squares. 0 when count() < 2.
  double StdDev() const;
  // Population standard deviation (divides by n); 0 when empty.
  double PopulationStdDev() const;

  // Calls `fn(bucket_index, count)` for each bucket with count > 0, in
  // increasing index order.
  void ForEachNonEmptyBucket(absl::FunctionRef<void(size_t, uint64_t)> fn) const;
  // The count in bucket `index`; 0 if out of range.
  uint64_t BucketCount(size_t index) const;

  friend bool operator==(const Histogram& a, const Histogram& b);

 private:
  friend class AtomicHistogram;

  void EnsureBuckets();
  // n * sum_of_squares - sum^2, i.e. n^2 times the population variance.
  long double ScaledVariance() const;

  std::vector<uint64_t> buckets_;  // Empty (all zero) or kNumBuckets long.
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  absl::uint128 sum_of_squares_ = 0;
  uint64_t min_ = std::numeric_limits<uint64_t>::max();
  uint64_t max_ = 0;
};

// The same bucket layout with atomic storage, for a stats shard: written by
// ONE thread (the worker that owns it) with plain load + store (no locked
// read-modify-write), and read at any time by other threads through
// SnapshotInto(). A quiescent snapshot is exactly the Histogram that was fed
// the same samples. Neither copyable nor movable.
class AtomicHistogram {
 public:
  AtomicHistogram();
  AtomicHistogram(const AtomicHistogram&) = delete;
  AtomicHistogram& operator=(const AtomicHistogram&) = delete;

  // Adds `count` samples of `value`. Only the owning writer thread may call
  // it; same contract as Histogram::Record.
  void Record(uint64_t value, uint64_t count = 1);

  // Overwrites `*out` with the current contents. Safe from any thread,
  // concurrently with Record. Normally a consistent cut (a sequence lock
  // around each Record); if the writer keeps interrupting the copy, falls
  // back to reading buckets and scalars separately, in which case count()
  // equals the sum of the buckets and sum/sum of squares/min/max may lag them
  // by the samples recorded during the copy. Every field of successive
  // snapshots is monotonic either way, so Histogram::Subtract of an earlier
  // snapshot is always valid.
  void SnapshotInto(Histogram* out) const;

 private:
  struct Scalars {
    uint64_t count;
    uint64_t sum;
    absl::uint128 sum_of_squares;
    uint64_t min;
    uint64_t max;
  };
  Scalars LoadScalars() const;
  // Tries one consistent copy; false if a Record overlapped it.
  bool TryConsistentCopy(Histogram* out) const;

  std::atomic<uint64_t> seq_{0};  // Odd while a Record is in progress.
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> sum_of_squares_low_{0};
  std::atomic<uint64_t> sum_of_squares_high_{0};
  std::atomic<uint64_t> min_{std::numeric_limits<uint64_t>::max()};
  std::atomic<uint64_t> max_{0};
  std::array<std::atomic<uint64_t>, Histogram::kNumBuckets> buckets_;
};

}  // namespace sipfleet::stats

#endif  // SIPFLEET_COMMON_STATS_HISTOGRAM_H_
