// sipfleet-master: SIPp's command line run on a cluster of sipfleet-agents
// (issue 6). main() is the only place that exits.

#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "common/base/clock.h"
#include "master/master.h"

int main(int argc, char** argv) {
  using namespace sipfleet::master;
  std::vector<std::string> args(argv, argv + argc);
  for (const std::string& arg : args) {
    if (arg == "-h" || arg == "--help") {
      std::cout << HelpText();
      return kExitNoCalls;
    }
  }
  absl::StatusOr<MasterOptions> options = ParseMasterCommandLine(args);
  if (!options.ok()) {
    std::cerr << "sipfleet-master: " << options.status().message() << "\n";
    return kExitFatal;
  }
  signal(SIGPIPE, SIG_IGN);
  sipfleet::base::SystemClock clock;
  MasterResult result = RunMaster(*options, clock, [](int port) {
    std::cerr << "sipfleet-master: listening on port " << port << "\n";
  });
  (result.exit_code == kExitOk ? std::cout : std::cerr) << result.message << "\n";
  return result.exit_code;
}
