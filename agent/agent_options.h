#ifndef SIPFLEET_AGENT_AGENT_OPTIONS_H_
#define SIPFLEET_AGENT_AGENT_OPTIONS_H_

// sipfleet-agent's command line, taken with common/cli's option table as
// sipfleet's and the master's are.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/agent_session.h"

namespace sipfleet::agent {

struct AgentCommandLine {
  AgentOptions options;
  bool help = false;  // -h / --help
};

// Parses argv (argv[0] is the program name). Errors: InvalidArgument naming
// the option (a misspelt one with the closest valid name), or -master and
// -name missing.
absl::StatusOr<AgentCommandLine> ParseAgentCommandLine(const std::vector<std::string>& args);

// The -h text.
std::string AgentHelpText();

}  // namespace sipfleet::agent

#endif  // SIPFLEET_AGENT_AGENT_OPTIONS_H_
