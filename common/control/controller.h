#ifndef SIPFLEET_COMMON_CONTROL_CONTROLLER_H_
#define SIPFLEET_COMMON_CONTROL_CONTROLLER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace sipfleet::control {

// What a run offers to SIPp's keys and commands: the standalone engine, or
// (next issue) a cluster master acting on all its agents.
class RunControl {
 public:
  virtual ~RunControl() = default;
  // Calls per rate period; never set below 0.
  virtual double rate() const = 0;
  virtual void SetRate(double rate) = 0;
  // -users runs: the calls kept open.
  virtual bool users_mode() const = 0;
  virtual uint64_t users() const = 0;
  virtual void SetUsers(uint64_t users) = 0;
  virtual bool paused() const = 0;
  virtual void SetPaused(bool paused) = 0;
  // -l, 0 = none.
  virtual void SetCallLimit(uint64_t limit) = 0;
  // q: no new calls, exit once the calls in progress end.
  virtual void Quit() = 0;
  // Q (or q twice): end calls in progress now (BYE/CANCEL) and exit.
  virtual void QuitNow() = 0;
  // s: write the screens to the screen file.
  virtual void DumpScreens() = 0;
  // `trace error|logs|messages|shortmessages on|off`.
  virtual absl::Status SetTrace(std::string_view kind, bool on) = 0;
  // `reset stats`: cumulative statistics restart from zero.
  virtual void ResetStats() = 0;
  // `dump tasks|variables`: text for the screen's status area.
  virtual std::string DumpTasks() = 0;
  virtual std::string DumpVariables() = 0;
};

// SIPp's key and command language (SIPP_NOTES §2.5) applied to a RunControl,
// plus the state only the user interface keeps: the screen shown, hidden or
// not, and the last status message. Single-threaded: the run's controlling
// thread feeds it keys from the terminal and datagrams from the control
// socket.
class Controller {
 public:
  // `rate_scale` is the unit of + - * / (-rate_scale).
  Controller(RunControl* run, double rate_scale) : run_(run), rate_scale_(rate_scale) {}

  // One key: 1-9 + - * / p q Q s. Others are refused (counted, status says
  // so). 'c' alone does nothing here: the terminal collects the command.
  void OnKey(char key);
  // A command line as typed after 'c' (without the 'c'), e.g. "set rate 50".
  void OnCommand(std::string_view line);
  // A control socket datagram: 'c' + command, else its first byte is a key
  // (SIPp reads nothing else of it). Empty or unprintable input is refused.
  void OnDatagram(std::string_view datagram);

  int screen() const { return screen_; }
  bool hidden() const { return hidden_; }
  // The last thing a key or command said ("" if nothing yet).
  const std::string& status() const { return status_; }
  // Keys, commands and datagrams that were not understood.
  uint64_t rejected() const { return rejected_; }
  // Quit requested (q) / forced (Q or a second q).
  bool quitting() const { return quit_presses_ > 0; }

 private:
  void AdjustLoad(double delta);
  void Reject(std::string message);
  void OnSet(std::string_view what, std::string_view value);
  void OnTrace(std::string_view kind, std::string_view state);

  RunControl* const run_;
  double rate_scale_;
  int screen_ = 1;
  bool hidden_ = false;
  int quit_presses_ = 0;
  std::string status_;
  uint64_t rejected_ = 0;
};

}  // namespace sipfleet::control

#endif  // SIPFLEET_COMMON_CONTROL_CONTROLLER_H_
