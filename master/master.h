#ifndef SIPFLEET_MASTER_MASTER_H_
#define SIPFLEET_MASTER_MASTER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/clock.h"
#include "common/stats/shard.h"

namespace sipfleet::master {

// SIPp's exit codes as the master uses them, plus the cluster's own.
inline constexpr int kExitOk = 0;
inline constexpr int kExitCallsFailed = 1;
inline constexpr int kExitAgentLost = 95;  // the run was aborted: an agent was lost
inline constexpr int kExitNoCalls = 99;
inline constexpr int kExitFatal = 255;

// The cluster options (the rest of the command line is SIPp's and means for
// the cluster what it means for one process). See HelpText().
struct MasterOptions {
  std::string listen = "127.0.0.1:7700";
  // -agents: a count, or the names (then exactly these, in this order).
  int agent_count = 0;
  std::vector<std::string> agent_names;
  // -uas_agents: the names that run the UAS role; everyone else is a UAC.
  std::vector<std::string> uas_agents;
  std::string uas_scenario_name = "uas";  // -uas_sn
  std::string uas_scenario_file;          // -uas_sf
  std::vector<std::string> uas_args;      // -uas_args "..." (split on blanks)
  std::vector<std::pair<std::string, uint32_t>> weights;  // -weights a=2,b=1 (default 1)
  int64_t agent_wait_ms = 60000;   // -agent_wait
  int64_t prepare_wait_ms = 30000;
  int64_t lost_after_ms = 2500;    // -lost_after: no message for this long = lost
  // (plus one 200 ms tick to notice: within the 3 s)
  int64_t lease_ms = 3000;         // -lease: the agents' dead-man's switch
  int64_t start_delay_ms = 500;    // -start_delay: barrier ahead of now
  int64_t tick_ms = 200;
  bool allow_plaintext_remote = false;  // -allow_plaintext
  // SIPp's arguments without the program name.
  std::vector<std::string> sipp_args;
};

// Parses the master's command line (argv with the program name); cluster
// options are taken out, the rest is left in sipp_args. Errors:
// InvalidArgument naming the option.
absl::StatusOr<MasterOptions> ParseMasterCommandLine(const std::vector<std::string>& args);
std::string HelpText();

struct AgentSummary {
  std::string name;
  bool uas = false;
  stats::Snapshot totals;  // its reports merged
  bool lost = false;
};

struct MasterResult {
  int exit_code = kExitFatal;
  std::string message;         // the verdict, one or more lines
  stats::Snapshot merged;      // UAC agents merged (the -sn/-sf scenario)
  stats::Snapshot merged_uas;  // UAS agents merged
  std::vector<AgentSummary> agents;
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
