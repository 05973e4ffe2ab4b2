#include "common/cluster/stats_report.h"

#include <utility>

#include "absl/status/statusor.h"
#include "common/base/strings.h"

namespace sipfleet::cluster {
namespace {

// `delta` with min/max replaced by the extremes of `cumulative`. Rebuilt
// through FromParts, the one way to set the exact scalars.
stats::Histogram WithCumulativeExtremes(const stats::Histogram& delta,
                                        const stats::Histogram& cumulative) {
  if (delta.count() == 0) return stats::Histogram();
  std::vector<std::pair<size_t, uint64_t>> buckets;
  delta.ForEachNonEmptyBucket([&](size_t index, uint64_t count) { buckets.emplace_back(index, count); });
  absl::StatusOr<stats::Histogram> rebuilt = stats::Histogram::FromParts(
      buckets, delta.sum(), delta.sum_of_squares(), cumulative.min(), cumulative.max());
  // FromParts only fails for bad indices or min > max, impossible here.
  return rebuilt.ok() ? *std::move(rebuilt) : delta;
}

}  // namespace

StatsReport ReportBuilder::Next(const stats::Snapshot& cumulative, uint64_t open_calls,
                                bool final) {
  StatsReport report;
  report.sequence = ++sequence_;
  report.final = final;
  report.open_calls = open_calls;
  report.delta = stats::Delta(cumulative, previous_);
  for (size_t i = 0; i < report.delta.response_times.size(); ++i) {
    report.delta.response_times[i] =
        WithCumulativeExtremes(report.delta.response_times[i], cumulative.response_times[i]);
  }
  report.delta.call_length = WithCumulativeExtremes(report.delta.call_length, cumulative.call_length);
  previous_ = cumulative;
  return report;
}

StatsMerger::StatsMerger(size_t agent_count) : agents_(agent_count) {}

absl::StatusOr<bool> StatsMerger::Apply(size_t agent, const StatsReport& report) {
  if (agent >= agents_.size()) {
    return absl::OutOfRangeError(base::Cat("no agent ", agent, " of ", agents_.size()));
  }
  if (report.sequence == 0) return absl::InvalidArgumentError("statistics report without sequence");
  PerAgent& state = agents_[agent];
  if (report.sequence <= state.contiguous || state.above.contains(report.sequence)) return false;
  stats::Merge(&state.total, report.delta);
  state.above.insert(report.sequence);
  while (!state.above.empty() && *state.above.begin() == state.contiguous + 1) {
    state.above.erase(state.above.begin());
    ++state.contiguous;
  }
  if (report.final) state.final_sequence = report.sequence;
  if (report.sequence > state.open_calls_sequence) {
    state.open_calls_sequence = report.sequence;
    state.open_calls = report.open_calls;
  }
  return true;
}

stats::Snapshot StatsMerger::Total() const {
  stats::Snapshot total;
  for (const PerAgent& state : agents_) stats::Merge(&total, state.total);
  return total;
}

stats::Snapshot StatsMerger::Total(const std::vector<size_t>& agents) const {
  stats::Snapshot total;
  for (size_t agent : agents) {
    if (agent < agents_.size()) stats::Merge(&total, agents_[agent].total);
  }
  return total;
}

bool StatsMerger::Complete(size_t agent) const {
  const PerAgent& state = agents_[agent];
  return state.final_sequence != 0 && state.contiguous >= state.final_sequence;
}

}  // namespace sipfleet::cluster
