#ifndef SIPFLEET_COMMON_METRICS_EXPOSITION_H_
#define SIPFLEET_COMMON_METRICS_EXPOSITION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/results/run_view.h"

namespace sipfleet::metrics {

// Prometheus text exposition format 0.0.4 of the run's figures: counters
// (sipfleet_calls_total{result}, sipfleet_calls_created_total{direction},
// sipfleet_failed_calls_total{reason}, sipfleet_retransmissions_total,
// sipfleet_transport_errors_total{kind}, sipfleet_events_total{event},
// sipfleet_messages_total{index,message,kind}, sipfleet_user_counter_total{counter}),
// gauges (sipfleet_current_calls, sipfleet_target_calls_per_second,
// sipfleet_achieved_calls_per_second) and histograms
// (sipfleet_response_time_seconds{rtd}, sipfleet_call_length_seconds) whose
// buckets are sums of the engine's own histogram buckets
// (HistogramBoundsMicros), so histogram_quantile() lands in the same
// bucket as our own percentiles. Each family is written once: the merged
// series without an agent label, then each agent's with `agent`. Per
// message counters use view.message_names. Pure function.
std::string RenderExposition(const results::RunView& view);

// The `le` bounds of the exported histograms, in µs: each is the inclusive
// upper bound of one engine histogram bucket (stats::Histogram), so a
// cumulative bucket count is exact. 0, 1, 3, 7, ... 255 µs, then four per
// power of two (x1.25, x1.5, x1.75, x2) up to about 19 hours; +Inf follows.
const std::vector<uint64_t>& HistogramBoundsMicros();

// `histogram`'s samples per exported bucket: counts[i] for the bucket whose
// upper bound is HistogramBoundsMicros()[i] (not cumulative), then one more
// for the samples above the last bound.
std::vector<uint64_t> ExportedBucketCounts(const stats::Histogram& histogram);

// `micros` as exact decimal seconds: 319 -> "0.000319", 2500000 -> "2.5".
std::string MicrosAsSeconds(uint64_t micros);

}  // namespace sipfleet::metrics

#endif  // SIPFLEET_COMMON_METRICS_EXPOSITION_H_
