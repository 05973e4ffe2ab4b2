#include "master/registry.h"

#include <algorithm>
#include <iostream>
#include <optional>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "proto/wire/wire.h"

namespace sipfleet::master {

std::pair<int64_t, int64_t> ClockOffset(const v1::ClockSample& sample, int64_t master_now_us) {
  if (sample.echo_wall_micros() == 0) return {0, -1};
  const int64_t t1 = sample.echo_wall_micros();                // master sent
  const int64_t t3 = sample.wall_micros();                     // agent sent
  const int64_t t2 = t3 - std::max<int64_t>(sample.echo_hold_micros(), 0);  // agent received
  const int64_t t4 = master_now_us;                            // master received
  return {((t2 - t1) + (t3 - t4)) / 2, std::max<int64_t>((t4 - t1) - (t3 - t2), 0)};
}

Registry::Registry(const MasterOptions& options, const base::Clock& clock)
    : options_(options), clock_(clock) {
  const size_t count =
      options.agent_names.empty() ? static_cast<size_t>(options.agent_count) : options.agent_names.size();
  for (size_t i = 0; i < count; ++i) {
    auto agent = std::make_unique<Agent>();
    if (!options.agent_names.empty()) agent->name = options.agent_names[i];
    agents_.push_back(std::move(agent));
  }
  if (options.late_join == MasterOptions::LateJoin::kShare) {
    for (uint32_t i = 0; i < options.late_slots; ++i) {
      agents_.push_back(std::make_unique<Agent>());
      agents_.back()->spare = true;
    }
  }
  merger_ = std::make_unique<cluster::StatsMerger>(agents_.size());
}

absl::StatusOr<size_t> Registry::Admit(const v1::Register& reg, const std::string& peer, MessageSink* stream) {
  if (reg.api_version() != v1::API_VERSION_1) {
    return absl::FailedPreconditionError(base::Cat("API version ", reg.api_version(),
                                                   " is not supported; this master speaks 1"));
  }
  if (reg.name().empty()) return absl::InvalidArgumentError("an agent needs a -name");
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& agent : agents_) {
    if (agent->registered && agent->name == reg.name()) {
      return absl::AlreadyExistsError(base::Cat("duplicate agent name '", reg.name(),
                                                "': already registered from ", agent->peer));
    }
  }
  absl::StatusOr<size_t> slot = FreeSlot(reg.name());
  if (!slot.ok()) return slot.status();
  const size_t index = *slot;
  Agent& agent = *agents_[index];
  agent.name = reg.name();
  agent.peer = peer;
  agent.registered = true;
  agent.connected = true;
  agent.last_heard_ms = NowMs();
  if (reg.lease_millis() > 0) {
    min_agent_lease_ms_ = min_agent_lease_ms_ == 0
                              ? reg.lease_millis()
                              : std::min<int64_t>(min_agent_lease_ms_, reg.lease_millis());
  }
  {
    std::lock_guard<std::mutex> write_lock(agent.write_mutex);
    agent.stream = stream;
  }
  changed_.notify_all();
  return index;
}

absl::StatusOr<size_t> Registry::FreeSlot(const std::string& name) const {
  const bool share = options_.late_join == MasterOptions::LateJoin::kShare;
  if (closed_ && !share) {
    return absl::FailedPreconditionError(
        base::Cat("agent '", name, "' joined after the run was planned; late joiners are refused"));
  }
  size_t spares = 0;
  for (size_t i = 0; i < agents_.size(); ++i) {
    const Agent& agent = *agents_[i];
    spares += agent.spare;
    // Before the run is planned only the -agents slots; after it only the
    // spare ones.
    if (agent.spare != closed_ || agent.registered) continue;
    if (closed_ || (options_.agent_names.empty() ? agent.name.empty() : agent.name == name)) return i;
  }
  if (closed_) {
    return absl::FailedPreconditionError(base::Cat(
        "agent '", name, "' joined late and all ", spares, " -late_slots are taken"));
  }
  return absl::FailedPreconditionError(
      options_.agent_names.empty()
          ? base::Cat("the cluster already has its ", agents_.size() - spares, " agents")
          : base::Cat("agent '", name, "' is not in -agents"));
}

void Registry::OnMessage(size_t index, const v1::AgentMessage& message) {
  // Decoded before taking the lock: the session threads do it in parallel.
  std::optional<absl::StatusOr<cluster::StatsReport>> report;
  if (message.kind_case() == v1::AgentMessage::kStats) report = wire::FromProto(message.stats());
  std::lock_guard<std::mutex> lock(mutex_);
  Agent& agent = *agents_[index];
  agent.last_heard_ms = NowMs();
  if (agent.lost) return;  // counted as lost: nothing it says counts twice
  bool wake = true;
  switch (message.kind_case()) {
    case v1::AgentMessage::kHeartbeat: {
      auto [offset, rtt] = ClockOffset(message.heartbeat().clock(), clock_.WallMicros());
      wake = rtt >= 0 && agent.clock_rtt_us < 0;  // its first sample
      if (rtt >= 0 && (agent.clock_rtt_us < 0 || rtt < agent.clock_rtt_us)) {
        agent.clock_offset_us = offset;
        agent.clock_rtt_us = rtt;
      }
      break;
    }
    case v1::AgentMessage::kPrepared:
      agent.prepare = Agent::Prepare::kPrepared;
      break;
    case v1::AgentMessage::kPrepareFailed:
      agent.prepare = Agent::Prepare::kFailed;
      agent.prepare_error = message.prepare_failed().message();
      break;
    case v1::AgentMessage::kStats: {
      wake = report->ok() && (*report)->final;
      if (!report->ok()) {
        std::cerr << "sipfleet-master: agent '" << agent.name
                  << "': bad statistics report: " << report->status().message() << "\n";
        break;
      }
      absl::StatusOr<bool> applied = merger_->Apply(index, **report);
      // The role's running total: the sum of every delta applied, so it
      // equals merger_->Total(role's agents) without re-merging them.
      if (applied.ok() && *applied) stats::Merge(agent.uas ? &uas_total_ : &uac_total_, (*report)->delta);
      break;
    }
    case v1::AgentMessage::kFinished:
      agent.finished = true;
      agent.exit_code = message.finished().exit_code();
      agent.finished_message = message.finished().message();
      break;
    default:
      wake = false;  // only refreshes last_heard_ms
      break;
  }
  if (wake) changed_.notify_all();
}

void Registry::OnSessionEnd(size_t index) {
  Agent& agent = *agents_[index];
  {
    std::lock_guard<std::mutex> write_lock(agent.write_mutex);
    agent.stream = nullptr;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  agent.connected = false;
  changed_.notify_all();
}

bool Registry::Send(size_t index, const v1::MasterMessage& message) {
  Agent& agent = *agents_[index];
  std::lock_guard<std::mutex> write_lock(agent.write_mutex);
  if (agent.stream == nullptr) return false;
  agent.last_sent_ms.store(NowMs(), std::memory_order_relaxed);
  return agent.stream->Write(message);
}

void Registry::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
}

void Registry::Route3pcc(size_t from, v1::ThreePccCommand command) {
  Relay::Decision decision;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    agents_[from]->last_heard_ms = NowMs();
    if (agents_[from]->lost) return;
    decision = relay_.Route(from, command, agents_);
  }
  if (decision.to.has_value()) {
    v1::MasterMessage forward;
    *forward.mutable_three_pcc() = std::move(command);
    Send(*decision.to, forward);
    return;
  }
  const std::string why = base::Cat("3PCC command from instance '", command.source_instance(),
                                    "' (Call-ID ", command.call_id(), ") for instance '",
                                    command.dest_instance(), "': no agent runs that instance");
  if (decision.first_report) std::cerr << "sipfleet-master: " << why << " (further ones only counted)\n";
  v1::MasterMessage notice;
  v1::ThreePccCommand* lost = notice.mutable_three_pcc();
  lost->set_source_instance(command.dest_instance());
  lost->set_dest_instance(command.source_instance());
  lost->set_call_id(command.call_id());
  lost->set_lost(why);
  Send(from, notice);
}

}  // namespace sipfleet::master
