// sipfleet-agent: the sipfleet engine driven by sipfleet-master (issue 6).
// main() is the only place that exits.

#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "agent/agent_options.h"
#include "agent/agent_session.h"
#include "common/base/clock.h"

int main(int argc, char** argv) {
  using namespace sipfleet::agent;
  absl::StatusOr<AgentCommandLine> command_line =
      ParseAgentCommandLine(std::vector<std::string>(argv, argv + argc));
  if (!command_line.ok()) {
    std::cerr << "sipfleet-agent: " << command_line.status().message() << "\n";
    return 255;
  }
  if (command_line->help) {
    std::cout << AgentHelpText();
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  sipfleet::base::SystemClock clock;
  AgentResult result = RunAgent(command_line->options, clock);
  std::cerr << result.message << "\n";
  return result.exit_code;
}
