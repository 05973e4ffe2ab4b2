#ifndef SIPFLEET_COMMON_RESULTS_FIGURES_H_
#define SIPFLEET_COMMON_RESULTS_FIGURES_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/stats/counters.h"
#include "common/stats/histogram.h"
#include "common/stats/shard.h"

namespace sipfleet::results {

// What every figure of a run's results (summary, thresholds, /metrics,
// report) is computed from: the merged cumulative snapshot the stat CSV
// writes, plus the run's times. Borrowed pointers; both must outlive use.
struct RunFigures {
  const stats::Snapshot* total = nullptr;
  const stats::ShardLayout* layout = nullptr;
  // Seconds since the run started (the calls/s denominator).
  double elapsed_s = 0;
  // The rate asked for now, in calls per second (0 under -users).
  double target_calls_per_s = 0;
};

// The percentiles every summary and report shows, in this order.
inline constexpr double kSummaryPercentiles[] = {50, 90, 95, 99, 99.9};

// A latency histogram (µs) described in milliseconds. Percentiles are
// Histogram::ValueAtPercentile of the merged histogram (never averaged),
// capped at the largest sample.
struct DistributionFigures {
  uint64_t count = 0;
  double min_ms = 0;
  double mean_ms = 0;
  double stddev_ms = 0;
  double max_ms = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
};
DistributionFigures Describe(const stats::Histogram& histogram);

// The value of percentile `percentile` (0-100) of `histogram` in ms:
// ValueAtPercentile (the highest value of the bucket holding that rank),
// capped at max().
double PercentileMs(const stats::Histogram& histogram, double percentile);

// The results' name of a counter, the same in thresholds, JSON keys of the
// summary's per-name maps and /metrics: "successful_calls", "failed_calls",
// "failed_max_udp_retrans", "retransmissions", "malformed_messages", ...
// "" for kCount.
std::string_view CounterMetricName(stats::Counter counter);
// The counter named `name` (as above), if any.
std::optional<stats::Counter> CounterFromMetricName(std::string_view name);

// True for our transport error counters (no SIPp CSV column): oversized
// datagrams, connect failures, resets, TLS failures, framing errors, stream
// read timeouts (sipfleet prints them after its summary line).
bool IsTransportErrorCounter(stats::Counter counter);

// Calls created per second over the whole run (0 before any time passed).
double AchievedCallsPerSecond(const RunFigures& figures);

}  // namespace sipfleet::results

#endif  // SIPFLEET_COMMON_RESULTS_FIGURES_H_
