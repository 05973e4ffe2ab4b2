#include "common/screen/terminal.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// ncurses defines macros that collide with ordinary C++ names.
#undef erase
#undef clear
#undef move
#undef refresh
#undef timeout

namespace sipfleet::screen {
namespace {

constexpr int kEscape = 27;
constexpr int kDelete = 127;
constexpr int kBackspace = 8;
constexpr size_t kMaxCommandLength = 200;
constexpr int kMaxReadsPerPoll = 16;
constexpr char kCommandPrompt[] = "Command: ";

// Writes all of `text`, retrying on EINTR; gives up (drops the rest) on any
// other error so a full or closed output never blocks or spins.
void WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    text.remove_prefix(static_cast<size_t>(written));
  }
}

// True if $TERM names a terminfo entry with cursor addressing, checked
// without letting ncurses print or exit (setupterm with an error pointer).
bool TerminalTypeUsable(int output_fd) {
  const char* term = std::getenv("TERM");
  if (term == nullptr || *term == '\0' || std::strcmp(term, "dumb") == 0) return false;
  int error = 0;
  if (setupterm(term, output_fd, &error) != OK) return false;
  char* cup = tigetstr(const_cast<char*>("cup"));
  bool usable = cup != nullptr && cup != reinterpret_cast<char*>(-1);
  del_curterm(cur_term);
  cur_term = nullptr;
  return usable;
}

// A FILE stream on a duplicate of `fd` (so fclose leaves `fd` open), or
// null.
FILE* DupStream(int fd, const char* mode) {
  if (fd < 0) return nullptr;
  int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return nullptr;
  FILE* stream = ::fdopen(copy, mode);
  if (stream == nullptr) ::close(copy);
  return stream;
}

bool IsPrintable(int ch) { return ch >= 0x20 && ch < 0x7f; }

}  // namespace

struct Terminal::Curses {
  SCREEN* screen = nullptr;
  FILE* out = nullptr;
  FILE* in = nullptr;

  ~Curses() {
    if (screen != nullptr) {
      set_term(screen);
      endwin();
      delscreen(screen);
    }
    if (out != nullptr) fclose(out);
    if (in != nullptr) fclose(in);
  }
};

Terminal::Terminal(TerminalOptions options) : options_(options) {}

std::unique_ptr<Terminal> Terminal::Create(TerminalOptions options) {
  std::unique_ptr<Terminal> terminal(new Terminal(options));
  if (!options.allow_curses || !terminal->StartCurses()) terminal->StartPlainInput();
  return terminal;
}

Terminal::~Terminal() { Restore(); }

bool Terminal::StartCurses() {
  if (!::isatty(options_.output_fd) || !TerminalTypeUsable(options_.output_fd)) return false;
  auto state = std::make_unique<Curses>();
  state->out = DupStream(options_.output_fd, "w");
  if (options_.read_keys) state->in = DupStream(options_.input_fd, "r");
  if (state->in == nullptr) state->in = ::fopen("/dev/null", "re");
  if (state->out == nullptr || state->in == nullptr) return false;
  state->screen = newterm(nullptr, state->out, state->in);
  if (state->screen == nullptr) return false;
  set_term(state->screen);
  cbreak();
  noecho();
  nonl();
  intrflush(stdscr, FALSE);
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  curs_set(0);
  curses_ = std::move(state);
  return true;
}

void Terminal::StartPlainInput() {
  if (!options_.read_keys || !::isatty(options_.input_fd)) return;
  if (::tcgetattr(options_.input_fd, &saved_termios_) != 0) return;
  struct termios raw = saved_termios_;
  raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
  raw.c_cc[VMIN] = 0;
  raw.c_cc[VTIME] = 0;
  if (::tcsetattr(options_.input_fd, TCSANOW, &raw) == 0) termios_saved_ = true;
}

void Terminal::Restore() {
  if (restored_) return;
  restored_ = true;
  curses_.reset();  // endwin(), delscreen(), close the duplicated streams.
  if (termios_saved_) {
    ::tcsetattr(options_.input_fd, TCSANOW, &saved_termios_);
    termios_saved_ = false;
  }
}

void Terminal::Show(const std::string& screen_text) {
  if (restored_) return;
  if (curses_ == nullptr) {
    WriteAll(options_.output_fd, screen_text + "\n" + std::string(80, '=') + "\n");
    return;
  }
  screen_ = screen_text;
  DrawCurses();
}

void Terminal::DrawCurses() {
  set_term(curses_->screen);
  werase(stdscr);
  const int rows = in_command_ ? LINES - 1 : LINES;
  size_t start = 0;
  for (int row = 0; row < rows && start <= screen_.size(); ++row) {
    size_t end = screen_.find('\n', start);
    if (end == std::string::npos) end = screen_.size();
    // Cut at the window's width: addnstr would wrap onto the next row.
    const int length = std::min(static_cast<int>(end - start), COLS);
    mvwaddnstr(stdscr, row, 0, screen_.data() + start, length);
    start = end + 1;
  }
  if (in_command_ && LINES > 0) {
    std::string prompt = kCommandPrompt + command_;
    mvwaddnstr(stdscr, LINES - 1, 0, prompt.c_str(), COLS);
    wclrtoeol(stdscr);
  }
  wrefresh(stdscr);
}

std::vector<Input> Terminal::Poll() {
  std::vector<Input> inputs;
  if (restored_ || !options_.read_keys || input_done_) return inputs;
  if (curses_ != nullptr) {
    PollCurses(&inputs);
  } else {
    ReadPlain(&inputs);
  }
  return inputs;
}

void Terminal::PollCurses(std::vector<Input>* inputs) {
  set_term(curses_->screen);
  bool redraw = false;
  for (int ch = wgetch(stdscr); ch != ERR; ch = wgetch(stdscr)) {
    if (ch == KEY_RESIZE) {
      redraw = true;
      continue;
    }
    if (ch == KEY_ENTER) ch = '\n';
    if (ch == KEY_BACKSPACE) ch = kDelete;
    if (ch > 0xff) continue;  // Function and arrow keys: no meaning.
    const bool was_in_command = in_command_;
    HandleChar(ch, inputs);
    redraw = redraw || was_in_command || in_command_;
  }
  if (redraw) DrawCurses();
}

void Terminal::ReadPlain(std::vector<Input>* inputs) {
  for (int reads = 0; reads < kMaxReadsPerPoll; ++reads) {
    struct pollfd fd = {options_.input_fd, POLLIN, 0};
    int ready = ::poll(&fd, 1, 0);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;
    if ((fd.revents & POLLNVAL) != 0) {
      input_done_ = true;
      return;
    }
    char buffer[256];
    ssize_t n = ::read(options_.input_fd, buffer, sizeof(buffer));
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {  // EOF or a real error: stop reading for good.
      if (in_command_ && !command_.empty()) HandleChar('\n', inputs);
      input_done_ = true;
      return;
    }
    for (ssize_t i = 0; i < n; ++i) HandleChar(static_cast<unsigned char>(buffer[i]), inputs);
  }
}

void Terminal::HandleChar(int ch, std::vector<Input>* inputs) {
  if (in_command_) {
    if (ch == '\n' || ch == '\r') {
      inputs->push_back(Input{'c', std::move(command_)});
      command_.clear();
      in_command_ = false;
    } else if (ch == kEscape) {
      command_.clear();
      in_command_ = false;
    } else if (ch == kDelete || ch == kBackspace) {
      if (!command_.empty()) command_.pop_back();
    } else if (IsPrintable(ch) && command_.size() < kMaxCommandLength) {
      command_.push_back(static_cast<char>(ch));
    }
    return;
  }
  if (ch == 'c') {
    in_command_ = true;
    command_.clear();
    return;
  }
  if (IsPrintable(ch)) inputs->push_back(Input{static_cast<char>(ch), ""});
}

}  // namespace sipfleet::screen
