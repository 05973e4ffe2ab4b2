#ifndef SIPFLEET_COMMON_RESULTS_TIMELINE_H_
#define SIPFLEET_COMMON_RESULTS_TIMELINE_H_

#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "common/stats/shard.h"

namespace sipfleet::results {

// Percentiles of one RTD over one period, in ms (0 without samples).
struct RtdPoint {
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
};

// One period of a run (normally -f long): what the report's and live
// page's plots show. Counts are the period's (stats::Delta of two
// cumulative snapshots), current_calls is at the period's end.
struct Period {
  double end_s = 0;  // seconds since the run started
  double target_calls_per_s = 0;
  double achieved_calls_per_s = 0;
  uint64_t current_calls = 0;
  uint64_t successful_calls = 0;
  uint64_t failed_calls = 0;
  uint64_t retransmissions = 0;
  std::vector<RtdPoint> rtds;  // as the layout's rtd_names
};

// The run's periods, built from the same cumulative snapshots as the stat
// CSV. Append-only: one thread adds (the supervising thread) while others
// (HTTP threads) read the periods published so far, so a published view
// shares the timeline instead of copying it every period, and the live page
// asks only for the periods it has not seen.
class Timeline {
 public:
  // `start_us`: the run's start on the monotonic clock.
  Timeline(const stats::ShardLayout& layout, int64_t start_us);

  // Closes the period that ends at `now_us` with the cumulative `total`.
  // A call with now_us at or before the last period's end adds nothing.
  // Only one thread adds.
  void Add(const stats::Snapshot& total, int64_t now_us, double target_calls_per_s,
           uint64_t current_calls);

  // The number of periods so far.
  size_t size() const;
  // A copy of periods [from, to) (clamped to size()).
  std::vector<Period> Periods(size_t from, size_t to) const;

 private:
  int64_t start_us_;
  int64_t previous_us_;
  stats::Snapshot previous_;
  mutable std::mutex mutex_;  // guards periods_ (readers vs the adding thread)
  std::deque<Period> periods_;  // a deque: appending never moves the periods
};

}  // namespace sipfleet::results

#endif  // SIPFLEET_COMMON_RESULTS_TIMELINE_H_
