#include "common/results/figures.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace sipfleet::results {
namespace {

using stats::Counter;

// Indexed by Counter; one name per counter, in counters.h order.
constexpr std::array<std::string_view, stats::kNumCounters> kCounterMetricNames = {
    "incoming_calls",
    "outgoing_calls",
    "successful_calls",
    "failed_calls",
    "failed_cannot_send_message",
    "failed_max_udp_retrans",
    "failed_tcp_connect",
    "failed_tcp_closed",
    "failed_unexpected_message",
    "failed_call_rejected",
    "failed_cmd_not_sent",
    "failed_regexp_doesnt_match",
    "failed_regexp_shouldnt_match",
    "failed_regexp_hdr_not_found",
    "failed_outbound_congestion",
    "failed_timeout_on_recv",
    "failed_timeout_on_send",
    "failed_test_doesnt_match",
    "failed_test_shouldnt_match",
    "failed_strcmp_doesnt_match",
    "failed_strcmp_shouldnt_match",
    "out_of_call_msgs",
    "dead_call_msgs",
    "retransmissions",
    "auto_answered",
    "warnings",
    "fatal_errors",
    "watchdog_major",
    "watchdog_minor",
    "malformed_messages",
    "oversized_datagrams",
    "connect_failures",
    "connection_resets",
    "tls_handshake_failures",
    "tls_verify_failures",
    "framing_errors",
    "stream_read_timeouts",
    "calls_ended",
    "trace_drops",
    "late_calls",
};
// A counter added to counters.h without a name here would shift every name
// after it onto the wrong counter.
static_assert(std::none_of(kCounterMetricNames.begin(), kCounterMetricNames.end(),
                           [](std::string_view name) { return name.empty(); }),
              "every stats::Counter needs a metric name, in counters.h order");

}  // namespace

double PercentileMs(const stats::Histogram& histogram, double percentile) {
  // The bucket's highest value, but never above the largest sample.
  return static_cast<double>(std::min(histogram.ValueAtPercentile(percentile), histogram.max())) /
         1000.0;
}

DistributionFigures Describe(const stats::Histogram& histogram) {
  DistributionFigures figures;
  figures.count = histogram.count();
  figures.min_ms = static_cast<double>(histogram.min()) / 1000.0;
  figures.mean_ms = histogram.Mean() / 1000.0;
  figures.stddev_ms = histogram.StdDev() / 1000.0;
  figures.max_ms = static_cast<double>(histogram.max()) / 1000.0;
  figures.p50_ms = PercentileMs(histogram, 50);
  figures.p90_ms = PercentileMs(histogram, 90);
  figures.p95_ms = PercentileMs(histogram, 95);
  figures.p99_ms = PercentileMs(histogram, 99);
  figures.p999_ms = PercentileMs(histogram, 99.9);
  return figures;
}

std::string_view CounterMetricName(Counter counter) {
  size_t index = static_cast<size_t>(counter);
  return index < kCounterMetricNames.size() ? kCounterMetricNames[index] : std::string_view();
}

std::optional<Counter> CounterFromMetricName(std::string_view name) {
  for (size_t i = 0; i < kCounterMetricNames.size(); ++i) {
    if (kCounterMetricNames[i] == name) return static_cast<Counter>(i);
  }
  return std::nullopt;
}

bool IsTransportErrorCounter(Counter counter) {
  return counter >= Counter::kOversizedDatagrams && counter <= Counter::kStreamReadTimeouts;
}

double AchievedCallsPerSecond(const RunFigures& figures) {
  if (figures.total == nullptr || figures.elapsed_s <= 0) return 0;
  return static_cast<double>(figures.total->TotalCallsCreated()) / figures.elapsed_s;
}

}  // namespace sipfleet::results
