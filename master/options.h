#ifndef SIPFLEET_MASTER_OPTIONS_H_
#define SIPFLEET_MASTER_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/cluster/credentials.h"
#include "common/control/controller.h"
#include "common/stats/shard.h"

namespace sipfleet::master {

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
  // -uas_bind a=ip:port,b=ip:port: where each UAS agent answers (default:
  // the UAC agents' remote_host:port).
  std::vector<std::pair<std::string, std::string>> uas_bind;
  std::vector<std::pair<std::string, uint32_t>> weights;  // -weights a=2,b=1 (default 1)
  // Per-agent scenarios and options (3PCC, issue 6): -agent_sf a=FILE,...
  // and -agent_sn a=NAME,... give a UAS agent its own scenario (UAC agents
  // share -sf/-sn: one statistics layout); -agent_args a="..." (repeatable)
  // adds SIPp options for that agent, after the role's.
  std::vector<std::pair<std::string, std::string>> agent_scenario_files;
  std::vector<std::pair<std::string, std::string>> agent_scenario_names;
  std::vector<std::pair<std::string, std::vector<std::string>>> agent_args;
  // 3PCC instance names: -instances a=m,b=s1 (default: the agent's name; a
  // `-master NAME`/`-slave NAME` in -agent_args says the same). Several
  // agents may share one name: commands for it go where the Call-ID lives.
  std::vector<std::pair<std::string, std::string>> instances;
  // -twins ca=cb: plain -3pcc mode pairs (each is the other's twin); agents
  // with 3PCC scenarios not in a pair run extended mode (dest=/src= names).
  std::vector<std::pair<std::string, std::string>> twins;
  int64_t agent_wait_ms = 60000;   // -agent_wait
  int64_t prepare_wait_ms = 30000;
  int64_t lost_after_ms = 2500;    // -lost_after: no message for this long = lost
  // (plus one 200 ms tick to notice: within the 3 s)
  int64_t lease_ms = 3000;         // -lease: the agents' dead-man's switch
  int64_t start_delay_ms = 500;    // -start_delay: barrier ahead of now
  int64_t tick_ms = 200;
  bool allow_plaintext_remote = false;  // -allow_plaintext
  cluster::ControlTlsOptions ctl_tls;   // -ctl_tls_ca/-ctl_tls_cert/-ctl_tls_key: mTLS
  int64_t max_skew_ms = 50;        // -max_skew: refuse to start beyond this clock offset
  // Load changes (keys, control socket) take effect this far ahead, so every
  // agent applies them at the same instant.
  int64_t effective_delay_ms = 200;
  // -failure_policy: what losing an agent does to the run.
  enum class FailurePolicy { kAbort, kContinue };
  FailurePolicy failure_policy = FailurePolicy::kAbort;
  // -late_join: an agent registering once the run is planned.
  // share: -late_slots stripes are kept for late joiners; one that
  // registers takes a free one from the next epoch (runs without -m only).
  enum class LateJoin { kRefuse, kShare };
  LateJoin late_join = LateJoin::kRefuse;
  uint32_t late_slots = 1;  // -late_slots (with -late_join share)
  // The operator's console (screens on the terminal, keys); -bg and
  // -nostdin also turn them off. The UDP control socket (-cp/-ci) is always
  // opened, as SIPp does.
  bool show_screens = true;
  bool read_keys = true;
  // Tests: called on the run thread every tick once the run started, with
  // the milliseconds since the start, the cluster's controls (what keys and
  // the control socket act on) and the UAC agents' merged statistics.
  std::function<void(int64_t elapsed_ms, control::RunControl& run, const stats::Snapshot& merged)>
      on_tick;
  // Signals, as sipfleet takes them (the binary blocks them in every thread
  // and passes sigtimedwait here; tests may pass anything). Called on the
  // run thread at least every 50 ms from listening to the end; returns a
  // pending signal number or 0. During the run: SIGINT/SIGTERM = quit now
  // (every agent aborts its calls), SIGUSR1 = graceful quit (no new calls,
  // the calls in progress end), SIGUSR2 = dump the merged screens to the
  // screen file. Before the start, SIGINT/SIGTERM/SIGUSR1 give up (exit 255).
  std::function<int()> take_signal;
  // SIPp's arguments without the program name.
  std::vector<std::string> sipp_args;
  // The whole command line as given (for the results summary).
  std::vector<std::string> command_line;
};

// Parses the master's command line (argv with the program name); cluster
// options are taken out, the rest is left in sipp_args. Errors:
// InvalidArgument naming the option.
absl::StatusOr<MasterOptions> ParseMasterCommandLine(const std::vector<std::string>& args);
std::string HelpText();

}  // namespace sipfleet::master

#endif  // SIPFLEET_MASTER_OPTIONS_H_
