#include "common/console/screen_stats.h"

#include <algorithm>

#include "common/base/strings.h"

namespace sipfleet::console {

ScreenStats::ScreenStats(const stats::ShardLayout& layout, int64_t refresh_ms, int64_t start_us,
                         int64_t start_wall_us)
    : refresh_ms_(refresh_ms),
      start_us_(start_us),
      start_wall_us_(start_wall_us),
      period_start_(stats::EmptySnapshot(layout)),
      period_start_us_(start_us),
      period_start_wall_us_(start_wall_us) {}

stats::Snapshot ScreenStats::Cumulative(const stats::Snapshot& total) const {
  return baseline_.has_value() ? stats::Delta(total, *baseline_) : total;
}

void ScreenStats::Fill(const stats::Snapshot& total, uint64_t open_calls, int64_t now_us,
                       int64_t now_wall_us, screen::ScreenInput* input) {
  input->cumulative = Cumulative(total);
  input->periodic = stats::Delta(input->cumulative, period_start_);
  input->elapsed_us = std::max<int64_t>(now_us - start_us_, 0);
  input->period_elapsed_us = std::max<int64_t>(now_us - period_start_us_, 0);
  input->start_time_us = start_wall_us_;
  input->period_start_time_us = period_start_wall_us_;
  input->current_time_us = now_wall_us;
  input->open_calls = open_calls;
  // Calls wait on the loops' timers and sockets between events.
  input->waiting_calls = static_cast<int64_t>(open_calls);
  if (open_calls > peak_calls_) {
    peak_calls_ = open_calls;
    peak_calls_elapsed_s_ = input->elapsed_us / 1'000'000;
  }
  input->peak_calls = peak_calls_;
  input->peak_calls_elapsed_s = peak_calls_elapsed_s_;
  input->refresh_period_ms = refresh_ms_;
  if (input->period_elapsed_us >= refresh_ms_ * 1000) {
    period_start_ = input->cumulative;
    period_start_us_ = now_us;
    period_start_wall_us_ = now_wall_us;
  }
}

ConsoleOptions ConsoleOptionsFor(const cli::Options& options, std::string_view scenario_stem,
                                 int pid) {
  ConsoleOptions console;
  console.show_screens = !options.background;
  console.read_keys = !options.nostdin && !options.background;
  console.refresh_ms = options.screen_period_ms;
  console.rate_scale = options.rate_scale;
  console.control_port = options.control_port;
  console.control_ip = options.control_ip;
  console.screen_file = options.screen_file.empty()
                            ? base::Cat(scenario_stem, "_", pid, "_screen.log")
                            : options.screen_file;
  console.screen_overwrite = options.screen_overwrite;
  return console;
}

}  // namespace sipfleet::console
