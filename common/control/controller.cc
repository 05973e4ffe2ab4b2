#include "common/control/controller.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "common/base/strings.h"

namespace sipfleet::control {
namespace {

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

std::string_view TrimLineEnd(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '\0')) {
    text.remove_suffix(1);
  }
  return text;
}

std::string FormatRate(double rate) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", rate);
  return text;
}

}  // namespace

void Controller::OnKey(char key) {
  switch (key) {
    case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
      screen_ = key - '0';
      return;
    case '+': AdjustLoad(1); return;
    case '-': AdjustLoad(-1); return;
    case '*': AdjustLoad(10); return;
    case '/': AdjustLoad(-10); return;
    case 'p':
      run_->SetPaused(!run_->paused());
      status_ = run_->paused() ? "Traffic paused" : "Traffic resumed";
      return;
    case 'q':
      // The second q forces the quit, as in SIPp.
      if (++quit_presses_ == 1) {
        run_->Quit();
        status_ = "Quitting: waiting for calls in progress (q again to force)";
      } else {
        run_->QuitNow();
        status_ = "Quitting now";
      }
      return;
    case 'Q':
      ++quit_presses_;
      run_->QuitNow();
      status_ = "Quitting now";
      return;
    case 's':
      run_->DumpScreens();
      status_ = "Screens dumped";
      return;
    case 'c':
      return;
    default:
      Reject(base::Cat("Unknown key '", std::isprint(static_cast<unsigned char>(key)) ? std::string(1, key) : "?",
                       "'"));
  }
}

void Controller::AdjustLoad(double delta) {
  delta *= rate_scale_;
  if (run_->users_mode()) {
    double users = std::max(0.0, static_cast<double>(run_->users()) + delta);
    run_->SetUsers(static_cast<uint64_t>(std::llround(users)));
    status_ = base::Cat("Users set to ", run_->users());
    return;
  }
  run_->SetRate(std::max(0.0, run_->rate() + delta));
  status_ = base::Cat("Call rate set to ", FormatRate(run_->rate()));
}

void Controller::OnDatagram(std::string_view datagram) {
  if (datagram.empty()) return Reject("Empty control message");
  if (datagram[0] == 'c') return OnCommand(datagram.substr(1));
  OnKey(datagram[0]);
}

void Controller::OnCommand(std::string_view line) {
  std::vector<std::string_view> words = Words(TrimLineEnd(line));
  if (words.size() == 3 && words[0] == "set") return OnSet(words[1], words[2]);
  if (words.size() == 3 && words[0] == "trace") return OnTrace(words[1], words[2]);
  if (words.size() == 2 && words[0] == "dump" && words[1] == "tasks") {
    status_ = run_->DumpTasks();
    return;
  }
  if (words.size() == 2 && words[0] == "dump" && words[1] == "variables") {
    status_ = run_->DumpVariables();
    return;
  }
  if (words.size() == 2 && words[0] == "reset" && words[1] == "stats") {
    run_->ResetStats();
    status_ = "Statistics reset";
    return;
  }
  Reject(base::Cat("Unrecognized command: '", TrimLineEnd(line), "'"));
}

void Controller::OnSet(std::string_view what, std::string_view value) {
  double number = 0;
  const bool numeric = base::ParseDouble(value, &number) && number >= 0;
  if (what == "rate" && numeric) {
    run_->SetRate(number);
    status_ = base::Cat("Call rate set to ", FormatRate(run_->rate()));
  } else if (what == "rate-scale" && numeric) {
    // The unit of + - * / (kept in the controller, where the keys are read).
    rate_scale_ = number;
    status_ = base::Cat("Rate scale set to ", FormatRate(number));
  } else if (what == "users" && numeric) {
    if (!run_->users_mode()) return Reject("set users: only in a -users run");
    run_->SetUsers(static_cast<uint64_t>(std::llround(number)));
    status_ = base::Cat("Users set to ", run_->users());
  } else if (what == "limit" && numeric) {
    run_->SetCallLimit(static_cast<uint64_t>(std::llround(number)));
    status_ = base::Cat("Call limit set to ", static_cast<uint64_t>(std::llround(number)));
  } else if (what == "display") {
    if (value != "main") return Reject(base::Cat("set display ", value, ": only main is shown (no ",
                                                 "out-of-call scenario screen yet)"));
    status_ = "Displaying the main scenario";
  } else if (what == "hide" && (value == "true" || value == "false")) {
    hidden_ = value == "true";
    status_ = hidden_ ? "Screen hidden" : "Screen shown";
  } else {
    Reject(base::Cat("Invalid set command: set ", what, " ", value));
  }
}

void Controller::OnTrace(std::string_view kind, std::string_view state) {
  if (state != "on" && state != "off") {
    return Reject(base::Cat("trace ", kind, " ", state, ": on or off expected"));
  }
  absl::Status status = run_->SetTrace(kind, state == "on");
  if (!status.ok()) return Reject(std::string(base::FromAbsl(status.message())));
  status_ = base::Cat("Trace ", kind, " ", state);
}

void Controller::Reject(std::string message) {
  ++rejected_;
  status_ = std::move(message);
}

}  // namespace sipfleet::control
