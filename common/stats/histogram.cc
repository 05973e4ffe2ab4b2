#include "common/stats/histogram.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sipfleet::stats {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcquire = std::memory_order_acquire;
constexpr auto kRelease = std::memory_order_release;

// Single-writer increment: a load and a release store, no locked RMW.
inline void Bump(std::atomic<uint64_t>& cell, uint64_t n) {
  cell.store(cell.load(kRelaxed) + n, kRelease);
}

uint64_t SaturatingSub(uint64_t a, uint64_t b) { return a >= b ? a - b : 0; }

// How many full consistent-copy attempts SnapshotInto makes before it falls
// back to the field-by-field read.
constexpr int kConsistentCopyAttempts = 4;

static_assert(Histogram::BucketIndex(Histogram::kMaxTrackableValue) == Histogram::kNumBuckets - 1);
static_assert(Histogram::BucketUpperBound(Histogram::kNumBuckets - 1) ==
              Histogram::kMaxTrackableValue);
static_assert(Histogram::BucketIndex(255) == 255 && Histogram::BucketIndex(256) == 256);
static_assert(Histogram::BucketLowerBound(Histogram::BucketIndex(1'000'000)) <= 1'000'000);

}  // namespace

absl::StatusOr<Histogram> Histogram::FromParts(
    absl::Span<const std::pair<size_t, uint64_t>> buckets, uint64_t sum,
    absl::uint128 sum_of_squares, uint64_t min, uint64_t max) {
  Histogram h;
  for (const auto& [index, count] : buckets) {
    if (index >= kNumBuckets) {
      return absl::InvalidArgumentError(
          absl::StrCat("histogram bucket index ", index, " out of range [0, ", kNumBuckets, ")"));
    }
    if (count == 0) continue;
    h.EnsureBuckets();
    h.buckets_[index] += count;
    h.count_ += count;
  }
  if (h.count_ == 0) return h;
  if (min > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("histogram min ", min, " is greater than max ", max));
  }
  h.sum_ = sum;
  h.sum_of_squares_ = sum_of_squares;
  h.min_ = min;
  h.max_ = max;
  return h;
}

void Histogram::EnsureBuckets() {
  if (buckets_.empty()) buckets_.assign(kNumBuckets, 0);
}

void Histogram::Record(uint64_t value, uint64_t count) {
  if (count == 0) return;
  EnsureBuckets();
  buckets_[BucketIndex(value)] += count;
  count_ += count;
  sum_ += value * count;
  sum_of_squares_ += absl::uint128(value) * value * count;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  EnsureBuckets();
  for (size_t i = 0; i < kNumBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  sum_of_squares_ += other.sum_of_squares_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::Subtract(const Histogram& other) {
  if (other.count_ == 0 && other.sum_ == 0) return;
  if (buckets_.empty()) {
    Clear();
    return;
  }
  uint64_t remaining = 0;
  size_t first = kNumBuckets;
  size_t last = 0;
  for (size_t i = 0; i < kNumBuckets; ++i) {
    const uint64_t theirs = other.buckets_.empty() ? 0 : other.buckets_[i];
    buckets_[i] = SaturatingSub(buckets_[i], theirs);
    if (buckets_[i] != 0) {
      remaining += buckets_[i];
      first = std::min(first, i);
      last = i;
    }
  }
  if (remaining == 0) {
    Clear();
    return;
  }
  count_ = remaining;
  sum_ = SaturatingSub(sum_, other.sum_);
  sum_of_squares_ =
      sum_of_squares_ >= other.sum_of_squares_ ? sum_of_squares_ - other.sum_of_squares_ : 0;
  // The last bucket also holds clamped values, so it bounds nothing above.
  const uint64_t upper =
      last == kNumBuckets - 1 ? std::numeric_limits<uint64_t>::max() : BucketUpperBound(last);
  min_ = std::max(min_, BucketLowerBound(first));
  max_ = std::min(max_, upper);
  if (min_ > max_) min_ = max_;
}

void Histogram::Clear() {
  buckets_.clear();
  count_ = 0;
  sum_ = 0;
  sum_of_squares_ = 0;
  min_ = std::numeric_limits<uint64_t>::max();
  max_ = 0;
}

uint64_t Histogram::ValueAtPercentile(double percentile) const {
  if (count_ == 0 || buckets_.empty()) return 0;
  if (!(percentile > 0)) percentile = 0;  // Also maps NaN to 0.
  if (percentile > 100) percentile = 100;
  // rank = ceil(p/100 * count), tolerating the rounding error of p/100 so
  // that e.g. p = 99.9 of 1000 samples is rank 999, not 1000.
  const long double exact = static_cast<long double>(percentile) / 100 * count_;
  const long double nearest = std::nearbyint(exact);
  long double rank = std::fabs(exact - nearest) <= 1e-9L * std::max<long double>(1, exact)
                         ? nearest
                         : std::ceil(exact);
  rank = std::clamp<long double>(rank, 1, static_cast<long double>(count_));
  const uint64_t target = static_cast<uint64_t>(rank);
  uint64_t seen = 0;
  for (size_t i = 0; i < kNumBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= target) return BucketUpperBound(i);
  }
  return BucketUpperBound(kNumBuckets - 1);  // Unreachable when consistent.
}

double Histogram::Mean() const {
  if (count_ == 0) return 0;
  return static_cast<double>(sum_) / static_cast<double>(count_);
}

long double Histogram::ScaledVariance() const {
  const absl::uint128 n = count_;
  const absl::uint128 square_of_sum = absl::uint128(sum_) * sum_;
  if (sum_of_squares_ == 0 || n <= absl::Uint128Max() / sum_of_squares_) {
    const absl::uint128 n_sumsq = n * sum_of_squares_;
    // Never negative for consistent data (Cauchy-Schwarz); guard anyway.
    if (n_sumsq <= square_of_sum) return 0;
    return static_cast<long double>(n_sumsq - square_of_sum);
  }
  const long double value =
      static_cast<long double>(n) * static_cast<long double>(sum_of_squares_) -
      static_cast<long double>(square_of_sum);
  return value > 0 ? value : 0;
}

double Histogram::StdDev() const {
  if (count_ < 2) return 0;
  const long double n = count_;
  return static_cast<double>(std::sqrt(ScaledVariance() / (n * (n - 1))));
}

double Histogram::PopulationStdDev() const {
  if (count_ == 0) return 0;
  const long double n = count_;
  return static_cast<double>(std::sqrt(ScaledVariance() / (n * n)));
}

void Histogram::ForEachNonEmptyBucket(absl::FunctionRef<void(size_t, uint64_t)> fn) const {
  if (buckets_.empty()) return;
  for (size_t i = 0; i < kNumBuckets; ++i) {
    if (buckets_[i] != 0) fn(i, buckets_[i]);
  }
}

uint64_t Histogram::BucketCount(size_t index) const {
  return index < buckets_.size() ? buckets_[index] : 0;
}

bool operator==(const Histogram& a, const Histogram& b) {
  if (a.count_ != b.count_ || a.sum_ != b.sum_ || a.sum_of_squares_ != b.sum_of_squares_ ||
      a.min() != b.min() || a.max() != b.max()) {
    return false;
  }
  if (a.buckets_.empty() || b.buckets_.empty()) {
    const std::vector<uint64_t>& other = a.buckets_.empty() ? b.buckets_ : a.buckets_;
    return std::all_of(other.begin(), other.end(), [](uint64_t c) { return c == 0; });
  }
  return a.buckets_ == b.buckets_;
}

AtomicHistogram::AtomicHistogram() {
  for (std::atomic<uint64_t>& bucket : buckets_) bucket.store(0, kRelaxed);
}

void AtomicHistogram::Record(uint64_t value, uint64_t count) {
  if (count == 0) return;
  // Sequence-lock writer side: the sequence is odd while the fields change.
  // The field stores are release stores, so a reader that sees any of them
  // also sees the odd sequence (no fences: ThreadSanitizer cannot model
  // them, and on x86 release stores and acquire loads are plain moves).
  const uint64_t seq = seq_.load(kRelaxed);
  seq_.store(seq + 1, kRelaxed);
  Bump(buckets_[Histogram::BucketIndex(value)], count);
  Bump(count_, count);
  Bump(sum_, value * count);
  const absl::uint128 sum_of_squares =
      absl::MakeUint128(sum_of_squares_high_.load(kRelaxed), sum_of_squares_low_.load(kRelaxed)) +
      absl::uint128(value) * value * count;
  sum_of_squares_low_.store(absl::Uint128Low64(sum_of_squares), kRelease);
  sum_of_squares_high_.store(absl::Uint128High64(sum_of_squares), kRelease);
  if (value < min_.load(kRelaxed)) min_.store(value, kRelease);
  if (value > max_.load(kRelaxed)) max_.store(value, kRelease);
  seq_.store(seq + 2, kRelease);
}

AtomicHistogram::Scalars AtomicHistogram::LoadScalars() const {
  Scalars s;
  s.count = count_.load(kAcquire);
  s.sum = sum_.load(kAcquire);
  s.sum_of_squares =
      absl::MakeUint128(sum_of_squares_high_.load(kAcquire), sum_of_squares_low_.load(kAcquire));
  s.min = min_.load(kAcquire);
  s.max = max_.load(kAcquire);
  return s;
}

bool AtomicHistogram::TryConsistentCopy(Histogram* out) const {
  const uint64_t before = seq_.load(kAcquire);
  if (before & 1) return false;
  const Scalars s = LoadScalars();
  out->count_ = s.count;
  out->sum_ = s.sum;
  out->sum_of_squares_ = s.sum_of_squares;
  out->min_ = s.min;
  out->max_ = s.max;
  if (s.count != 0) {
    out->EnsureBuckets();
    for (size_t i = 0; i < Histogram::kNumBuckets; ++i) {
      out->buckets_[i] = buckets_[i].load(kAcquire);
    }
  }
  // Ordered after the acquire loads above.
  return seq_.load(kRelaxed) == before;
}

void AtomicHistogram::SnapshotInto(Histogram* out) const {
  for (int attempt = 0; attempt < kConsistentCopyAttempts; ++attempt) {
    if (TryConsistentCopy(out)) {
      if (out->count_ == 0) out->Clear();
      return;
    }
  }
  // The writer is busy: take the scalars as one consistent group (a short
  // window, retried until it succeeds), then the buckets, and define the
  // count by the buckets so that the percentiles stay consistent.
  Scalars s;
  for (;;) {
    const uint64_t before = seq_.load(kAcquire);
    if (before & 1) continue;
    s = LoadScalars();
    if (seq_.load(kRelaxed) == before) break;
  }
  out->EnsureBuckets();
  uint64_t count = 0;
  size_t first = Histogram::kNumBuckets;
  size_t last = 0;
  for (size_t i = 0; i < Histogram::kNumBuckets; ++i) {
    out->buckets_[i] = buckets_[i].load(kAcquire);
    if (out->buckets_[i] != 0) {
      count += out->buckets_[i];
      first = std::min(first, i);
      last = i;
    }
  }
  if (count == 0) {
    out->Clear();
    return;
  }
  out->count_ = count;
  out->sum_ = s.sum;
  out->sum_of_squares_ = s.sum_of_squares;
  if (s.min <= s.max) {
    out->min_ = s.min;
    out->max_ = s.max;
  } else {
    // The first sample is in its bucket but min/max have not seen it yet.
    out->min_ = Histogram::BucketLowerBound(first);
    out->max_ = Histogram::BucketUpperBound(last);
  }
}

}  // namespace sipfleet::stats
