#include "master/options.h"

#include <algorithm>
#include <sstream>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/cli/option_table.h"
#include "common/cli/options.h"
#include "common/cluster/credentials.h"

namespace sipfleet::master {
namespace {

using base::TimeUnit;
using Spec = cli::OptionSpec<MasterOptions>;
using Pairs = std::vector<std::pair<std::string, std::string>>;

std::vector<std::string> SplitBlanks(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

// "a=x,b=y" into (name, value) pairs; both sides non-empty. `what` names
// the value in errors ("name=FILE").
Spec NamePairs(Pairs MasterOptions::*field, std::string_view what) {
  return {1, [field, what](MasterOptions& o, const std::vector<std::string>& v) {
            for (std::string_view entry : base::SplitTrimmed(v[0], ',')) {
              size_t equals = entry.find('=');
              if (equals == std::string_view::npos || equals == 0 || equals + 1 == entry.size()) {
                return absl::InvalidArgumentError(base::Cat("'", entry, "' is not name=", what));
              }
              (o.*field).emplace_back(std::string(entry.substr(0, equals)),
                                      std::string(entry.substr(equals + 1)));
            }
            return absl::OkStatus();
          }};
}

// -agents N|a,b,c: a count, or the names (each once).
absl::Status SetAgents(MasterOptions& o, const std::vector<std::string>& v) {
  int count = 0;
  if (base::ParseInt(v[0], &count)) {
    if (count < 1) return absl::InvalidArgumentError("at least one agent");
    o.agent_count = count;
    return absl::OkStatus();
  }
  for (std::string_view name : base::SplitTrimmed(v[0], ',')) {
    if (std::find(o.agent_names.begin(), o.agent_names.end(), name) != o.agent_names.end()) {
      return absl::InvalidArgumentError(base::Cat("'", name, "' named twice"));
    }
    o.agent_names.emplace_back(name);
  }
  return absl::OkStatus();
}

// -uas_agents a,b: the names of the UAS agents.
absl::Status SetUasAgents(MasterOptions& o, const std::vector<std::string>& v) {
  for (std::string_view name : base::SplitTrimmed(v[0], ',')) o.uas_agents.emplace_back(name);
  return absl::OkStatus();
}

// -uas_args "...": split on blanks.
absl::Status SetUasArgs(MasterOptions& o, const std::vector<std::string>& v) {
  o.uas_args = SplitBlanks(v[0]);
  return absl::OkStatus();
}

// -weights a=2,b=1: each N >= 1.
absl::Status SetWeights(MasterOptions& o, const std::vector<std::string>& v) {
  for (std::string_view entry : base::SplitTrimmed(v[0], ',')) {
    size_t equals = entry.find('=');
    uint32_t weight = 0;
    if (equals == std::string_view::npos || !base::ParseInt(entry.substr(equals + 1), &weight) ||
        weight == 0) {
      return absl::InvalidArgumentError(base::Cat("'", entry, "' is not name=N, N >= 1"));
    }
    o.weights.emplace_back(std::string(entry.substr(0, equals)), weight);
  }
  return absl::OkStatus();
}

// -agent_args NAME="ARGS": SIPp options for one agent. SIPp's 3PCC role
// flags there mean what they mean for that process: -master/-slave NAME
// name its 3PCC instance; -slave_cfg is dropped (names resolve to agents);
// -3pcc is refused (twins are paired with -twins).
absl::Status SetAgentArgs(MasterOptions& o, const std::vector<std::string>& v) {
  const std::string_view value = v[0];
  size_t equals = value.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return absl::InvalidArgumentError(base::Cat("'", value, "' is not name=\"options\""));
  }
  const std::string name(value.substr(0, equals));
  std::vector<std::string> words = SplitBlanks(value.substr(equals + 1));
  std::vector<std::string> kept;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    const bool role = word == "-master" || word == "-slave";
    if (!role && word != "-slave_cfg" && word != "-3pcc") {
      kept.push_back(word);
      continue;
    }
    if (i + 1 >= words.size()) {
      return absl::InvalidArgumentError(base::Cat(name, ": ", word, " needs a value"));
    }
    const std::string& operand = words[++i];
    if (word == "-3pcc") {
      return absl::InvalidArgumentError(base::Cat(
          name, ": -3pcc ", operand, " has no meaning in the cluster: pair the twins with -twins ",
          name, "=OTHER_AGENT"));
    }
    if (role) o.instances.emplace_back(name, operand);
  }
  o.agent_args.emplace_back(name, std::move(kept));
  return absl::OkStatus();
}

// The cluster's own options; the -h text is made of their entries.
const cli::OptionTable<MasterOptions>& ClusterTable() {
  static const auto* table = new cli::OptionTable<MasterOptions>{
      {"listen", cli::String(&MasterOptions::listen)
                     .Doc("host:port", "control address the agents dial (default\n"
                                       "127.0.0.1:7700; port 0 picks one)")},
      {"agents", cli::Custom<MasterOptions>(1, SetAgents)
                     .Doc("N|a,b,c", "wait for N agents, or exactly these names")},
      {"uas_agents", cli::Custom<MasterOptions>(1, SetUasAgents)
                         .Doc("a,b", "these agents answer calls (UAS role) at the\n"
                                     "remote_host:port the UAC agents call; the others\n"
                                     "run the -sn/-sf scenario (UAC role)")},
      {"uas_sn", cli::String(&MasterOptions::uas_scenario_name)
                     .Doc("NAME", "built-in scenario of the UAS agents (default uas)")},
      {"uas_sf", cli::String(&MasterOptions::uas_scenario_file)
                     .Doc("FILE", "scenario file of the UAS agents")},
      {"uas_args", cli::Custom<MasterOptions>(1, SetUasArgs)
                       .Doc("\"...\"", "extra SIPp options for the UAS agents (they get -t,\n"
                                     "-tls_*, -max_msg_size and -buff_size of the command line)")},
      {"uas_bind", NamePairs(&MasterOptions::uas_bind, "ip:port")
                       .Doc("a=ip:port,b=ip:port",
                            "where each UAS agent answers (default: the UAC's\n"
                            "remote_host:port). Several UAS agents on one host\n"
                            "need one each; usually they sit behind the SUT")},
      {"weights", cli::Custom<MasterOptions>(1, SetWeights)
                      .Doc("a=2,b=1", "relative share of each UAC agent (default 1): an\n"
                                      "agent of weight w runs w x -workers workers and\n"
                                      "places that share of the calls; shares add up\n"
                                      "exactly (each agent owns a stripe of call numbers)")},
      {"agent_wait", cli::Time(&MasterOptions::agent_wait_ms, TimeUnit::kSeconds)
                         .Doc("SECONDS", "how long to wait for the agents (default 60)")},
      {"prepare_wait", cli::Time(&MasterOptions::prepare_wait_ms, TimeUnit::kSeconds)
                           .Doc("SECONDS", "how long each agent may take to load the scenario\n"
                                           "and resolve its remote host (default 30)")},
      {"lost_after", cli::Time(&MasterOptions::lost_after_ms, TimeUnit::kSeconds)
                         .Doc("SECONDS", "an agent silent this long is lost (default 2.5: agents\n"
                                         "report every 0.2 s, so a loss is seen within 3 s)")},
      {"lease", cli::Time(&MasterOptions::lease_ms, TimeUnit::kSeconds)
                    .Doc("SECONDS", "the agents' dead-man's switch (default 3)")},
      {"start_delay", cli::Time(&MasterOptions::start_delay_ms, TimeUnit::kSeconds)
                          .Doc("SECONDS", "the start barrier, this far ahead (default 0.5)")},
      {"max_skew", cli::Time(&MasterOptions::max_skew_ms, TimeUnit::kSeconds)
                       .Doc("SECONDS", "refuse to start if an agent's clock is off the\n"
                                       "master's by more (NTP-style estimate; default 0.05)")},
      {"failure_policy",
       cli::Choice(&MasterOptions::failure_policy,
                   {{"abort", MasterOptions::FailurePolicy::kAbort},
                    {"continue", MasterOptions::FailurePolicy::kContinue}})
           .Doc("abort|continue", "abort (default): an agent lost ends the run, exit\n"
                                  "95, the report names it. continue: a lost UAC\n"
                                  "agent's share of the rate, -l and -users moves to\n"
                                  "the survivors from the next epoch; its calls in\n"
                                  "flight are reported as lost (not failed); the exit\n"
                                  "code is the survivors' verdict. -m numbers of its\n"
                                  "stripe not yet placed are not re-placed. A lost\n"
                                  "UAS agent always aborts.")},
      {"late_join",
       cli::Choice(&MasterOptions::late_join, {{"refuse", MasterOptions::LateJoin::kRefuse},
                                               {"share", MasterOptions::LateJoin::kShare}})
           .Doc("refuse|share", "an agent joining once the run is planned is\n"
                                "refused (default), or (share) takes one of the\n"
                                "-late_slots stripes kept for late joiners: after\n"
                                "its clock check and prepare, it gets its share of\n"
                                "the rate, -l and -users from the next epoch while\n"
                                "the total stays. Runs without -m only.")},
      {"late_slots", cli::Integer(&MasterOptions::late_slots, uint32_t{1})
                         .Doc("N", "stripes kept for late joiners (default 1, weight 1\n"
                                   "each); until taken, the others cover their share")},
  };
  return *table;
}

// Per-agent scenarios and options (3PCC and other multi-role tests).
const cli::OptionTable<MasterOptions>& PerAgentTable() {
  static const auto* table = new cli::OptionTable<MasterOptions>{
      {"agent_sf", NamePairs(&MasterOptions::agent_scenario_files, "FILE")
                       .Doc("a=FILE,...",
                            "scenario file of UAS agent a (instead of -uas_sf/-uas_sn;\n"
                            "UAC agents all run -sf/-sn: one statistics layout)")},
      {"agent_sn", NamePairs(&MasterOptions::agent_scenario_names, "NAME")
                       .Doc("a=NAME,...", "built-in scenario of UAS agent a")},
      {"agent_args", cli::Custom<MasterOptions>(1, SetAgentArgs)
                         .Doc("a=\"...\"", "extra SIPp options for agent a (repeatable), after\n"
                                           "its role's (e.g. its remote_host, -key, -m)")},
      {"instances", NamePairs(&MasterOptions::instances, "INSTANCE")
                        .Doc("a=NAME,...", "3PCC instance name of agent a (default: the agent's\n"
                                           "name). SIPp's -master NAME / -slave NAME inside\n"
                                           "-agent_args say the same. Several agents may share\n"
                                           "a name: a command for it goes to the agent where its\n"
                                           "Call-ID lives (else one fixed by the Call-ID's hash)")},
      {"twins", NamePairs(&MasterOptions::twins, "agent")
                    .Doc("a=b,...", "plain -3pcc twins: each command of a goes to b and\n"
                                    "back (3pcc-C-A on a, 3pcc-C-B on b)")},
  };
  return *table;
}

// Control-plane security: mutual TLS, or plain text where allowed.
cli::OptionTable<MasterOptions> ControlSecurityOptions() {
  return cluster::ControlSecurityOptionTable(
      &MasterOptions::ctl_tls, &MasterOptions::allow_plaintext_remote, /*agent=*/false);
}

// Every option of the master, in help order.
const cli::OptionTable<MasterOptions>& Table() {
  static const auto* table = new cli::OptionTable<MasterOptions>(
      cli::Concat({ClusterTable(), PerAgentTable(), ControlSecurityOptions()}));
  return *table;
}

}  // namespace

absl::StatusOr<MasterOptions> ParseMasterCommandLine(const std::vector<std::string>& args) {
  MasterOptions options;
  options.command_line = args;
  const cli::OptionTable<MasterOptions>& table = Table();
  for (size_t i = 1; i < args.size(); ++i) {
    absl::StatusOr<bool> taken = table.Take(args, &i, options);
    if (!taken.ok()) return taken.status();
    if (!*taken) options.sipp_args.push_back(args[i]);
  }
  // The rest is SIPp's command line: refused now, as sipfleet refuses it
  // (a misspelt option is suggested among SIPp's and the cluster's).
  std::vector<std::string> sipp_argv = {args.empty() ? "sipfleet-master" : args[0]};
  sipp_argv.insert(sipp_argv.end(), options.sipp_args.begin(), options.sipp_args.end());
  if (absl::StatusOr<cli::Options> sipp = cli::ParseCommandLine(sipp_argv, table.Names());
      !sipp.ok()) {
    return sipp.status();
  }
  if (!options.agent_names.empty()) {
    for (const std::string& name : options.uas_agents) {
      if (std::find(options.agent_names.begin(), options.agent_names.end(), name) ==
          options.agent_names.end()) {
        return absl::InvalidArgumentError(base::Cat("-uas_agents: '", name, "' is not in -agents"));
      }
    }
  }
  return options;
}

std::string HelpText() {
  return "Usage: sipfleet-master -listen host:port -agents N|name,name,... [cluster options]\n"
         "                       [SIPp options] remote_host[:port]\n"
         "\n"
         "Runs one SIPp-style test on a cluster of sipfleet-agents. Every SIPp option\n"
         "means for the cluster what it means for one process: -r is the total rate,\n"
         "-m the total call count, -l and -users the totals (shared out by weight);\n"
         "-trace_stat -stf writes the merged statistics in the standalone format.\n"
         "The master places no calls.\n"
         "\n"
         "Live control: the master shows the merged screens (1-9) and takes SIPp's\n"
         "keys and control socket commands (-cp/-ci: + - * / p q Q s, 'cset rate N',\n"
         "'cset limit N', 'cset users N', 'creset stats'); each acts on every agent.\n"
         "A rate change or pause is one new pacing computed by the master and applied\n"
         "by all agents at the same instant, 0.2 s ahead. q drains, Q aborts calls.\n"
         "-bg or -nostdin: no screens / no keys (the control socket stays).\n"
         "Signals as sipfleet: SIGINT/SIGTERM quit now (every agent aborts its calls),\n"
         "SIGUSR1 quits gracefully (no new calls), SIGUSR2 dumps the merged screens to\n"
         "the screen file (-screen_file; -trace_screen also dumps them at the end).\n"
         "-rate_increase/-rate_interval/-rate_max/-no_rate_quit raise the total rate\n"
         "(one new pacing epoch per step); -timeout drains the cluster (-timeout_error:\n"
         "aborts, exit 255).\n"
         "\n"
         "Cluster options (times in seconds, or with SIPp's suffixes: 500ms, 2s, 1m):\n" +
         ClusterTable().Help() +
         "\n"
         "Per agent (3PCC and other multi-role tests):\n" +
         PerAgentTable().Help() +
         "3PCC: agents whose scenario has <sendCmd>/<recvCmd> exchange commands\n"
         "through the master by instance name; not in -twins, they run SIPp's extended\n"
         "mode (dest=/src= name instances; the From: line names the sender), so SIPp's\n"
         "extended-3PCC scenarios run unchanged. No -slave_cfg is needed: one given is\n"
         "ignored (with a note); -3pcc/-master/-slave on the master's own SIPp command\n"
         "line are refused (they name one process). A dest= no agent runs fails that\n"
         "agent's prepare (file:line); a command the master cannot route is counted and\n"
         "reported, and its sender handles it as a lost twin. An agent lost: the agents\n"
         "talking to its instance handle it as a lost twin (no new calls, calls waiting\n"
         "for a command fail).\n"
         "\n"
         "Control-plane security (mutual TLS with the agents):\n" +
         ControlSecurityOptions().Help() +
         "\n"
         "Refused: a duplicate agent name, an unknown name, an agent of another API\n"
         "version, an agent joining after the run was planned. If any agent fails to\n"
         "load its scenario the run does not start and the error names the agent and\n"
         "the line.\n"
         "\n"
         "Exit codes: SIPp's (0 all calls successful, 1 some failed, 255 fatal),\n"
         "plus 95: the run was aborted because an agent was lost.\n";
}

}  // namespace sipfleet::master
