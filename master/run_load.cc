#include <algorithm>
#include <mutex>

#include "master/run.h"

namespace sipfleet::master {

void Run::StartAll() {
  // The barrier: one absolute instant, far enough ahead for the Start to
  // reach every agent; all agents pace from it (runtime/pacing.h).
  start_wall_us_ = clock_.WallMicros() + options_.start_delay_ms * 1000;
  start_ms_ = NowMs() + options_.start_delay_ms;
  pacing_.start_us = start_wall_us_;
  pacing_.first_number = 1;
  pacing_.interval_us = Interval();
  v1::MasterMessage message;
  v1::Start* start = message.mutable_start();
  start->set_epoch(epoch_);
  ToProto(pacing_, start->mutable_pacing());
  Broadcast(message);
}

void Run::Broadcast(const v1::MasterMessage& message, std::optional<bool> uas_only) {
  std::vector<size_t> targets;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    auto& agents = registry_.agents();
    for (size_t i = 0; i < agents.size(); ++i) {
      if (i < lost_.size() && lost_[i]) continue;  // (a joining slot hears heartbeats)
      if (!uas_only.has_value() || agents[i]->uas == *uas_only) targets.push_back(i);
    }
  }
  for (size_t i : targets) registry_.Send(i, message);
}

double Run::Interval() const {
  if (paused_) return 0;
  if (users_mode()) return 1;  // -users: the pacing only says "running"
  const double interval = runtime::IntervalForRate(rate_, sipp_.rate_period_ms);
  // The stripes of lost agents and of late slots not taken are holes in the
  // call numbers: the live workers keep the total rate with a proportionally
  // shorter interval (plan.h: an agent's rate is total x workers / stride).
  uint64_t live = 0, all = 0;
  for (size_t k = 0; k < uac_.size(); ++k) {
    all += stripes_[k].workers;
    if (!Dormant(uac_[k])) live += stripes_[k].workers;
  }
  return all == 0 || live == 0 ? interval : interval * static_cast<double>(live) / static_cast<double>(all);
}

std::vector<size_t> Run::LiveUac() const {
  std::vector<size_t> live;
  for (size_t k = 0; k < uac_.size(); ++k) {
    if (!Dormant(uac_[k])) live.push_back(k);
  }
  return live;
}

std::vector<uint64_t> Run::LiveShares(uint64_t total) const {
  std::vector<uint32_t> weights;
  for (size_t k : LiveUac()) weights.push_back(uac_weights_[k]);
  std::vector<uint64_t> shares = cluster::SplitByWeight(total, weights);
  // A share of 0 would mean "no limit" to an agent.
  for (uint64_t& share : shares) share = total > 0 ? std::max<uint64_t>(share, 1) : 0;
  return shares;
}

void Run::SendLoad(v1::SetLoad load, const std::function<void(size_t, v1::SetLoad*)>& share) {
  load.set_epoch(++epoch_);
  if (load.effective_wall_micros() == 0) {
    load.set_effective_wall_micros(
        std::max(clock_.WallMicros() + options_.effective_delay_ms * 1000, pacing_.start_us));
  }
  const std::vector<size_t> live = LiveUac();
  for (size_t position = 0; position < live.size(); ++position) {
    v1::MasterMessage message;
    *message.mutable_set_load() = load;
    if (share) share(position, message.mutable_set_load());
    registry_.Send(uac_[live[position]], message);
  }
}

void Run::Repace() {
  // Computed once, here, and applied by every agent at the same instant.
  const int64_t effective =
      std::max(clock_.WallMicros() + options_.effective_delay_ms * 1000, pacing_.start_us);
  pacing_ = runtime::Repace(pacing_, effective, Interval());
  v1::SetLoad load;
  load.set_effective_wall_micros(effective);
  ToProto(pacing_, load.mutable_pacing());
  SendLoad(std::move(load));
}

void Run::SetRate(double rate) {
  rate_ = std::max(rate, 0.0);
  if (!users_mode() && !paused_) Repace();
}

void Run::SetPaused(bool paused) {
  if (paused == paused_) return;
  paused_ = paused;
  Repace();
}

void Run::SetUsers(uint64_t users) {
  if (!users_mode()) return;
  users_ = users;
  const std::vector<uint64_t> shares = LiveShares(users);
  const std::vector<size_t> live = LiveUac();
  for (size_t k = 0; k < live.size(); ++k) users_shares_[uac_[live[k]]] = shares[k];
  SendLoad(v1::SetLoad(), [&](size_t k, v1::SetLoad* load) { load->set_users(shares[k]); });
}

void Run::SetCallLimit(uint64_t limit) {
  call_limit_ = limit;
  const std::vector<uint64_t> shares = LiveShares(limit);
  SendLoad(v1::SetLoad(), [&](size_t k, v1::SetLoad* load) { load->set_call_limit(shares[k]); });
}

void Run::Quit() {
  // SIPp's q: no new calls; the UAS agents are stopped once the UAC agents
  // are done (Supervise).
  quitting_ = true;
  StopAll(/*abort_calls=*/false, /*uas_only=*/false);
}

void Run::QuitNow() {
  quitting_ = true;
  StopAll(/*abort_calls=*/true);
}

void Run::IncreaseRate() {
  // Past -rate_max the run quits (SIPp's behaviour) unless -no_rate_quit
  // holds it at the maximum.
  double rate = rate_ + sipp_.rate_increase;
  bool quit = false;
  if (sipp_.rate_max > 0 && rate > sipp_.rate_max) {
    rate = sipp_.rate_max;
    quit = !sipp_.no_rate_quit;
  }
  if (rate != rate_) SetRate(rate);  // one new epoch for every agent
  if (quit) Quit();
}

void Run::StopAll(bool abort_calls, std::optional<bool> uas_only) {
  v1::MasterMessage stop;
  stop.mutable_stop()->set_epoch(++epoch_);
  stop.mutable_stop()->set_abort_calls(abort_calls);
  Broadcast(stop, uas_only);
}

}  // namespace sipfleet::master
