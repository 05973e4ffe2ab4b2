// sipfleet-master: SIPp's command line run on a cluster of sipfleet-agents
// (issue 6). main() is the only place that exits.

#include <pthread.h>
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
  // Signals as sipfleet takes them (master.h, MasterOptions::take_signal):
  // blocked before any thread exists, so every thread inherits the mask and
  // only the run thread's sigtimedwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  options->take_signal = [signals] {
    timespec now{0, 0};
    int taken = sigtimedwait(&signals, nullptr, &now);
    return taken > 0 ? taken : 0;
  };
  sipfleet::base::SystemClock clock;
  MasterResult result = RunMaster(*options, clock, [](int port) {
    std::cerr << "sipfleet-master: listening on port " << port << "\n";
  });
  (result.exit_code == kExitOk ? std::cout : std::cerr) << result.message << "\n";
  return result.exit_code;
}
