#ifndef SIPFLEET_COMMON_CONSOLE_CONSOLE_H_
#define SIPFLEET_COMMON_CONSOLE_CONSOLE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/control/control_socket.h"
#include "common/control/controller.h"
#include "common/screen/screen_input.h"
#include "common/screen/terminal.h"

namespace sipfleet::console {

struct ConsoleOptions {
  bool show_screens = true;     // false with -bg: nothing on the terminal
  bool read_keys = true;        // false with -nostdin
  bool allow_curses = true;     // false forces plain text screens
  int64_t refresh_ms = 1000;    // -f
  double rate_scale = 1.0;      // -rate_scale
  bool control_socket = true;   // SIPp always opens one
  int control_port = 8888;      // -cp: first port tried (60 in all)
  std::string control_ip;       // -ci
  std::string screen_file;      // s, SIGUSR2 and -trace_screen write here
  bool screen_overwrite = true;  // -screen_overwrite: the run's first dump truncates
};

// The operator's side of a run: the screens on the terminal (curses, or
// plain text without a usable terminal), keys, and the UDP control socket,
// all applied to a control::RunControl through SIPp's key language. Used by
// sipfleet and, for a whole cluster, by sipfleet-master. Single-threaded:
// everything runs on the controlling thread.
class Console {
 public:
  // Builds what the screens show; called only when a screen is drawn or
  // dumped.
  using InputSource = std::function<screen::ScreenInput()>;

  // Errors: the control socket cannot be bound on any of its ports.
  static absl::StatusOr<std::unique_ptr<Console>> Create(const ConsoleOptions& options,
                                                         control::RunControl* run,
                                                         InputSource source);
  ~Console();

  // Applies pending keys and control datagrams; redraws the screen when the
  // refresh period has passed since the last draw (or a key changed it).
  void Poll(int64_t now_ms);
  // Keys from elsewhere (the live page's buttons, -web_control), applied
  // exactly as typed keys; the next Poll() shows their effect.
  void PressKeys(std::string_view keys);
  // Appends the screens (screen::RenderScreenDump) to the screen file.
  absl::Status DumpScreens();
  // The last screen of the run, then the terminal is given back.
  void Finish();

  const control::Controller& controller() const { return controller_; }
  // The control socket's port (0 without one).
  int control_port() const { return socket_ ? socket_->port() : 0; }
  bool curses() const { return terminal_ && terminal_->curses(); }

 private:
  Console(const ConsoleOptions& options, control::RunControl* run, InputSource source)
      : options_(options), controller_(run, options.rate_scale), source_(std::move(source)) {}
  void Draw();

  ConsoleOptions options_;
  control::Controller controller_;
  InputSource source_;
  std::unique_ptr<control::ControlSocket> socket_;
  std::unique_ptr<screen::Terminal> terminal_;
  int64_t next_draw_ms_ = 0;
  bool screen_file_started_ = false;
};

}  // namespace sipfleet::console

#endif  // SIPFLEET_COMMON_CONSOLE_CONSOLE_H_
