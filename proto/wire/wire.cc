#include "proto/wire/wire.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::wire {
namespace {

template <typename Repeated>
std::vector<uint64_t> ToVector(const Repeated& values) {
  return std::vector<uint64_t>(values.begin(), values.end());
}

}  // namespace

void HistogramToProto(const stats::Histogram& histogram, v1::HistogramDelta* out) {
  histogram.ForEachNonEmptyBucket([out](size_t index, uint64_t count) {
    out->add_bucket_index(static_cast<uint32_t>(index));
    out->add_bucket_count(count);
  });
  out->set_sum(histogram.sum());
  out->set_sum_of_squares_high(absl::Uint128High64(histogram.sum_of_squares()));
  out->set_sum_of_squares_low(absl::Uint128Low64(histogram.sum_of_squares()));
  out->set_cumulative_min(histogram.min());
  out->set_cumulative_max(histogram.max());
}

absl::StatusOr<stats::Histogram> HistogramFromProto(const v1::HistogramDelta& in) {
  if (in.bucket_index_size() != in.bucket_count_size()) {
    return absl::InvalidArgumentError("histogram: bucket_index and bucket_count differ in length");
  }
  if (in.bucket_index_size() == 0) return stats::Histogram();
  std::vector<std::pair<size_t, uint64_t>> buckets;
  buckets.reserve(in.bucket_index_size());
  for (int i = 0; i < in.bucket_index_size(); ++i) {
    buckets.emplace_back(in.bucket_index(i), in.bucket_count(i));
  }
  return stats::Histogram::FromParts(
      buckets, in.sum(), absl::MakeUint128(in.sum_of_squares_high(), in.sum_of_squares_low()),
      in.cumulative_min(), in.cumulative_max());
}

void ToProto(const cluster::StatsReport& report, v1::StatsReport* out) {
  const stats::Snapshot& delta = report.delta;
  out->set_sequence(report.sequence);
  out->set_final(report.final);
  out->set_open_calls(report.open_calls);
  for (uint64_t value : delta.counters) out->add_counters(value);
  for (const stats::Histogram& histogram : delta.response_times) {
    HistogramToProto(histogram, out->add_response_times());
  }
  for (const std::vector<uint64_t>& buckets : delta.response_time_repartition) {
    v1::Repartition* repartition = out->add_response_time_repartition();
    for (uint64_t value : buckets) repartition->add_bucket(value);
  }
  HistogramToProto(delta.call_length, out->mutable_call_length());
  for (uint64_t value : delta.call_length_repartition) out->add_call_length_repartition(value);
  for (uint64_t value : delta.user_counters) out->add_user_counters(value);
  for (const auto& message : delta.messages) {
    v1::MessageCounters* counters = out->add_messages();
    for (uint64_t value : message) counters->add_value(value);
  }
}

absl::StatusOr<cluster::StatsReport> FromProto(const v1::StatsReport& in) {
  cluster::StatsReport report;
  report.sequence = in.sequence();
  report.final = in.final();
  report.open_calls = in.open_calls();
  stats::Snapshot& delta = report.delta;
  // A newer agent may know more counters; the ones we do not know are dropped.
  for (int i = 0; i < in.counters_size() && i < static_cast<int>(stats::kNumCounters); ++i) {
    delta.counters[i] = in.counters(i);
  }
  for (const v1::HistogramDelta& histogram : in.response_times()) {
    absl::StatusOr<stats::Histogram> parsed = HistogramFromProto(histogram);
    if (!parsed.ok()) return parsed.status();
    delta.response_times.push_back(*std::move(parsed));
  }
  for (const v1::Repartition& repartition : in.response_time_repartition()) {
    delta.response_time_repartition.push_back(ToVector(repartition.bucket()));
  }
  absl::StatusOr<stats::Histogram> call_length = HistogramFromProto(in.call_length());
  if (!call_length.ok()) return call_length.status();
  delta.call_length = *std::move(call_length);
  delta.call_length_repartition = ToVector(in.call_length_repartition());
  delta.user_counters = ToVector(in.user_counters());
  for (const v1::MessageCounters& message : in.messages()) {
    if (message.value_size() > static_cast<int>(stats::kNumMessageCounters)) {
      return absl::InvalidArgumentError(
          base::Cat("statistics report: ", message.value_size(), " message counters"));
    }
    std::array<uint64_t, stats::kNumMessageCounters> values{};
    for (int i = 0; i < message.value_size(); ++i) values[i] = message.value(i);
    delta.messages.push_back(values);
  }
  return report;
}

}  // namespace sipfleet::wire
