#ifndef SIPFLEET_MASTER_OUTPUTS_H_
#define SIPFLEET_MASTER_OUTPUTS_H_

// What a run produces for others, fed by the run thread at three moments:
// the start (the barrier instant), every supervision tick with the UAC
// agents' merged statistics (each output keeps its own period), and the
// verdict: SIPp's -trace_stat CSV of the merged statistics, a row per -fd
// period, and the run's results (summary::RunResults, issue 13:
// -summary_json, -threshold, -metrics, -report_html, -web), which see the
// same merged snapshots plus each UAC agent's, and judge once at the end.

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "common/cli/options.h"
#include "common/scenario/scenario.h"
#include "common/stats/shard.h"
#include "common/results/run_view.h"
#include "common/stats/stat_file.h"
#include "master/master.h"
#include "proto/results/run_results.h"

namespace sipfleet::master {

// The figures the results are fed with: the UAC agents merged (the stat
// CSV's data) and each UAC agent's own.
struct ResultsSources {
  results::SourceSnapshot merged;
  std::vector<results::SourceSnapshot> agents;
};

class RunOutputs {
 public:
  // Opens what the command line asks for (-trace_stat: -stf or the default
  // name, -stat_delimiter, -periodic_rtd, a row each -fd but at most one
  // per `tick_ms`). `start_wall_us` is when the run is expected to start
  // (the CSV's start time). `pid` names default files. `command_line` goes
  // into the summary. Errors: the stat file, a bad -threshold (with its
  // column), a -metrics/-web address that cannot be served.
  absl::Status Open(const cli::Options& sipp, const scenario::Scenario& scenario,
                    int64_t tick_ms, int64_t start_wall_us, int pid,
                    const std::vector<std::string>& command_line);

  // The run started at the barrier: `start_ms` on the master's monotonic
  // clock, `start_wall_us` on its wall clock, at `rate`.
  void Start(int64_t start_ms, int64_t start_wall_us, double rate);

  // One supervision tick. `merged` returns the UAC agents' statistics merged
  // so far and `sources` the results' figures (both copy under the
  // registry's lock: called only when a period is due). Returns true when a
  // -threshold's :abort calls for ending the run now.
  bool Tick(int64_t now_ms, int64_t wall_us, double rate, bool paused,
            const std::function<stats::Snapshot()>& merged,
            const std::function<ResultsSources()>& sources);

  // Keys pressed on the live page (-web_control) since the last call.
  std::string TakeKeys() { return results_ ? results_->TakeKeys() : std::string(); }

  // The run ended with `result` (result.merged is final; `sources` its
  // figures): final rows, the results judged and written. Returns the exit
  // code: result.exit_code, or 98 when a -threshold failed (RunResults::Finish).
  int Finish(const MasterResult& result, int64_t now_ms, int64_t wall_us, double rate,
             ResultsSources sources);

 private:
  std::unique_ptr<summary::RunResults> results_;
  std::unique_ptr<stats::StatFile> stat_file_;
  int64_t stat_period_ms_ = 0;
  int64_t next_row_ms_ = 0;
};

}  // namespace sipfleet::master

#endif  // SIPFLEET_MASTER_OUTPUTS_H_
