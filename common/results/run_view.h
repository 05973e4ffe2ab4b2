#ifndef SIPFLEET_COMMON_RESULTS_RUN_VIEW_H_
#define SIPFLEET_COMMON_RESULTS_RUN_VIEW_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/results/figures.h"
#include "common/results/threshold.h"
#include "common/results/timeline.h"
#include "common/stats/shard.h"

namespace sipfleet::results {

// One set of figures: the run merged (agent "") or one cluster agent.
struct SourceSnapshot {
  std::string agent;
  stats::Snapshot total;  // cumulative since the start
  uint64_t current_calls = 0;
  double target_calls_per_s = 0;
};

// Everything the results outputs (summary JSON, /metrics, report, live
// page) show, as of one moment: a plain value, built by the run's
// supervising thread and published immutable (shared_ptr<const RunView>)
// to the HTTP thread.
struct RunView {
  std::string program;  // "sipfleet" or "sipfleet-master"
  std::vector<std::string> command_line;
  std::string scenario;
  int64_t start_wall_us = 0;
  int64_t end_wall_us = 0;  // 0 while running
  double elapsed_s = 0;
  double period_s = 1;  // -f
  std::optional<int> exit_code;  // set once the run ended
  bool paused = false;           // no new calls now (p key, pause button)
  std::string exit_reason;

  std::shared_ptr<const stats::ShardLayout> layout;
  std::vector<std::string> message_names;  // per element, "" when not a message
  SourceSnapshot merged;
  std::vector<SourceSnapshot> agents;  // cluster only

  std::vector<Threshold> thresholds;
  std::vector<ThresholdResult> threshold_results;  // as `thresholds`
  int aborted_by = -1;  // index of the :abort threshold that ended the run
  // The run's timeline, shared with the run (it only grows): this view
  // shows its first `timeline_size` periods. Null before the first period.
  std::shared_ptr<const Timeline> timeline;
  size_t timeline_size = 0;

  // RunFigures of `source` (which must be `merged` or one of `agents`).
  RunFigures FiguresOf(const SourceSnapshot& source) const {
    return {&source.total, layout.get(), elapsed_s, source.target_calls_per_s};
  }
};

}  // namespace sipfleet::results

#endif  // SIPFLEET_COMMON_RESULTS_RUN_VIEW_H_
