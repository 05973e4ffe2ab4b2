// The operator's console bound to the cluster: the merged screens, and
// what keys and the control socket ask of the run beyond the load
// (run_load.cc): dumps, statistics reset, the task and variable lists.

#include <unistd.h>

#include <iostream>
#include <mutex>

#include "common/base/strings.h"
#include "common/scenario/stats_layout.h"
#include "master/run.h"

namespace sipfleet::master {

void Run::OpenConsole() {
  console::ConsoleOptions console =
      console::ConsoleOptionsFor(sipp_, scenario_->stem, static_cast<int>(getpid()));
  console.show_screens = console.show_screens && options_.show_screens;
  console.read_keys = console.read_keys && options_.read_keys;
  screen_stats_.emplace(scenario::StatsLayoutFor(*scenario_), sipp_.screen_period_ms,
                        start_ms_ * 1000, start_wall_us_);
  absl::StatusOr<std::unique_ptr<console::Console>> created =
      console::Console::Create(console, this, [this] { return ScreenInputNow(); });
  if (!created.ok()) {
    // The run goes on without keys and screens rather than not at all.
    std::cerr << "sipfleet-master: no console: " << created.status().message() << "\n";
    return;
  }
  console_ = *std::move(created);
}

screen::ScreenInput Run::ScreenInputNow() {
  screen::ScreenInput input;
  stats::Snapshot total;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    total = registry_.uac_total();
    for (size_t i : uac_) input.open_calls += Dormant(i) ? 0 : registry_.merger().OpenCalls(i);
  }
  screen_stats_->Fill(total, input.open_calls, clock_.NowMicros(), clock_.WallMicros(), &input);
  input.scenario = scenario_.get();
  input.rate = rate_;
  input.rate_period_ms = sipp_.rate_period_ms;
  input.users_mode = users_mode();
  input.users = static_cast<int64_t>(users_);
  input.call_duration_ms = sipp_.duration_ms;
  input.call_limit = call_limit_;
  input.max_calls = sipp_.max_calls;
  input.paused = paused_;
  input.quitting = quitting_;
  input.terminated = terminated_;
  input.remote_address = sipp_.remote_host_port;
  int workers = 0;
  for (size_t k : LiveUac()) workers += static_cast<int>(stripes_[k].workers);
  input.workers = std::max(workers, 1);
  input.last_error = last_error_;
  return input;
}

void Run::DumpScreens() {
  if (console_) (void)console_->DumpScreens();
}

absl::Status Run::SetTrace(std::string_view kind, bool on) {
  return absl::FailedPreconditionError(
      base::Cat("trace ", kind, " ", on ? "on" : "off",
                ": traces are written by each agent; start them with the -trace_* options"));
}

void Run::ResetStats() {
  if (screen_stats_.has_value()) screen_stats_->ResetStats(MergedUac());
}

std::string Run::DumpTasks() {
  size_t lost = 0;
  for (bool is_lost : lost_) lost += is_lost;
  uint64_t open = 0;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    for (size_t i = 0; i < lost_.size(); ++i) open += Dormant(i) ? 0 : registry_.merger().OpenCalls(i);
  }
  return base::Cat(lost_.size(), " agents (", uac_.size(), " UAC, ", uas_.size(), " UAS), ", lost,
                   " lost, ", open, " calls open", paused_ ? ", paused" : "",
                   quitting_ ? ", stopping" : "");
}

std::string Run::DumpVariables() {
  std::string names;
  if (scenario_) {
    for (const auto& [name, variable] : scenario_->variables) base::Append(&names, " ", name);
  }
  return names.empty() ? "No variables" : base::Cat("Variables:", names);
}

}  // namespace sipfleet::master
