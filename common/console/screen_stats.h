#ifndef SIPFLEET_COMMON_CONSOLE_SCREEN_STATS_H_
#define SIPFLEET_COMMON_CONSOLE_SCREEN_STATS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/cli/options.h"
#include "common/console/console.h"
#include "common/screen/screen_input.h"
#include "common/stats/shard.h"

namespace sipfleet::console {

// The statistics side of the screens, the same for sipfleet and for a
// cluster master: cumulative values since the start or the last
// "reset stats", periodic ones over each display period (-f), run times and
// the peak of open calls. Single-threaded (the controlling thread).
class ScreenStats {
 public:
  // `start_us` on the monotonic clock and `start_wall_us` on the wall clock
  // are the run's start; `refresh_ms` is -f.
  ScreenStats(const stats::ShardLayout& layout, int64_t refresh_ms, int64_t start_us,
              int64_t start_wall_us);

  // "reset stats": cumulative values restart from `total`.
  void ResetStats(const stats::Snapshot& total) { baseline_ = total; }
  // `total` since the start or the last ResetStats().
  stats::Snapshot Cumulative(const stats::Snapshot& total) const;

  // Fills the statistics, times and peak fields of `input` from the run's
  // `total` and its calls open now; a new display period starts once the
  // current one has lasted -f.
  void Fill(const stats::Snapshot& total, uint64_t open_calls, int64_t now_us,
            int64_t now_wall_us, screen::ScreenInput* input);

 private:
  const int64_t refresh_ms_;
  const int64_t start_us_;
  const int64_t start_wall_us_;
  std::optional<stats::Snapshot> baseline_;
  stats::Snapshot period_start_;
  int64_t period_start_us_;
  int64_t period_start_wall_us_;
  uint64_t peak_calls_ = 0;
  int64_t peak_calls_elapsed_s_ = 0;
};

// The console SIPp's options ask for (-bg, -nostdin, -f, -rate_scale, -cp,
// -ci, -screen_file or <stem>_<pid>_screen.log, -screen_overwrite).
ConsoleOptions ConsoleOptionsFor(const cli::Options& options, std::string_view scenario_stem,
                                 int pid);

}  // namespace sipfleet::console

#endif  // SIPFLEET_COMMON_CONSOLE_SCREEN_STATS_H_
