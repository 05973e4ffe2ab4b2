#ifndef SIPFLEET_COMMON_SCREEN_TERMINAL_H_
#define SIPFLEET_COMMON_SCREEN_TERMINAL_H_

#include <termios.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sipfleet::screen {

struct TerminalOptions {
  // Read keys from the input (false with -nostdin: the input is never read
  // nor put in raw mode).
  bool read_keys = true;
  // False forces plain text mode even on a usable terminal.
  bool allow_curses = true;
  // How often the caller calls Show(); informational (the caller owns the
  // timing; Poll() never blocks).
  int64_t period_ms = 1000;
  // The descriptors to use; tests pass a pty or a pipe. Not owned: they are
  // duplicated where curses needs FILE streams, and never closed.
  int input_fd = STDIN_FILENO;
  int output_fd = STDOUT_FILENO;
};

// One thing the user did: a key (`command` empty), or a command line typed
// after 'c' and ended by Enter (`key` == 'c', `command` the line without
// its end). 'c' on its own is never reported; Escape cancels the line.
struct Input {
  char key = 0;
  std::string command;

  friend bool operator==(const Input&, const Input&) = default;
};

// The screen and keyboard of a run. Curses mode when the output is a tty
// whose terminal type has cursor addressing (TERM set, not "dumb", known to
// terminfo) and curses is allowed; plain text mode otherwise. Setting up
// curses never exits the process (newterm(), not initscr()): any failure
// falls back to plain mode. Single-threaded: call everything from one
// thread.
//
// Signals: like initscr(), newterm() makes ncurses catch SIGINT, SIGTERM
// (restore the tty, then exit) and SIGTSTP/SIGWINCH, but only those still
// at SIG_DFL; install the run's own handlers before Create() (or after,
// which replaces ncurses') and call Restore() on the way out.
class Terminal {
 public:
  // Never fails; see the class comment for the mode chosen.
  static std::unique_ptr<Terminal> Create(TerminalOptions options);

  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;
  // Restore()s.
  ~Terminal();

  // Curses: replaces the whole screen with `screen_text` (lines beyond the
  // window are cut), keeping an open command prompt on the bottom line.
  // Plain: writes `screen_text`, a newline and a separator line of '='.
  void Show(const std::string& screen_text);

  // Everything typed since the last call, without blocking. Empty when keys
  // are not read, after end of input (EOF stops reading for good, without
  // spinning) or after Restore().
  std::vector<Input> Poll();

  // Gives the terminal back: endwin() in curses mode, the saved termios
  // settings in plain mode. Idempotent; Show() and Poll() do nothing
  // afterwards. Meant for exit paths (call it from the main thread after a
  // signal, not from the signal handler itself).
  void Restore();

  bool curses() const { return curses_ != nullptr; }

 private:
  struct Curses;  // ncurses state, kept out of this header.

  explicit Terminal(TerminalOptions options);
  bool StartCurses();
  void StartPlainInput();
  // Feeds one typed character through the key / command-line state.
  void HandleChar(int ch, std::vector<Input>* inputs);
  void DrawCurses();
  void ReadPlain(std::vector<Input>* inputs);
  void PollCurses(std::vector<Input>* inputs);

  TerminalOptions options_;
  std::unique_ptr<Curses> curses_;
  bool restored_ = false;
  bool input_done_ = false;       // EOF or error: stop reading
  bool termios_saved_ = false;    // plain mode changed a tty's settings
  struct termios saved_termios_ = {};
  bool in_command_ = false;       // after 'c', until Enter or Escape
  std::string command_;           // the command line typed so far
  std::string screen_;            // last text shown (curses redraws)
};

}  // namespace sipfleet::screen

#endif  // SIPFLEET_COMMON_SCREEN_TERMINAL_H_
