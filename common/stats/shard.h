#ifndef SIPFLEET_COMMON_STATS_SHARD_H_
#define SIPFLEET_COMMON_STATS_SHARD_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "common/stats/counters.h"
#include "common/stats/histogram.h"

namespace sipfleet::stats {

// What a scenario needs counted, fixed before the run starts.
struct ShardLayout {
  // Response-time-duration names in SIPp's numbering order (order of first
  // mention in the scenario; rtd="true" is named "1"). The CSV columns are
  // "ResponseTime<name>(P)" etc.
  std::vector<std::string> rtd_names;
  // Repartition boundaries in ms (SIPp's <ResponseTimeRepartition> and
  // <CallLengthRepartition>, one list shared by all RTDs). Any order: they
  // are sorted ascending, as SIPp does. Empty means no repartition at all
  // (SIPp then writes no repartition columns).
  std::vector<int> response_time_repartition_ms;
  std::vector<int> call_length_repartition_ms;
  // counter="…" names in order of first mention.
  std::vector<std::string> user_counter_names;
  // Number of scenario elements, for the per-message counters.
  size_t message_count = 0;
};

// Per-message counters: the columns of SIPp's scenario screen (screen 1).
enum class MessageCounter : uint8_t {
  kSent,
  kReceived,
  kRetransmission,
  kTimeout,
  kUnexpected,
  kCount,
};

inline constexpr size_t kNumMessageCounters = static_cast<size_t>(MessageCounter::kCount);

// The repartition bucket SIPp puts a sample of `millis` in, given ascending
// `boundaries`: the first i with millis < boundaries[i], else
// boundaries.size() (the ">=last" bucket). So a value equal to a boundary
// goes to the next bucket up, as in SIPp's CStat::updateRepartition.
size_t RepartitionBucket(absl::Span<const int> boundaries, uint64_t millis);

// A plain copy of a shard's (or of many merged shards') statistics at one
// moment. All values are monotonic totals since the shard started, except
// in the result of Delta(). Times are microseconds.
struct Snapshot {
  std::array<uint64_t, kNumCounters> counters{};
  // Indexed by RTD, as ShardLayout::rtd_names.
  std::vector<Histogram> response_times;
  // [rtd][bucket]: bucket i < boundaries counts samples "< boundary i" (and
  // >= boundary i-1); the last bucket counts ">= last boundary". Counted in
  // ms at record time, exactly as SIPp does. Empty inner vectors when the
  // layout has no response time repartition.
  std::vector<std::vector<uint64_t>> response_time_repartition;
  Histogram call_length;
  std::vector<uint64_t> call_length_repartition;  // Same bucket rule.
  std::vector<uint64_t> user_counters;            // As ShardLayout::user_counter_names.
  // [message index][MessageCounter].
  std::vector<std::array<uint64_t, kNumMessageCounters>> messages;

  uint64_t Get(Counter counter) const { return counters[static_cast<size_t>(counter)]; }
  // RTD `rtd`'s histogram; an empty one if `rtd` is out of range (a
  // snapshot taken before the layout was known).
  const Histogram& ResponseTime(size_t rtd) const;
  // 0 if `message_index` is out of range.
  uint64_t Get(size_t message_index, MessageCounter which) const;
  // SIPp's TotalCallCreated: incoming + outgoing calls.
  uint64_t TotalCallsCreated() const;
  // SIPp's CurrentCall: calls created and not yet ended (0 if that would be
  // negative). Meaningful for cumulative snapshots only.
  uint64_t CurrentCalls() const;

  friend bool operator==(const Snapshot& a, const Snapshot& b) = default;
};

// An all-zero snapshot shaped for `layout`.
Snapshot EmptySnapshot(const ShardLayout& layout);

// Adds `from` into `*into` (counters, buckets and histograms sum exactly).
// Shapes normally match; where `from` has more RTDs, buckets, counters or
// messages than `*into`, `*into` grows to hold them, so merging into a
// default-constructed Snapshot works.
void Merge(Snapshot* into, const Snapshot& from);

// `now` minus `before`, field by field, for SIPp's periodic (P) columns.
// Precondition: `before` is an earlier snapshot of the same shard(s); fields
// missing from `before` count as zero, and any that are larger than in `now`
// saturate at zero. Histogram min/max are bucket-resolution bounds (see
// Histogram::Subtract).
Snapshot Delta(const Snapshot& now, const Snapshot& before);

// One worker thread's statistics. The owning worker is the single writer:
// every Increment/Record* call must come from that one thread (relaxed
// atomic load + store, no locks, no read-modify-write). Any thread may call
// TakeSnapshot() at any time. Each field of a snapshot is individually
// up to date; the snapshot is not an atomic cut across fields (a call may be
// counted as successful before its call length is recorded), but it is
// exact once the writer is idle. Neither copyable nor movable.
//
// Index arguments out of range (RTD, user counter, message) are a
// programming error: they assert in debug builds and are ignored otherwise.
class Shard {
 public:
  explicit Shard(ShardLayout layout);
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // The layout, with repartition boundaries sorted ascending.
  const ShardLayout& layout() const { return layout_; }

  void Increment(Counter counter, uint64_t n = 1);
  // One response time sample for RTD `rtd_index`: into its histogram and,
  // as whole milliseconds (micros / 1000), into its repartition.
  void RecordResponseTime(size_t rtd_index, uint64_t micros);
  // One call length sample, likewise.
  void RecordCallLength(uint64_t micros);
  void IncrementUserCounter(size_t index, uint64_t n = 1);
  void IncrementMessage(size_t message_index, MessageCounter which, uint64_t n = 1);

  // One counter's current value, readable from any thread (no snapshot).
  uint64_t Get(Counter counter) const {
    return counters_[static_cast<size_t>(counter)].load(std::memory_order_relaxed);
  }

  Snapshot TakeSnapshot() const;

 private:
  using Cells = std::unique_ptr<std::atomic<uint64_t>[]>;

  ShardLayout layout_;
  std::array<std::atomic<uint64_t>, kNumCounters> counters_;
  std::vector<std::unique_ptr<AtomicHistogram>> response_times_;
  Cells response_time_repartition_;  // rtd * (boundaries + 1) cells.
  size_t response_time_buckets_;     // boundaries + 1, or 0 with no boundaries.
  std::unique_ptr<AtomicHistogram> call_length_;
  Cells call_length_repartition_;
  size_t call_length_buckets_;
  Cells user_counters_;
  Cells messages_;  // message_count * kNumMessageCounters cells.
};

}  // namespace sipfleet::stats

#endif  // SIPFLEET_COMMON_STATS_SHARD_H_
