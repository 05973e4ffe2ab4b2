#ifndef SIPFLEET_PROTO_RESULTS_RUN_RESULTS_H_
#define SIPFLEET_PROTO_RESULTS_RUN_RESULTS_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/cli/options.h"
#include "common/results/run_view.h"
#include "common/scenario/scenario.h"
#include "common/web/server.h"

namespace sipfleet::summary {

// The results side of a run, the same for sipfleet and sipfleet-master
// (issue 13): -threshold, -summary_json, -metrics, -report_html, -web and
// -web_control. Fed by the run's supervising thread with the merged (and,
// in a cluster, per-agent) cumulative snapshots the stat CSV uses; it keeps
// the timeline, judges thresholds and publishes an immutable RunView that
// the HTTP threads render on request (they never touch the engine).
class RunResults {
 public:
  struct Run {
    std::string program;  // "sipfleet" / "sipfleet-master"
    std::string version;  // "sipfleet 0.1.0"
    std::vector<std::string> command_line;
    int64_t start_us = 0;       // monotonic
    int64_t start_wall_us = 0;  // wall clock
  };

  // Parses the thresholds and starts the servers. Errors: InvalidArgument
  // for a bad -threshold (with its column) or -metrics/-web value,
  // FailedPrecondition when a server cannot listen.
  static absl::StatusOr<std::unique_ptr<RunResults>> Create(const cli::Options& options,
                                                            const scenario::Scenario& scenario,
                                                            Run run);

  // Parses every -threshold against `scenario`'s RTDs and counters, as
  // Create does, without starting anything: the master refuses a bad
  // expression before it waits for agents. Errors as Create's.
  static absl::Status CheckThresholds(const cli::Options& options,
                                      const scenario::Scenario& scenario);

  // The run actually started at `start_us` (monotonic) / `start_wall_us`
  // (e.g. a cluster's barrier, known after Create): periods count from there.
  void SetStart(int64_t start_us, int64_t start_wall_us);

  // True when the next period is due at `now_us` (every -f); never when no
  // results option was given (nothing to feed: no snapshot taken for it).
  bool PeriodDue(int64_t now_us) const { return active_ && now_us >= next_period_us_; }
  // Closes a period: timeline point, thresholds, publication. Returns true
  // when a threshold's :abort calls for ending the run now (once).
  // `paused`: the run places no new calls now.
  bool OnPeriod(results::SourceSnapshot merged, std::vector<results::SourceSnapshot> agents,
                int64_t now_us, bool paused);

  // Keys pressed on the live page since the last call (-web_control).
  std::string TakeKeys() { return keys_.Drain(); }

  // The end: last period, final verdict, files written, the threshold
  // table printed to stdout. Returns the exit code: `sipp_exit_code`, or 98
  // when a threshold failed and the code was 0 or 1 (or an :abort threshold
  // ended the run). `exit_reason` explains `sipp_exit_code`. Errors of the
  // files are reported on stderr; they do not change the code.
  int Finish(results::SourceSnapshot merged, std::vector<results::SourceSnapshot> agents,
             int64_t now_us, int64_t end_wall_us, int sipp_exit_code, std::string exit_reason);

  // Where the servers listen (0 without).
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  int web_port() const { return web_ ? web_->port() : 0; }

 private:
  RunResults() = default;
  // Updates `view_` with the snapshots and publishes a copy.
  void Update(results::SourceSnapshot merged, std::vector<results::SourceSnapshot> agents,
              int64_t now_us);
  void Publish();
  std::shared_ptr<const results::RunView> Published() const;

  std::string version_;
  std::string summary_path_;
  std::string report_path_;
  int64_t period_us_ = 1'000'000;
  int64_t next_period_us_ = 0;
  int64_t start_us_ = 0;
  bool abort_requested_ = false;
  bool active_ = false;  // some results option was given
  results::RunView view_;  // the supervising thread's working copy
  std::shared_ptr<results::Timeline> timeline_;

  mutable std::mutex published_mutex_;
  std::shared_ptr<const results::RunView> published_;
  web::KeyQueue keys_;
  bool web_control_ = false;
  std::unique_ptr<web::Server> metrics_;
  std::unique_ptr<web::Server> web_;
};

}  // namespace sipfleet::summary

#endif  // SIPFLEET_PROTO_RESULTS_RUN_RESULTS_H_
