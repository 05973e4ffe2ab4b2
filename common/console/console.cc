#include "common/console/console.h"

#include <cstdio>
#include <utility>

#include "common/base/strings.h"
#include "common/screen/render.h"

namespace sipfleet::console {

absl::StatusOr<std::unique_ptr<Console>> Console::Create(const ConsoleOptions& options,
                                                         control::RunControl* run,
                                                         InputSource source) {
  std::unique_ptr<Console> console(new Console(options, run, std::move(source)));
  if (options.control_socket) {
    absl::StatusOr<std::unique_ptr<control::ControlSocket>> socket =
        control::ControlSocket::Bind(options.control_ip, options.control_port);
    if (!socket.ok()) return socket.status();
    console->socket_ = *std::move(socket);
  }
  if (options.show_screens) {
    screen::TerminalOptions terminal;
    terminal.read_keys = options.read_keys;
    terminal.allow_curses = options.allow_curses;
    terminal.period_ms = options.refresh_ms;
    console->terminal_ = screen::Terminal::Create(terminal);
  }
  return console;
}

Console::~Console() = default;

void Console::Poll(int64_t now_ms) {
  const int screen_before = controller_.screen();
  const bool hidden_before = controller_.hidden();
  if (socket_) {
    for (const std::string& datagram : socket_->Receive()) controller_.OnDatagram(datagram);
  }
  if (terminal_) {
    for (const screen::Input& input : terminal_->Poll()) {
      if (input.key == 'c' && !input.command.empty()) {
        controller_.OnCommand(input.command);
      } else {
        controller_.OnKey(input.key);
      }
    }
  }
  // A key that changes what is shown redraws at once.
  if (controller_.screen() != screen_before || controller_.hidden() != hidden_before) {
    next_draw_ms_ = now_ms;
  }
  if (now_ms >= next_draw_ms_) {
    next_draw_ms_ = now_ms + options_.refresh_ms;
    Draw();
  }
}

void Console::PressKeys(std::string_view keys) {
  for (char key : keys) controller_.OnKey(key);
}

void Console::Draw() {
  if (!terminal_ || controller_.hidden()) return;
  screen::ScreenInput input = source_();
  if (!controller_.status().empty()) input.last_error = controller_.status();
  terminal_->Show(screen::RenderScreen(controller_.screen(), input));
}

absl::Status Console::DumpScreens() {
  if (options_.screen_file.empty()) return absl::OkStatus();
  const char* mode = !screen_file_started_ && options_.screen_overwrite ? "w" : "a";
  FILE* file = std::fopen(options_.screen_file.c_str(), mode);
  if (file == nullptr) {
    return absl::InvalidArgumentError(base::Cat("cannot write ", options_.screen_file));
  }
  screen_file_started_ = true;
  std::string text = screen::RenderScreenDump(source_());
  std::fwrite(text.data(), 1, text.size(), file);
  std::fclose(file);
  return absl::OkStatus();
}

void Console::Finish() {
  Draw();
  if (terminal_) terminal_->Restore();
}

}  // namespace sipfleet::console
