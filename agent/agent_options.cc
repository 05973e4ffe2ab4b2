#include "agent/agent_options.h"

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/cli/option_table.h"
#include "common/cluster/credentials.h"

namespace sipfleet::agent {
namespace {

using base::TimeUnit;

const cli::OptionTable<AgentOptions>& AgentTable() {
  static const auto* table = new cli::OptionTable<AgentOptions>{
      {"master", cli::String(&AgentOptions::master)
                     .Doc("host:port", "the master's control address (required)")},
      {"name", cli::String(&AgentOptions::name)
                   .Doc("NAME", "this agent's name, unique in the cluster (required)")},
      {"lease", cli::Time(&AgentOptions::lease_ms, TimeUnit::kSeconds, /*positive=*/true)
                    .Doc("SECONDS", "dead-man's switch: if the master is silent this long,\n"
                                    "stop placing calls, drain and exit 95 (default 3)")},
      {"drain", cli::Time(&AgentOptions::drain_limit_ms, TimeUnit::kSeconds, /*positive=*/true)
                    .Doc("SECONDS", "after the lease, abort calls still open after this\n"
                                    "long (default 5)")},
      {"resolve_wait",
       cli::Time(&AgentOptions::resolve_wait_ms, TimeUnit::kSeconds)
           .Doc("SECONDS", "at prepare, keep trying to resolve the remote host's\n"
                           "name this long (DNS that lags the pods; default 15)")},
      {"allow_exec", cli::Flag(&AgentOptions::allow_exec)
                         .Doc("", "run the scenario's <exec command=> actions (off by\n"
                                  "default: a master could run commands on every agent)")},
  };
  return *table;
}

// Control-plane security: mutual TLS, or plain text where allowed.
cli::OptionTable<AgentOptions> ControlSecurityOptions() {
  return cluster::ControlSecurityOptionTable(&AgentOptions::ctl_tls,
                                             &AgentOptions::allow_plaintext_remote, /*agent=*/true);
}

// Every option, -h included.
cli::OptionTable<AgentCommandLine> MakeTable() {
  cli::OptionTable<AgentCommandLine> table = {
      {"h", cli::Flag(&AgentCommandLine::help)},
      {"-help", cli::Flag(&AgentCommandLine::help)},
  };
  table.Embed(&AgentCommandLine::options, cli::Concat({AgentTable(), ControlSecurityOptions()}));
  return table;
}

}  // namespace

absl::StatusOr<AgentCommandLine> ParseAgentCommandLine(const std::vector<std::string>& args) {
  AgentCommandLine command_line;
  const cli::OptionTable<AgentCommandLine> table = MakeTable();
  for (size_t i = 1; i < args.size(); ++i) {
    absl::StatusOr<bool> taken = table.Take(args, &i, command_line);
    if (!taken.ok()) return taken.status();
    if (*taken) continue;
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      return absl::InvalidArgumentError(base::Cat("unexpected argument '", arg, "' (-h for help)"));
    }
    return cli::UnknownOption(std::string_view(arg).substr(1), table.Names());
  }
  if (command_line.help) return command_line;
  if (command_line.options.master.empty() || command_line.options.name.empty()) {
    return absl::InvalidArgumentError("-master and -name are required (-h for help)");
  }
  return command_line;
}

std::string AgentHelpText() {
  return "Usage: sipfleet-agent -master host:port -name NAME [options]\n"
         "\n"
         "Dials sipfleet-master, registers as NAME and runs the share of the load\n"
         "the master gives it with the sipfleet engine. It answers the master's\n"
         "clock sample at once (the master refuses to start beyond -max_skew) and\n"
         "applies the master's live load changes (rate, pause, -l, -users) at the\n"
         "instant they name, mapped to this host's clock; stale epochs are dropped.\n"
         "Several UAS agents on one host each need their own address (the master's\n"
         "-uas_bind).\n"
         "\n"
         "Options (times in seconds, or with SIPp's suffixes: 500ms, 2s, 1m):\n" +
         AgentTable().Help() + cli::HelpLines("h", "", "this help") +
         "\n"
         "Control-plane security (mutual TLS with the master):\n" +
         ControlSecurityOptions().Help() +
         "\n"
         "Exit codes: 0 shut down by the master, 95 master lost (lease expired),\n"
         "255 refused or unreachable.\n";
}

}  // namespace sipfleet::agent
