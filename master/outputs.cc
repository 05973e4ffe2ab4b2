#include "master/outputs.h"

#include <algorithm>
#include <string>

#include "common/scenario/stats_layout.h"
#include "common/stats/stat_csv.h"

namespace sipfleet::master {

absl::Status RunOutputs::Open(const cli::Options& sipp, const scenario::Scenario& scenario,
                              int64_t tick_ms, int64_t start_wall_us, int pid) {
  if (!sipp.trace_stat) return absl::OkStatus();
  // At most a row per tick: the merged statistics change no faster.
  stat_period_ms_ = std::max<int64_t>(sipp.stat_period_ms, tick_ms);
  std::string path =
      sipp.stat_file.empty() ? stats::DefaultStatFileName(scenario.stem, pid) : sipp.stat_file;
  stats::StatCsvOptions csv;
  csv.delimiter = sipp.stat_delimiter;
  csv.periodic_rtd = sipp.periodic_rtd;
  absl::StatusOr<std::unique_ptr<stats::StatFile>> opened =
      stats::StatFile::Open(path, scenario::StatsLayoutFor(scenario), csv, start_wall_us);
  if (!opened.ok()) return opened.status();
  stat_file_ = *std::move(opened);
  return absl::OkStatus();
}

void RunOutputs::Start(int64_t start_ms, int64_t start_wall_us, double rate) {
  if (!stat_file_) return;
  next_row_ms_ = start_ms + stat_period_ms_;
  stat_file_->WriteRow(stats::Snapshot(), start_wall_us, rate);
}

void RunOutputs::Tick(int64_t now_ms, int64_t wall_us, double rate,
                      const std::function<stats::Snapshot()>& merged) {
  if (!stat_file_ || now_ms < next_row_ms_) return;
  stat_file_->WriteRow(merged(), wall_us, rate);
  next_row_ms_ += stat_period_ms_;
}

void RunOutputs::Finish(const MasterResult& result, int64_t wall_us, double rate) {
  if (!stat_file_) return;
  // As sipfleet (and SIPp): the last period, then an empty one.
  stat_file_->WriteRow(result.merged, wall_us, rate);
  stat_file_->WriteRow(result.merged, wall_us, rate);
}

}  // namespace sipfleet::master
