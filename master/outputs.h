#ifndef SIPFLEET_MASTER_OUTPUTS_H_
#define SIPFLEET_MASTER_OUTPUTS_H_

// What a run produces for others, fed by the run thread at three moments:
// the start (the barrier instant), every supervision tick with the UAC
// agents' merged statistics (each output keeps its own period), and the
// verdict. Today: SIPp's -trace_stat CSV of the merged statistics, a row
// per -fd period. Further outputs of the run's results (a summary file,
// metrics, a status page) belong here, beside it: they see the same merged
// snapshots and the same final MasterResult.

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "common/cli/options.h"
#include "common/scenario/scenario.h"
#include "common/stats/shard.h"
#include "common/stats/stat_file.h"
#include "master/master.h"

namespace sipfleet::master {

class RunOutputs {
 public:
  // Opens what the command line asks for (-trace_stat: -stf or the default
  // name, -stat_delimiter, -periodic_rtd, a row each -fd but at most one
  // per `tick_ms`). `start_wall_us` is when the run is expected to start
  // (the CSV's start time). `pid` names default files.
  absl::Status Open(const cli::Options& sipp, const scenario::Scenario& scenario,
                    int64_t tick_ms, int64_t start_wall_us, int pid);

  // The run started at the barrier: `start_ms` on the master's monotonic
  // clock, `start_wall_us` on its wall clock, at `rate`.
  void Start(int64_t start_ms, int64_t start_wall_us, double rate);

  // One supervision tick. `merged` returns the UAC agents' statistics merged
  // so far (it copies under the registry's lock: called only when a period
  // is due).
  void Tick(int64_t now_ms, int64_t wall_us, double rate,
            const std::function<stats::Snapshot()>& merged);

  // The run ended with `result` (result.merged is final).
  void Finish(const MasterResult& result, int64_t wall_us, double rate);

 private:
  std::unique_ptr<stats::StatFile> stat_file_;
  int64_t stat_period_ms_ = 0;
  int64_t next_row_ms_ = 0;
};

}  // namespace sipfleet::master

#endif  // SIPFLEET_MASTER_OUTPUTS_H_
