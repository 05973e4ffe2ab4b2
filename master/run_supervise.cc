#include <signal.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>

#include "common/base/strings.h"
#include "master/run.h"

namespace sipfleet::master {

std::optional<std::string> Run::Supervise() {
  constexpr int64_t kPollMs = 20;  // keys, control datagrams and signals
  Timers timers;
  timers.next_tick_ms = NowMs();
  timers.deadline_ms = sipp_.timeout_ms > 0 ? start_ms_ + sipp_.timeout_ms : 0;
  // -rate_increase: every -rate_interval (default -fd) from the start.
  timers.rate_interval_ms = sipp_.rate_interval_ms > 0 ? sipp_.rate_interval_ms : sipp_.stat_period_ms;
  timers.next_increase_ms = start_ms_ + timers.rate_interval_ms;
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
    const int64_t now = NowMs();
    if (int signal_number = TakeSignal(); signal_number != 0) HandleSignal(signal_number);
    if (console_) {
      console_->PressKeys(outputs_.TakeKeys());  // the live page's buttons (-web_control)
      console_->Poll(now);
    }
    if (now < timers.next_tick_ms) continue;
    timers.next_tick_ms = now + options_.tick_ms;
    SendHeartbeats(now);
    AdvanceLateJoiners();
    TickState state = Observe(now);
    for (const auto& [index, why] : state.lost) {
      if (std::optional<std::string> abort = HandleLost(index, why)) return abort;
    }
    if (options_.on_tick && now >= start_ms_) options_.on_tick(now - start_ms_, *this, MergedUac());
    if (outputs_.Tick(
            now, clock_.WallMicros(), rate_, paused_, [this] { return MergedUac(); },
            [this] { return ResultsNow(); })) {
      std::cerr << "sipfleet-master: a -threshold with :abort failed; quitting now\n";
      QuitNow();  // as Q: every agent aborts its calls
    }
    if (state.all_done) return std::nullopt;
    DriveLoad(now, &timers);
    StopUasWhenDone(now, state.uac_done, &timers);
  }
}

void Run::DriveLoad(int64_t now, Timers* timers) {
  if (timers->deadline_ms > 0 && now >= timers->deadline_ms && !timed_out_) {
    // As sipfleet (SIPp 3.6.1): no new calls, the run ends when the calls
    // in progress do; with -timeout_error at once, as a failure (255).
    timed_out_ = true;
    std::cerr << "sipfleet-master: -timeout reached\n";
    if (sipp_.timeout_error) {
      QuitNow();
    } else {
      Quit();
    }
  }
  if (sipp_.rate_increase > 0 && !quitting_ && now >= timers->next_increase_ms) {
    IncreaseRate();
    timers->next_increase_ms += timers->rate_interval_ms;
  }
}

void Run::StopUasWhenDone(int64_t now, bool uac_done, Timers* timers) {
  if (!uac_done) return;
  if (timers->uas_stopped && timers->uas_abort_ms > 0 && now >= timers->uas_abort_ms) {
    // The calls a lost UAC agent left on the UAS agents never end by
    // themselves (no ACK, no BYE): they were counted as lost already.
    timers->uas_abort_ms = 0;
    StopAll(/*abort_calls=*/true, /*uas_only=*/true);
  }
  if (!timers->uas_stopped) {
    // The callers are done: the answering side drains and reports. After a
    // loss (-failure_policy continue) it may drain this long before its
    // remaining calls are aborted.
    constexpr int64_t kUasDrainAfterLossMs = 1000;
    timers->uas_stopped = true;
    if (std::find(lost_.begin(), lost_.end(), true) != lost_.end()) {
      timers->uas_abort_ms = now + kUasDrainAfterLossMs;
    }
    StopAll(/*abort_calls=*/false, /*uas_only=*/true);
  }
}

stats::Snapshot Run::MergedUac() {
  std::lock_guard<std::mutex> lock(registry_.mutex());
  return registry_.uac_total();
}

double Run::TargetCallsPerSecond() const {
  if (users_mode() || sipp_.rate_period_ms <= 0) return 0;
  return rate_ * 1000.0 / static_cast<double>(sipp_.rate_period_ms);
}

ResultsSources Run::ResultsNow() {
  ResultsSources sources;
  const double target = TargetCallsPerSecond();
  uint64_t weights = 0;
  for (uint32_t weight : uac_weights_) weights += weight;
  std::lock_guard<std::mutex> lock(registry_.mutex());
  const cluster::StatsMerger& merger = registry_.merger();
  sources.merged = {"", registry_.uac_total(), 0, target};
  for (size_t k = 0; k < uac_.size(); ++k) {
    const size_t i = uac_[k];
    if (idle_[i]) continue;  // a late slot nobody runs
    const double share = weights > 0 && k < uac_weights_.size()
                             ? target * uac_weights_[k] / static_cast<double>(weights)
                             : 0;
    sources.merged.current_calls += merger.OpenCalls(i);
    sources.agents.push_back(
        {registry_.agents()[i]->name, merger.Agent(i), merger.OpenCalls(i), share});
  }
  return sources;
}

ResultsSources Run::ResultsOf(const MasterResult& result) {
  // Every agent has reported its last: the registry holds the final totals
  // (those Verdict() took); the merged figures are the verdict's own.
  ResultsSources sources = ResultsNow();
  sources.merged.total = result.merged;
  return sources;
}

Run::TickState Run::Observe(int64_t now) {
  TickState state;
  std::lock_guard<std::mutex> lock(registry_.mutex());
  auto& agents = registry_.agents();
  for (size_t i = 0; i < agents.size(); ++i) {
    const Agent& agent = *agents[i];
    if (Dormant(i)) continue;  // lost (handled) or no agent: counts as done
    const bool complete = agent.finished && registry_.merger().Complete(i);
    if (!complete) {
      state.all_done = false;
      if (!agent.uas) state.uac_done = false;
    }
    if (complete) continue;
    if (!agent.connected) {
      // A closed session (process killed, connection reset) is known at once.
      state.lost.emplace_back(i, base::Cat("its control session closed (silent for ",
                                           now - agent.last_heard_ms, " ms)"));
    } else if (now - agent.last_heard_ms > options_.lost_after_ms) {
      state.lost.emplace_back(i, base::Cat("no message for ", now - agent.last_heard_ms,
                                           " ms (limit ", options_.lost_after_ms, " ms)"));
    }
  }
  return state;
}

void Run::HandleSignal(int signal_number) {
  switch (signal_number) {
    case SIGINT:
    case SIGTERM:
      std::cerr << "sipfleet-master: " << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
                << ": quitting now, every agent aborts its calls\n";
      QuitNow();
      break;
    case SIGUSR1:
      std::cerr << "sipfleet-master: SIGUSR1: no new calls, the calls in progress end\n";
      Quit();
      break;
    case SIGUSR2:
      DumpScreens();
      break;
    default:
      break;
  }
}

void Run::SendHeartbeats(int64_t now) {
  // Agents are visited in `phases` groups, one group per tick, so the
  // writes spread evenly; an agent written to (Start, SetLoad, 3PCC, ...)
  // within about a period gets no heartbeat. Every live agent hears from
  // the master at least every two periods (under half its lease).
  // An agent stops on its own after a lease of master silence (the one it
  // is given, or a shorter one of its own): with a period of a quarter of
  // the shortest, at most 1 s, the worst gap (under two periods) is under
  // half of it.
  int64_t lease_ms = options_.lease_ms;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    if (registry_.min_agent_lease_ms() > 0) lease_ms = std::min(lease_ms, registry_.min_agent_lease_ms());
  }
  heartbeat_period_ms_ = std::max<int64_t>(options_.tick_ms, std::min<int64_t>(lease_ms / 4, 1000));
  const size_t phases =
      static_cast<size_t>(std::max<int64_t>(1, heartbeat_period_ms_ / options_.tick_ms));
  const size_t phase = static_cast<size_t>(heartbeat_ticks_++ % phases);
  const int64_t quiet_ms = heartbeat_period_ms_ - options_.tick_ms / 2;
  std::vector<size_t> due;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    auto& agents = registry_.agents();
    for (size_t i = phase; i < agents.size(); i += phases) {
      if (i < lost_.size() && lost_[i]) continue;  // its lease must run out
      if (!agents[i]->connected || now - registry_.LastSentMs(i) < quiet_ms) continue;
      due.push_back(i);
    }
  }
  if (due.empty()) return;
  v1::MasterMessage beat;
  beat.mutable_heartbeat()->mutable_clock()->set_wall_micros(clock_.WallMicros());
  for (size_t i : due) registry_.Send(i, beat);
}

}  // namespace sipfleet::master
