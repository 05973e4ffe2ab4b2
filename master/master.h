#ifndef SIPFLEET_MASTER_MASTER_H_
#define SIPFLEET_MASTER_MASTER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/clock.h"
#include "common/stats/shard.h"
#include "master/options.h"

namespace sipfleet::master {

// SIPp's exit codes as the master uses them, plus the cluster's own.
inline constexpr int kExitOk = 0;
inline constexpr int kExitCallsFailed = 1;
inline constexpr int kExitAgentLost = 95;  // the run was aborted: an agent was lost
inline constexpr int kExitTimeoutNoCalls = 97;  // -timeout reached before any call ended
inline constexpr int kExitNoCalls = 99;
inline constexpr int kExitFatal = 255;

struct AgentSummary {
  std::string name;
  bool uas = false;
  stats::Snapshot totals;  // its reports merged (frozen when it was lost)
  bool lost = false;
  uint64_t lost_calls = 0;     // calls in flight on it when it was lost
  uint64_t users = 0;          // its share of -users (0 outside -users runs)
  int64_t clock_offset_us = 0;  // its wall clock minus the master's, measured
  bool late = false;            // joined the running cluster (-late_join share)
};

struct MasterResult {
  int exit_code = kExitFatal;
  std::string message;         // the verdict, one or more lines
  stats::Snapshot merged;      // UAC agents merged (the -sn/-sf scenario)
  stats::Snapshot merged_uas;  // UAS agents merged
  std::vector<AgentSummary> agents;
  // -failure_policy continue: calls in flight on lost agents, reported apart
  // (never as failed calls, never in `merged` twice).
  uint64_t lost_calls = 0;
  // 3PCC commands the master forwarded between agents, and those it could
  // not (no agent runs the destination instance; each reported on stderr
  // and to the sender, whose calls then fail as with a lost twin).
  uint64_t routed_3pcc = 0;
  uint64_t unrouted_3pcc = 0;
};

// Runs one cluster run to its end: listens, waits for the agents, prepares
// them (refusing to start if any fails), starts everyone at one instant,
// merges statistics (and writes -trace_stat -stf in the standalone format),
// and returns the verdict with SIPp's exit code. `on_listening` is called
// with the bound port once agents can dial (port 0 in -listen picks one).
// Blocking; never exits the process.
MasterResult RunMaster(const MasterOptions& options, const base::Clock& clock,
                       const std::function<void(int port)>& on_listening = {});

}  // namespace sipfleet::master

#endif  // SIPFLEET_MASTER_MASTER_H_
