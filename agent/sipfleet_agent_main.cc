// sipfleet-agent: the sipfleet engine driven by sipfleet-master (issue 6).
// main() is the only place that exits.

#include <signal.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "agent/agent_session.h"
#include "common/base/clock.h"
#include "common/base/strings.h"

namespace sipfleet::agent {
namespace {

constexpr char kHelp[] =
    "Usage: sipfleet-agent -master host:port -name NAME [options]\n"
    "\n"
    "Dials sipfleet-master, registers as NAME and runs the share of the load\n"
    "the master gives it with the sipfleet engine. It answers the master's\n"
    "clock sample at once (the master refuses to start beyond -max_skew) and\n"
    "applies the master's live load changes (rate, pause, -l, -users) at the\n"
    "instant they name, mapped to this host's clock; stale epochs are dropped.\n"
    "Several UAS agents on one host each need their own address (the master's\n"
    "-uas_bind).\n"
    "\n"
    "  -master host:port  the master's control address (required)\n"
    "  -name NAME         this agent's name, unique in the cluster (required)\n"
    "  -lease SECONDS     dead-man's switch: if the master is silent this long,\n"
    "                     stop placing calls, drain and exit 95 (default 3)\n"
    "  -drain SECONDS     after the lease, abort calls still open after this\n"
    "                     long (default 5)\n"
    "  -allow_exec        run the scenario's <exec command=> actions (off by\n"
    "                     default: a master could run commands on every agent)\n"
    "  -h                 this help\n"
    "\n"
    "Control-plane security (mutual TLS with the master):\n";
constexpr char kHelpExitCodes[] =
    "\n"
    "Exit codes: 0 shut down by the master, 95 master lost (lease expired),\n"
    "255 refused or unreachable.\n";

int Run(const std::vector<std::string>& args) {
  AgentOptions options;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= args.size()) return false;
      *out = args[++i];
      return true;
    };
    std::string text;
    double seconds = 0;
    if (absl::StatusOr<bool> tls = cluster::TakeControlTlsOption(args, &i, true, &options.ctl_tls);
        !tls.ok() || *tls) {
      if (!tls.ok()) return (std::cerr << "sipfleet-agent: " << tls.status().message() << "\n", 255);
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      std::cout << kHelp << cluster::ControlTlsHelp(true) << kHelpExitCodes;
      return 0;
    } else if (arg == "-master") {
      if (!value(&options.master)) return (std::cerr << "-master needs host:port\n", 255);
    } else if (arg == "-name") {
      if (!value(&options.name)) return (std::cerr << "-name needs a value\n", 255);
    } else if (arg == "-lease" || arg == "-drain") {
      if (!value(&text) || !base::ParseDouble(text, &seconds) || seconds <= 0) {
        std::cerr << "sipfleet-agent: " << arg << " needs a positive number of seconds\n";
        return 255;
      }
      (arg == "-lease" ? options.lease_ms : options.drain_limit_ms) =
          static_cast<int64_t>(seconds * 1000);
    } else if (arg == "-allow_exec") {
      options.allow_exec = true;
    } else if (arg == "-allow_plaintext") {
      options.allow_plaintext_remote = true;
    } else {
      std::cerr << "sipfleet-agent: unknown option " << arg << " (-h for help)\n";
      return 255;
    }
  }
  if (options.master.empty() || options.name.empty()) {
    std::cerr << "sipfleet-agent: -master and -name are required (-h for help)\n";
    return 255;
  }
  signal(SIGPIPE, SIG_IGN);
  base::SystemClock clock;
  AgentResult result = RunAgent(options, clock);
  std::cerr << result.message << "\n";
  return result.exit_code;
}

}  // namespace
}  // namespace sipfleet::agent

int main(int argc, char** argv) {
  return sipfleet::agent::Run(std::vector<std::string>(argv, argv + argc));
}
