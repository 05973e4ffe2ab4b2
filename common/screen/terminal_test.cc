#include "common/screen/terminal.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::screen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Sets $TERM for one test and puts the old value back.
class ScopedTerm {
 public:
  explicit ScopedTerm(const char* value) {
    if (const char* old = ::getenv("TERM")) old_ = old, had_ = true;
    if (value == nullptr) {
      ::unsetenv("TERM");
    } else {
      ::setenv("TERM", value, 1);
    }
  }
  ~ScopedTerm() {
    if (had_) {
      ::setenv("TERM", old_.c_str(), 1);
    } else {
      ::unsetenv("TERM");
    }
  }

 private:
  std::string old_;
  bool had_ = false;
};

struct Pipe {
  Pipe() { EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0); }
  ~Pipe() {
    CloseWrite();
    if (fds[0] >= 0) ::close(fds[0]);
  }
  void CloseWrite() {
    if (fds[1] >= 0) ::close(fds[1]);
    fds[1] = -1;
  }
  void Write(const std::string& text) {
    ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  std::string ReadAvailable() {
    std::string out;
    char buffer[4096];
    struct pollfd fd = {fds[0], POLLIN, 0};
    while (::poll(&fd, 1, 0) > 0 && (fd.revents & POLLIN)) {
      ssize_t n = ::read(fds[0], buffer, sizeof(buffer));
      if (n <= 0) break;
      out.append(buffer, n);
    }
    return out;
  }
  int fds[2] = {-1, -1};
};

struct Pty {
  Pty() {
    struct winsize size = {};
    size.ws_row = 30;
    size.ws_col = 100;
    EXPECT_EQ(::openpty(&master, &slave, nullptr, nullptr, &size), 0);
  }
  ~Pty() {
    ::close(master);
    ::close(slave);
  }
  // Everything the terminal wrote so far.
  std::string Drain() {
    std::string out;
    char buffer[4096];
    struct pollfd fd = {master, POLLIN, 0};
    while (::poll(&fd, 1, 50) > 0 && (fd.revents & POLLIN)) {
      ssize_t n = ::read(master, buffer, sizeof(buffer));
      if (n <= 0) break;
      out.append(buffer, n);
    }
    return out;
  }
  int master = -1;
  int slave = -1;
};

TEST(TerminalTest, PipeInputGivesKeysAndCommandsInPlainMode) {
  Pipe input;
  Pipe output;
  auto terminal =
      Terminal::Create({.read_keys = true, .input_fd = input.fds[0], .output_fd = output.fds[1]});
  EXPECT_FALSE(terminal->curses());
  input.Write("+2cset rate 5\np");
  EXPECT_THAT(terminal->Poll(), ElementsAre(Input{'+', ""}, Input{'2', ""},
                                            Input{'c', "set rate 5"}, Input{'p', ""}));
  EXPECT_THAT(terminal->Poll(), IsEmpty());
  // Escape cancels a command; backspace edits it.
  input.Write("cabc\x1bq" "cset ratX\x7f" "e 9\r");
  EXPECT_THAT(terminal->Poll(), ElementsAre(Input{'q', ""}, Input{'c', "set rate 9"}));
  // A command cut by the end of input is still delivered; then reading stops.
  input.Write("creset stats");
  input.CloseWrite();
  EXPECT_THAT(terminal->Poll(), ElementsAre(Input{'c', "reset stats"}));
  EXPECT_THAT(terminal->Poll(), IsEmpty());
}

TEST(TerminalTest, PlainShowPrintsScreenAndSeparator) {
  Pipe input;
  Pipe output;
  auto terminal =
      Terminal::Create({.read_keys = false, .input_fd = input.fds[0], .output_fd = output.fds[1]});
  terminal->Show("line one\nline two");
  EXPECT_EQ(output.ReadAvailable(), "line one\nline two\n" + std::string(80, '=') + "\n");
  input.Write("q");
  EXPECT_THAT(terminal->Poll(), IsEmpty());  // read_keys = false
  terminal->Restore();
  terminal->Show("after restore");
  EXPECT_EQ(output.ReadAvailable(), "");
}

TEST(TerminalTest, DevNullInputEndsWithoutSpinning) {
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(null_fd, 0);
  Pipe output;
  auto terminal = Terminal::Create({.input_fd = null_fd, .output_fd = output.fds[1]});
  EXPECT_FALSE(terminal->curses());
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) EXPECT_THAT(terminal->Poll(), IsEmpty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  terminal.reset();
  ::close(null_fd);
}

TEST(TerminalTest, PtyWithUsableTermChoosesCurses) {
  ScopedTerm term("xterm");
  Pty pty;
  auto terminal = Terminal::Create({.input_fd = pty.slave, .output_fd = pty.slave});
  ASSERT_TRUE(terminal->curses());
  terminal->Show("------ Scenario Screen ------\n  hello curses");
  EXPECT_THAT(pty.Drain(), HasSubstr("hello curses"));

  ASSERT_EQ(::write(pty.master, "2", 1), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_THAT(terminal->Poll(), ElementsAre(Input{'2', ""}));

  // 'c' opens the prompt on the bottom line; Enter completes the command.
  ASSERT_EQ(::write(pty.master, "cset rate 5", 11), 11);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_THAT(terminal->Poll(), IsEmpty());
  EXPECT_THAT(pty.Drain(), HasSubstr("Command: set rate 5"));
  ASSERT_EQ(::write(pty.master, "\r", 1), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_THAT(terminal->Poll(), ElementsAre(Input{'c', "set rate 5"}));

  // Escape cancels.
  ASSERT_EQ(::write(pty.master, "cxyz\x1b", 5), 5);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_THAT(terminal->Poll(), IsEmpty());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(::write(pty.master, "q", 1), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_THAT(terminal->Poll(), ElementsAre(Input{'q', ""}));

  terminal->Restore();
  pty.Drain();
  // endwin() gave the tty back its canonical, echoing mode.
  struct termios settings = {};
  ASSERT_EQ(::tcgetattr(pty.slave, &settings), 0);
  EXPECT_NE(settings.c_lflag & ICANON, 0u);
  EXPECT_NE(settings.c_lflag & ECHO, 0u);
  EXPECT_THAT(terminal->Poll(), IsEmpty());
}

TEST(TerminalTest, UnusableTermChoosesPlainWithoutExiting) {
  for (const char* value : {"dumb", "no-such-terminal-type-xyz", "", static_cast<const char*>(nullptr)}) {
    ScopedTerm term(value);
    Pty pty;
    auto terminal = Terminal::Create({.input_fd = pty.slave, .output_fd = pty.slave});
    EXPECT_FALSE(terminal->curses()) << (value ? value : "(unset)");
    terminal->Show("plain text");
    EXPECT_THAT(pty.Drain(), HasSubstr("plain text"));
  }
}

TEST(TerminalTest, AllowCursesFalseForcesPlain) {
  ScopedTerm term("xterm");
  Pty pty;
  auto terminal =
      Terminal::Create({.allow_curses = false, .input_fd = pty.slave, .output_fd = pty.slave});
  EXPECT_FALSE(terminal->curses());
}

TEST(TerminalTest, PlainModeOnATtyUsesRawInputAndRestoresIt) {
  ScopedTerm term("dumb");
  Pty pty;
  struct termios before = {};
  ASSERT_EQ(::tcgetattr(pty.slave, &before), 0);
  ASSERT_NE(before.c_lflag & ICANON, 0u);
  {
    auto terminal = Terminal::Create({.input_fd = pty.slave, .output_fd = pty.slave});
    ASSERT_FALSE(terminal->curses());
    struct termios during = {};
    ASSERT_EQ(::tcgetattr(pty.slave, &during), 0);
    EXPECT_EQ(during.c_lflag & (ICANON | ECHO), 0u);
    // A key arrives without Enter.
    ASSERT_EQ(::write(pty.master, "+", 1), 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_THAT(terminal->Poll(), ElementsAre(Input{'+', ""}));
  }
  struct termios after = {};
  ASSERT_EQ(::tcgetattr(pty.slave, &after), 0);
  EXPECT_EQ(after.c_lflag, before.c_lflag);
}

}  // namespace
}  // namespace sipfleet::screen
