#include "proto/results/summary.h"

#include <algorithm>
#include <fstream>

#include "absl/time/time.h"
#include "common/base/strings.h"
#include "common/metrics/exposition.h"
#include "google/protobuf/util/json_util.h"

namespace sipfleet::summary {
namespace {

using stats::Counter;

std::string Rfc3339(int64_t wall_us) {
  if (wall_us == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(wall_us),
                          absl::UTCTimeZone());
}

// The coarse view of `histogram` for plots: the exported /metrics bounds,
// non-empty buckets only.
void FillBuckets(const stats::Histogram& histogram, v1::Distribution* out) {
  const std::vector<uint64_t>& bounds = metrics::HistogramBoundsMicros();
  const std::vector<uint64_t> counts = metrics::ExportedBucketCounts(histogram);
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    v1::Bucket* bucket = out->add_buckets();
    bucket->set_le_ms(i < bounds.size() ? static_cast<double>(bounds[i]) / 1000.0
                                        : static_cast<double>(histogram.max()) / 1000.0);
    bucket->set_count(counts[i]);
  }
}

void FillDistribution(std::string_view name, const stats::Histogram& histogram,
                      v1::Distribution* out) {
  results::DistributionFigures figures = results::Describe(histogram);
  out->set_name(std::string(name));
  out->set_count(figures.count);
  out->set_min_ms(figures.min_ms);
  out->set_mean_ms(figures.mean_ms);
  out->set_stddev_ms(figures.stddev_ms);
  out->set_p50_ms(figures.p50_ms);
  out->set_p90_ms(figures.p90_ms);
  out->set_p95_ms(figures.p95_ms);
  out->set_p99_ms(figures.p99_ms);
  out->set_p999_ms(figures.p999_ms);
  out->set_max_ms(figures.max_ms);
  FillBuckets(histogram, out);
}

void FillMessages(const results::RunView& view, const stats::Snapshot& total, v1::Stats* out) {
  using stats::MessageCounter;
  for (size_t i = 0; i < view.message_names.size(); ++i) {
    if (view.message_names[i].empty()) continue;
    v1::MessageStats* message = out->add_messages();
    message->set_index(static_cast<int32_t>(i));
    message->set_name(view.message_names[i]);
    message->set_sent(total.Get(i, MessageCounter::kSent));
    message->set_received(total.Get(i, MessageCounter::kReceived));
    message->set_retransmissions(total.Get(i, MessageCounter::kRetransmission));
    message->set_timeouts(total.Get(i, MessageCounter::kTimeout));
    message->set_unexpected(total.Get(i, MessageCounter::kUnexpected));
  }
}

void FillStats(const results::RunView& view, const results::SourceSnapshot& source,
               v1::Stats* out) {
  const stats::Snapshot& total = source.total;
  for (size_t i = 0; i < stats::kNumCounters; ++i) {
    auto counter = static_cast<Counter>(i);
    (*out->mutable_counters())[std::string(stats::CounterName(counter))] = total.Get(counter);
    if (results::IsTransportErrorCounter(counter)) {
      (*out->mutable_transport_errors())[std::string(results::CounterMetricName(counter))] =
          total.Get(counter);
    }
  }
  out->set_total_calls_created(total.TotalCallsCreated());
  out->set_current_calls(source.current_calls);
  out->set_target_calls_per_s(source.target_calls_per_s);
  out->set_achieved_calls_per_s(results::AchievedCallsPerSecond(view.FiguresOf(source)));
  const stats::ShardLayout& layout = *view.layout;
  for (size_t i = 0; i < layout.rtd_names.size(); ++i) {
    FillDistribution(layout.rtd_names[i], total.ResponseTime(i), out->add_response_times());
  }
  FillDistribution("call_length", total.call_length, out->mutable_call_length());
  FillMessages(view, total, out);
  for (size_t i = 0; i < layout.user_counter_names.size(); ++i) {
    (*out->mutable_user_counters())[layout.user_counter_names[i]] =
        i < total.user_counters.size() ? total.user_counters[i] : 0;
  }
}

void FillThresholds(const results::RunView& view, v1::Summary* out) {
  for (size_t i = 0; i < view.thresholds.size(); ++i) {
    const results::Threshold& t = view.thresholds[i];
    v1::Threshold* threshold = out->add_thresholds();
    threshold->set_expression(t.expression);
    threshold->set_metric(t.metric);
    threshold->set_aggregate(t.aggregate);
    threshold->set_op(std::string(results::OpText(t.op)));
    threshold->set_limit(t.limit);
    threshold->set_unit(std::string(results::DisplayUnit(t)));
    threshold->set_abort_on_fail(t.abort_on_fail);
    threshold->set_aborted_run(view.aborted_by == static_cast<int>(i));
    if (i < view.threshold_results.size()) {
      const results::ThresholdResult& r = view.threshold_results[i];
      if (r.measured) threshold->set_measured(*r.measured);
      threshold->set_passed(r.passed);
    }
  }
}

void FillTimeline(const results::RunView& view, size_t timeline_from, v1::Summary* out) {
  out->set_timeline_from(static_cast<uint32_t>(std::min(timeline_from, view.timeline_size)));
  if (view.timeline == nullptr) return;
  for (const results::Period& p : view.timeline->Periods(timeline_from, view.timeline_size)) {
    v1::Period* period = out->add_timeline();
    period->set_t_s(p.end_s);
    period->set_target_calls_per_s(p.target_calls_per_s);
    period->set_achieved_calls_per_s(p.achieved_calls_per_s);
    period->set_current_calls(p.current_calls);
    period->set_successful_calls(p.successful_calls);
    period->set_failed_calls(p.failed_calls);
    period->set_retransmissions(p.retransmissions);
    for (size_t i = 0; i < p.rtds.size(); ++i) {
      v1::RtdPoint* rtd = period->add_rtds();
      rtd->set_name(i < view.layout->rtd_names.size() ? view.layout->rtd_names[i] : "");
      rtd->set_p50_ms(p.rtds[i].p50_ms);
      rtd->set_p95_ms(p.rtds[i].p95_ms);
      rtd->set_p99_ms(p.rtds[i].p99_ms);
    }
  }
}

}  // namespace

v1::Summary BuildSummary(const results::RunView& view, std::string_view version,
                         size_t timeline_from) {
  v1::Summary summary;
  summary.set_schema("sipfleet.results.v1.Summary");
  summary.set_version(std::string(version));
  summary.set_program(view.program);
  for (const std::string& arg : view.command_line) summary.add_command_line(arg);
  summary.set_scenario(view.scenario);
  summary.set_start_time(Rfc3339(view.start_wall_us));
  summary.set_end_time(Rfc3339(view.end_wall_us));
  summary.set_duration_s(view.elapsed_s);
  summary.set_period_s(view.period_s);
  summary.set_paused(view.paused);
  if (view.exit_code.has_value()) {
    summary.set_verdict(*view.exit_code == 0 ? "passed" : "failed");
    summary.set_exit_code(*view.exit_code);
  } else {
    summary.set_verdict("running");
  }
  summary.set_exit_reason(view.exit_reason);
  FillStats(view, view.merged, summary.mutable_merged());
  for (const results::SourceSnapshot& agent : view.agents) {
    v1::AgentStats* out = summary.add_agents();
    out->set_agent(agent.agent);
    FillStats(view, agent, out->mutable_stats());
  }
  FillThresholds(view, &summary);
  FillTimeline(view, timeline_from, &summary);
  return summary;
}

std::string SummaryJson(const results::RunView& view, std::string_view version, bool pretty,
                        size_t timeline_from) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  // Printing a message we built ourselves cannot fail.
  (void)google::protobuf::util::MessageToJsonString(BuildSummary(view, version, timeline_from), &json,
                                                     options);
  return json;
}

absl::Status WriteSummaryFile(const std::string& path, const results::RunView& view,
                              std::string_view version) {
  std::ofstream out(path, std::ios::trunc);
  out << SummaryJson(view, version, true);
  out.close();
  if (!out) return absl::UnavailableError(base::Cat("-summary_json ", path, ": cannot write"));
  return absl::OkStatus();
}

}  // namespace sipfleet::summary
