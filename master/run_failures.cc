#include <algorithm>
#include <iostream>
#include <mutex>

#include "common/base/strings.h"
#include "master/run.h"

namespace sipfleet::master {

std::optional<std::string> Run::HandleLost(size_t index, const std::string& why) {
  std::string name;
  bool uas = false;
  uint64_t in_flight = 0;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    Agent& agent = *registry_.agents()[index];
    agent.lost = true;  // from now on nothing it reports is merged
    name = agent.name;
    uas = agent.uas;
    in_flight = registry_.merger().OpenCalls(index);
  }
  lost_[index] = true;
  const std::string what = base::Cat("agent '", name, "' lost: ", why);
  NoticeLost3pcc(index, what);
  // If it is only slow or cut off, it must not go on placing calls nobody
  // counts: told to stop, and no more heartbeats, so its lease runs out.
  v1::MasterMessage stop;
  stop.mutable_stop()->set_epoch(++epoch_);
  stop.mutable_stop()->set_abort_calls(true);
  registry_.Send(index, stop);
  std::optional<std::string> abort;
  if (options_.failure_policy == MasterOptions::FailurePolicy::kAbort) {
    abort = what;
  } else if (uas) {
    abort = base::Cat(what, " (the calls a UAS agent answers cannot move: run aborted)");
  } else if (LiveUac().empty()) {
    abort = base::Cat(what, " (no UAC agent left)");
  }
  if (abort.has_value()) {
    // Said the moment it is known, not only in the final report.
    std::cerr << "sipfleet-master: " << *abort << "; aborting the run\n";
    return abort;
  }
  lost_calls_[index] = in_flight;
  std::cerr << "sipfleet-master: " << what << "; " << in_flight
            << " calls in flight on it counted as lost; " << LiveUac().size()
            << " UAC agents go on\n";
  // -failure_policy continue: its share of new calls moves to the
  // survivors from the next epoch; -l and -users are split again.
  Repace();
  if (call_limit_ > 0) SetCallLimit(call_limit_);
  if (users_mode()) SetUsers(users_);
  last_error_ = base::Cat(what, "; ", in_flight, " calls in flight on it counted as lost; ",
                          LiveUac().size(), " UAC agents go on from epoch ", epoch_);
  return std::nullopt;
}

void Run::NoticeLost3pcc(size_t index, const std::string& what) {
  std::string instance;
  std::vector<size_t> others;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    auto& agents = registry_.agents();
    instance = agents[index]->instance;
    for (size_t i = 0; i < agents.size(); ++i) {
      if (i != index && !lost_[i] && !agents[i]->instance.empty()) others.push_back(i);
    }
  }
  if (instance.empty()) return;
  // Each agent ignores it unless it talks to that instance (RelayRouter).
  v1::MasterMessage notice;
  notice.mutable_three_pcc()->set_source_instance(instance);
  notice.mutable_three_pcc()->set_lost(base::Cat("3PCC instance '", instance, "' is gone: ", what));
  for (size_t i : others) registry_.Send(i, notice);
}

// How far ahead (beyond the effective delay) a late joiner's first call is
// planned when it is sent its Prepare: time enough to prepare and answer.
constexpr int64_t kLateJoinMarginMs = 1000;

void Run::AdvanceLateJoiners() {
  for (size_t i = 0; i < late_.size(); ++i) {
    if (!idle_[i] || late_[i] == LateStage::kRefused) continue;
    std::string error;
    bool prepare = false, join = false;
    {
      std::lock_guard<std::mutex> lock(registry_.mutex());
      const Agent& agent = *registry_.agents()[i];
      if (!agent.registered) continue;
      if (late_[i] == LateStage::kEmpty) late_[i] = LateStage::kClock;
      if (!agent.connected) {
        error = "it disconnected while joining";
      } else if (late_[i] == LateStage::kClock && agent.clock_rtt_us >= 0) {
        error = ClockError(agent);
        prepare = error.empty();
      } else if (late_[i] == LateStage::kPreparing) {
        if (agent.prepare == Agent::Prepare::kFailed) error = "failed to prepare: " + agent.prepare_error;
        join = agent.prepare == Agent::Prepare::kPrepared;
      }
    }
    if (!error.empty()) {
      RefuseLate(i, error);
    } else if (prepare) {
      PrepareLate(i);
    } else if (join) {
      JoinLate(i);
    }
  }
}

void Run::PrepareLate(size_t index) {
  // Its stripe's first number moves by whole cycles past every number
  // due before it can join (about a second from now), so it never
  // places an overdue call of the slot; JoinLate() starts it when that
  // number is due. (-users runs place calls by quota, not by due time.)
  v1::ShardSpec* shard = late_prepares_[index].mutable_prepare()->mutable_shard();
  const int64_t horizon =
      clock_.WallMicros() + (options_.effective_delay_ms + kLateJoinMarginMs) * 1000;
  const uint64_t target =
      users_mode() ? 0 : pacing_.NextNumberAt(std::max(horizon, pacing_.start_us));
  const uint64_t first = shard->call_number_offset() + 1;
  if (target > first) {
    const uint64_t cycles = (target - first + shard->call_number_stride() - 1) / shard->call_number_stride();
    shard->set_call_number_offset(shard->call_number_offset() + cycles * shard->call_number_stride());
  }
  registry_.Send(index, late_prepares_[index]);
  late_[index] = LateStage::kPreparing;
}

void Run::JoinLate(size_t index) {
  const uint64_t first = late_prepares_[index].prepare().shard().call_number_offset() + 1;
  int64_t effective =
      std::max(clock_.WallMicros() + options_.effective_delay_ms * 1000, pacing_.start_us);
  if (pacing_.running() && !users_mode()) {
    // The new epoch starts just before its first number is due: nothing of
    // its stripe is overdue, and its slot stays covered by the others until
    // then.
    effective = std::max(effective, pacing_.DueMicros(first) - 1);
  }
  idle_[index] = false;  // from this epoch on it counts in Interval()
  const runtime::Pacing next = runtime::Repace(pacing_, effective, Interval());
  if (first < next.first_number) {
    idle_[index] = true;
    RefuseLate(index, "the load moved past its stripe while it prepared; it may join again");
    return;
  }
  pacing_ = next;
  late_[index] = LateStage::kRunning;
  // One epoch: the others' new pacing and the joiner's start, same instant.
  v1::SetLoad load;
  load.set_effective_wall_micros(effective);
  ToProto(pacing_, load.mutable_pacing());
  SendLoad(std::move(load));
  v1::MasterMessage start;
  start.mutable_start()->set_epoch(epoch_);
  ToProto(pacing_, start.mutable_start()->mutable_pacing());
  registry_.Send(index, start);
  if (call_limit_ > 0) SetCallLimit(call_limit_);
  if (users_mode()) SetUsers(users_);
  std::string name;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    name = registry_.agents()[index]->name;
  }
  last_error_ = base::Cat("agent '", name, "' joined late: ", LiveUac().size(),
                          " UAC agents share the load from epoch ", epoch_);
  std::cerr << "sipfleet-master: " << last_error_ << "\n";
}

void Run::RefuseLate(size_t index, const std::string& why) {
  late_[index] = LateStage::kRefused;
  std::string name;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    name = registry_.agents()[index]->name;
  }
  const std::string reason = base::Cat("agent '", name, "' cannot join late: ", why);
  std::cerr << "sipfleet-master: " << reason << "\n";
  v1::MasterMessage refused;
  refused.mutable_refused()->set_reason(reason);
  registry_.Send(index, refused);
}

}  // namespace sipfleet::master
