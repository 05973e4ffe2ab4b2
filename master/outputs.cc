#include "master/outputs.h"

#include <algorithm>
#include <string>

#include "common/scenario/stats_layout.h"
#include "common/stats/stat_csv.h"

namespace sipfleet::master {
namespace {
constexpr char kVersion[] = "sipfleet 0.1.0";
}  // namespace

absl::Status RunOutputs::Open(const cli::Options& sipp, const scenario::Scenario& scenario,
                              int64_t tick_ms, int64_t start_wall_us, int pid,
                              const std::vector<std::string>& command_line) {
  // The real start (the barrier) comes with Start().
  absl::StatusOr<std::unique_ptr<summary::RunResults>> results = summary::RunResults::Create(
      sipp, scenario, {"sipfleet-master", kVersion, command_line, 0, start_wall_us});
  if (!results.ok()) return results.status();
  results_ = *std::move(results);
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
  if (results_) results_->SetStart(start_ms * 1000, start_wall_us);
  if (!stat_file_) return;
  next_row_ms_ = start_ms + stat_period_ms_;
  stat_file_->WriteRow(stats::Snapshot(), start_wall_us, rate);
}

bool RunOutputs::Tick(int64_t now_ms, int64_t wall_us, double rate, bool paused,
                      const std::function<stats::Snapshot()>& merged,
                      const std::function<ResultsSources()>& sources) {
  if (stat_file_ && now_ms >= next_row_ms_) {
    stat_file_->WriteRow(merged(), wall_us, rate);
    next_row_ms_ += stat_period_ms_;
  }
  if (!results_ || !results_->PeriodDue(now_ms * 1000)) return false;
  ResultsSources now = sources();
  return results_->OnPeriod(std::move(now.merged), std::move(now.agents), now_ms * 1000, paused);
}

int RunOutputs::Finish(const MasterResult& result, int64_t now_ms, int64_t wall_us, double rate,
                       ResultsSources sources) {
  if (stat_file_) {
    // As sipfleet (and SIPp): the last period, then an empty one.
    stat_file_->WriteRow(result.merged, wall_us, rate);
    stat_file_->WriteRow(result.merged, wall_us, rate);
  }
  if (!results_) return result.exit_code;
  // The verdict line without its "sipfleet-master: " prefix explains the code.
  std::string_view reason = result.message;
  if (size_t colon = reason.find(": "); colon != std::string_view::npos) {
    reason.remove_prefix(colon + 2);
  }
  return results_->Finish(std::move(sources.merged), std::move(sources.agents), now_ms * 1000,
                          wall_us, result.exit_code, std::string(reason));
}

}  // namespace sipfleet::master
