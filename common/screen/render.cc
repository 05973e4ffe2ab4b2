#include "common/screen/render.h"

#include <time.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_format.h"
#include "common/base/strings.h"
#include "common/distribution/distribution.h"
#include "common/scenario/action.h"
#include "common/scenario/scenario.h"
#include "common/stats/counters.h"
#include "common/stats/histogram.h"
#include "common/stats/shard.h"

namespace sipfleet::screen {
namespace {

using scenario::Element;
using scenario::ElementKind;
using stats::Counter;
using stats::MessageCounter;
using Lines = std::vector<std::string>;

// Titles and banners, exactly as SIPp 3.6.1 draws them (80 columns).
constexpr char kScenarioTitle[] =
    "------------------------------ Scenario Screen -------- [1-9]: Change Screen --";
constexpr char kStatisticsTitle[] =
    "----------------------------- Statistics Screen ------- [1-9]: Change Screen --";
constexpr char kRepartitionTitle[] =
    "---------------------------- Repartition Screen ------- [1-9]: Change Screen --";
constexpr char kVariablesTitle[] =
    "----------------------------- Variables Screen -------- [1-9]: Change Screen --";
constexpr char kTdmTitle[] =
    "-------------------------------- TDM Screen ---------- [1-9]: Change Screen --";
constexpr char kKeysBanner[] =
    "------ [+|-|*|/]: Adjust rate ---- [q]: Soft exit ---- [p]: Pause traffic -----";
constexpr char kPausedBanner[] =
    "----------------- Traffic Paused - Press [p] again to resume ------------------";
constexpr char kQuittingBanner[] =
    "------- Waiting for active calls to end. Press [q] again to force exit. -------";
constexpr char kTerminatedBanner[] =
    "------------------------------ Test Terminated --------------------------------";
constexpr char kStatsSeparator[] =
    "-------------------------+---------------------------+--------------------------";

// Column where the Messages column of screen 1 starts, and the widths SIPp
// pads the dump's rows to.
constexpr size_t kCountsColumn = 33;
constexpr size_t kMessageRowWidth = 79;
constexpr size_t kPauseRowWidth = 72;
constexpr size_t kLastErrorLength = 60;
constexpr size_t kMaxPauseDescription = 23;

std::string PadRight(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string PadLeft(const std::string& text, size_t width) {
  if (text.size() >= width) return text;
  return std::string(width - text.size(), ' ') + text;
}

unsigned long long U(uint64_t value) { return value; }  // For %llu.

std::string BannerLine(const ScreenInput& input) {
  if (input.terminated) return kTerminatedBanner;
  if (input.quitting) return kQuittingBanner;
  if (input.paused) return kPausedBanner;
  return kKeysBanner;
}

// "Last Error: ..." (first line of the message, cut to 60 characters), or
// nothing when there is no error.
void AppendFooter(const ScreenInput& input, Lines* lines) {
  if (!input.last_error.empty()) {
    std::string text = input.last_error.substr(0, input.last_error.find('\n'));
    if (text.size() > kLastErrorLength) text = text.substr(0, kLastErrorLength) + "...";
    lines->push_back("Last Error: " + text);
  }
  lines->push_back(BannerLine(input));
}

bool IsServer(const ScreenInput& input) {
  return input.scenario != nullptr && input.scenario->mode == scenario::Mode::kServer;
}

// ---------------------------------------------------------------- screen 1

void AppendScenarioHeader(const ScreenInput& input, Lines* lines) {
  const stats::Snapshot& c = input.cumulative;
  const double total_seconds = input.elapsed_us / 1e6;
  if (IsServer(input)) {
    lines->push_back("  Port   Total-time  Total-calls  Transport");
    lines->push_back(absl::StrFormat("  %-5d%10.2f s%13llu  %s", input.local_port, total_seconds,
                                     U(c.TotalCallsCreated()), input.transport));
  } else if (input.users_mode) {
    lines->push_back("  Users (length)   Port   Total-time  Total-calls  Remote-host");
    lines->push_back(absl::StrFormat("  %d (%d ms)   %-5d%10.2f s%13llu  %s(%s)", input.users,
                                     input.call_duration_ms, input.local_port, total_seconds,
                                     U(c.TotalCallsCreated()), input.remote_address,
                                     input.transport));
  } else {
    lines->push_back("  Call rate (length)   Port   Total-time  Total-calls  Remote-host");
    lines->push_back(absl::StrFormat("  %3.1f(%d ms)/%5.3fs   %-5d%10.2f s%13llu  %s(%s)",
                                     input.rate, input.call_duration_ms,
                                     input.rate_period_ms / 1000.0, input.local_port,
                                     total_seconds, U(c.TotalCallsCreated()),
                                     input.remote_address, input.transport));
  }
  lines->push_back("");
}

// Two 40-column halves after a 2-blank indent, as SIPp's status block.
std::string TwoColumns(const std::string& left, const std::string& right) {
  return "  " + PadRight(left, 40) + right;
}

void AppendScenarioStatus(const ScreenInput& input, Lines* lines) {
  const stats::Snapshot& c = input.cumulative;
  const double period_seconds = input.period_elapsed_us / 1e6;
  std::string calls_line =
      input.max_calls > 0 && c.TotalCallsCreated() >= input.max_calls
          ? absl::StrFormat("Call limit %llu hit, %.1f s period", U(input.max_calls),
                            period_seconds)
          : absl::StrFormat("%llu new calls during %.3f s period",
                            U(input.periodic.TotalCallsCreated()), period_seconds);
  lines->push_back(PadRight(
      TwoColumns(calls_line,
                 absl::StrFormat("%d ms scheduler resolution", input.scheduler_resolution_ms)),
      kMessageRowWidth));
  std::string open = IsServer(input) ? absl::StrFormat("%llu calls", U(input.open_calls))
                                     : absl::StrFormat("%llu calls (limit %llu)",
                                                       U(input.open_calls), U(input.call_limit));
  lines->push_back(TwoColumns(open, absl::StrFormat("Peak was %llu calls, after %d s",
                                                    U(input.peak_calls),
                                                    input.peak_calls_elapsed_s)));
  std::string tasks = absl::StrFormat("  %d Running, %d Paused, %d Woken up", input.running_calls,
                                      input.waiting_calls, input.woken_calls);
  if (input.workers > 1) base::Append(&tasks, "   (", input.workers, " workers)");
  lines->push_back(tasks);
  std::string dead =
      absl::StrFormat("%llu dead call msg (discarded)", U(c.Get(Counter::kDeadCallMsgs)));
  lines->push_back(IsServer(input) ? "  " + dead
                                   : TwoColumns(dead, absl::StrFormat(
                                                          "%llu out-of-call msg (discarded)",
                                                          U(c.Get(Counter::kOutOfCallMsgs)))));
  lines->push_back(TwoColumns(
      absl::StrFormat("%llu open sockets", U(input.open_sockets)),
      absl::StrFormat("%llu/%llu/%llu %s errors (send/recv/cong)", U(input.send_errors),
                      U(input.recv_errors), U(input.congestion_errors), input.transport)));
  lines->push_back(TwoColumns(
      absl::StrFormat("%llu Total RTP pckts sent", U(input.rtp_packets_sent)),
      absl::StrFormat("%.3f last period RTP rate (kB/s)", input.rtp_rate_kbytes_per_s)));
  // sipfleet's own line, only while it applies: calls that started more
  // than 100 ms after their due time (the UAC, or its peer, cannot keep up
  // with the rate asked; Counter::kLateCalls).
  if (uint64_t late = input.periodic.Get(Counter::kLateCalls); late > 0) {
    lines->push_back(absl::StrFormat("  cannot keep up: %llu calls started late this period", U(late)));
  }
  lines->push_back("");
}

// " B-RTD1" / " E-RTD2" (7 columns, right-aligned), blank without RTD.
std::string RtdMark(const Element& element) {
  if (!element.start_rtds.empty()) return PadLeft(base::Cat("B-RTD", element.start_rtds[0] + 1), 7);
  if (!element.stop_rtds.empty()) return PadLeft(base::Cat("E-RTD", element.stop_rtds[0] + 1), 7);
  return std::string(7, ' ');
}

std::string VariableName(const scenario::Scenario& scenario, scenario::VariableRef ref) {
  const std::vector<std::string>* table = &scenario.call_variables;
  if (ref.scope == scenario::VarScope::kUser) table = &scenario.user_variables;
  if (ref.scope == scenario::VarScope::kGlobal) table = &scenario.global_variables;
  if (ref.index < 0 || static_cast<size_t>(ref.index) >= table->size()) return "?";
  return (*table)[ref.index];
}

// The text between the brackets of a Pause row: "   4000ms", "N(100ms,10ms)".
std::string PauseDescription(const ScreenInput& input, const Element& element) {
  using Source = scenario::PauseSpec::Source;
  const scenario::PauseSpec& pause = element.pause;
  std::string text;
  switch (pause.source) {
    case Source::kDefaultDuration:
      text = distribution::Distribution::Fixed(input.call_duration_ms).Describe();
      break;
    case Source::kFixed:
      text = distribution::Distribution::Fixed(pause.milliseconds).Describe();
      break;
    case Source::kVariable:
      text = "$" + (input.scenario ? VariableName(*input.scenario, pause.variable) : "?");
      break;
    case Source::kDistribution:
      text = pause.distribution ? pause.distribution->Describe() : "?";
      break;
  }
  if (text.size() > kMaxPauseDescription) text.resize(kMaxPauseDescription);
  return PadLeft(text, 9);
}

// A row's left part padded so the counts start at kCountsColumn, or at
// least one blank after a longer part.
std::string CountsStart(std::string prefix) {
  if (prefix.size() >= kCountsColumn && prefix.back() != ' ') return prefix + " ";
  return PadRight(std::move(prefix), kCountsColumn);
}

// Client rows read "      INVITE ---------->", server rows
// "  ----------> INVITE    "; both 24 columns. Names are cut so that no row
// exceeds 80 columns.
std::string ArrowPrefix(bool server, bool outgoing, std::string name) {
  if (server) {
    if (name.size() > 10) name.resize(10);
    return absl::StrFormat("  %s %-10s", outgoing ? "<----------" : "---------->", name);
  }
  if (name.size() > 12) name.resize(12);
  return absl::StrFormat("%12s %s", name, outgoing ? "---------->" : "<----------");
}

std::string MessageRow(const ScreenInput& input, size_t index, const Element& element) {
  const bool server = IsServer(input);
  const stats::Snapshot& c = input.cumulative;
  auto count = [&](MessageCounter which) { return U(c.Get(index, which)); };
  switch (element.kind) {
    case ElementKind::kSend: {
      std::string row = CountsStart(ArrowPrefix(server, true, MessageName(element)) + " " +
                                    RtdMark(element) + " ");
      row += absl::StrFormat("%-10llu%-10llu", count(MessageCounter::kSent),
                             count(MessageCounter::kRetransmission));
      if (element.retrans_ms > 0 || element.timeout_ms > 0) {
        row += absl::StrFormat("%llu", count(MessageCounter::kTimeout));
      }
      return PadRight(std::move(row), kMessageRowWidth);
    }
    case ElementKind::kRecv: {
      std::string row = CountsStart(ArrowPrefix(server, false, MessageName(element)) + " " +
                                    RtdMark(element) + " ");
      row += absl::StrFormat("%-10llu%-10llu%-10llu%llu", count(MessageCounter::kReceived),
                             count(MessageCounter::kRetransmission),
                             count(MessageCounter::kTimeout), count(MessageCounter::kUnexpected));
      return PadRight(std::move(row), kMessageRowWidth);
    }
    case ElementKind::kPause: {
      std::string bracket = "[" + PauseDescription(input, element) + "]";
      std::string prefix = server ? "  " + bracket + " Pause" : "       Pause " + bracket;
      std::string row = CountsStart(std::move(prefix)) +
                        absl::StrFormat("%-30llu%llu", count(MessageCounter::kSent),
                                        count(MessageCounter::kUnexpected));
      return PadRight(std::move(row), kPauseRowWidth);
    }
    case ElementKind::kNop:
      if (!element.display.empty()) return " " + element.display;
      return "              [ NOP ]              ";
    case ElementKind::kSendCmd:
    case ElementKind::kRecvCmd: {
      const bool send = element.kind == ElementKind::kSendCmd;
      std::string label = send ? "[ Sent Command ]" : "[ Received Command ]";
      std::string prefix = server ? PadRight("  " + label, 24) : PadLeft(label, 24);
      std::string row = CountsStart(prefix + " " + RtdMark(element) + " ") +
                        absl::StrFormat("%llu", count(send ? MessageCounter::kSent
                                                           : MessageCounter::kReceived));
      return PadRight(std::move(row), kPauseRowWidth);
    }
  }
  return "";
}

Lines ScenarioScreen(const ScreenInput& input) {
  Lines lines = {kScenarioTitle};
  AppendScenarioHeader(input, &lines);
  AppendScenarioStatus(input, &lines);
  lines.push_back("                                 Messages  Retrans   Timeout   Unexpected-Msg");
  if (input.scenario != nullptr) {
    const std::vector<Element>& elements = input.scenario->elements;
    for (size_t i = 0; i < elements.size(); ++i) {
      if (elements[i].hide) continue;
      lines.push_back(MessageRow(input, i, elements[i]));
      if (elements[i].crlf) lines.push_back("");
    }
  }
  AppendFooter(input, &lines);
  return lines;
}

// ---------------------------------------------------------------- screen 2

// "HH:MM:SS:uuuuuu", SIPp's duration format.
std::string Duration(uint64_t micros) {
  const uint64_t seconds = micros / 1000000;
  return absl::StrFormat("%02llu:%02llu:%02llu:%06llu", U(seconds / 3600), U(seconds / 60 % 60),
                         U(seconds % 60), U(micros % 1000000));
}

// "2026-11-21\t06:58:54.292038\t1795244334.292038" in local time.
std::string WallClock(int64_t micros) {
  const time_t seconds = static_cast<time_t>(micros / 1000000);
  const int64_t fraction = micros % 1000000;
  struct tm local = {};
  localtime_r(&seconds, &local);
  return absl::StrFormat("%04d-%02d-%02d\t%02d:%02d:%02d.%06d\t%d.%06d", local.tm_year + 1900,
                         local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min,
                         local.tm_sec, fraction, micros / 1000000, fraction);
}

std::string StatsRow(const std::string& label, const std::string& periodic,
                     const std::string& cumulative) {
  return absl::StrFormat("  %-23s| %-26s| %-25s", label, periodic, cumulative);
}

std::string CountCell(uint64_t value) { return absl::StrFormat("%8llu", U(value)); }

std::string RateCell(uint64_t calls, int64_t micros) {
  return absl::StrFormat("%8.3f cps", micros > 0 ? calls * 1e6 / micros : 0.0);
}

std::string MeanCell(const stats::Histogram& histogram) {
  return Duration(histogram.count() > 0 ? static_cast<uint64_t>(histogram.Mean()) : 0);
}

template <typename T>
const T& At(const std::vector<T>& items, size_t index, const T& fallback) {
  return index < items.size() ? items[index] : fallback;
}

void AppendCounterRows(const ScreenInput& input, Counter counter, const std::string& label,
                       Lines* lines) {
  lines->push_back(StatsRow(label, CountCell(input.periodic.Get(counter)),
                            CountCell(input.cumulative.Get(counter))));
}

Lines StatisticsScreen(const ScreenInput& input) {
  const stats::Snapshot& p = input.periodic;
  const stats::Snapshot& c = input.cumulative;
  Lines lines = {kStatisticsTitle};
  lines.push_back(PadRight("  Start Time             | " + WallClock(input.start_time_us), 80));
  lines.push_back(
      PadRight("  Last Reset Time        | " + WallClock(input.period_start_time_us), 80));
  lines.push_back(PadRight("  Current Time           | " + WallClock(input.current_time_us), 80));
  lines.push_back(kStatsSeparator);
  lines.push_back("  Counter Name           | Periodic value            | Cumulative value");
  lines.push_back(kStatsSeparator);
  lines.push_back(StatsRow("Elapsed Time", Duration(input.period_elapsed_us),
                           Duration(input.elapsed_us)));
  lines.push_back(StatsRow("Call Rate", RateCell(p.TotalCallsCreated(), input.period_elapsed_us),
                           RateCell(c.TotalCallsCreated(), input.elapsed_us)));
  lines.push_back(kStatsSeparator);
  AppendCounterRows(input, Counter::kIncomingCall, "Incoming calls created", &lines);
  AppendCounterRows(input, Counter::kOutgoingCall, "Outgoing calls created", &lines);
  lines.push_back(StatsRow("Total Calls created", "", CountCell(c.TotalCallsCreated())));
  lines.push_back(StatsRow("Current Calls", CountCell(input.open_calls), ""));
  lines.push_back(kStatsSeparator);
  if (input.scenario != nullptr && !input.scenario->counter_names.empty()) {
    const std::vector<std::string>& names = input.scenario->counter_names;
    for (size_t i = 0; i < names.size(); ++i) {
      lines.push_back(StatsRow("Counter " + names[i], CountCell(At(p.user_counters, i, {})),
                               CountCell(At(c.user_counters, i, {}))));
    }
    lines.push_back(kStatsSeparator);
  }
  AppendCounterRows(input, Counter::kSuccessfulCall, "Successful call", &lines);
  AppendCounterRows(input, Counter::kFailedCall, "Failed call", &lines);
  lines.push_back(kStatsSeparator);
  if (input.scenario != nullptr) {
    const stats::Histogram empty;
    const std::vector<std::string>& names = input.scenario->rtd_names;
    for (size_t i = 0; i < names.size(); ++i) {
      lines.push_back(StatsRow("Response Time " + names[i],
                               MeanCell(At(p.response_times, i, empty)),
                               MeanCell(At(c.response_times, i, empty))));
    }
  }
  lines.push_back(StatsRow("Call Length", MeanCell(p.call_length), MeanCell(c.call_length)));
  AppendFooter(input, &lines);
  return lines;
}

// ---------------------------------------------------- screens 3 and 6 to 9

constexpr char kNoRepartition[] = "    <No repartion defined>";  // sic, as SIPp

// One repartition table: "%14d ms <= n < %10d ms : %10llu" rows and the
// final ">=" row. `counts` has boundaries.size() + 1 entries (missing ones
// read 0).
void AppendRepartition(const std::vector<int>& boundaries, const std::vector<uint64_t>& counts,
                       Lines* lines) {
  if (boundaries.empty()) {
    lines->push_back(kNoRepartition);
    return;
  }
  std::vector<int> sorted = boundaries;
  std::sort(sorted.begin(), sorted.end());
  int low = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    lines->push_back(absl::StrFormat("%14d ms <= n < %10d ms : %10llu", low, sorted[i],
                                     U(At(counts, i, {}))));
    low = sorted[i];
  }
  lines->push_back(absl::StrFormat("                   n >= %10d ms : %10llu", sorted.back(),
                                   U(At(counts, sorted.size(), {}))));
}

// The response time repartition of RTD `rtd` (0-based); the call length
// one too on screen 3.
Lines RepartitionScreen(const ScreenInput& input, size_t rtd, bool with_call_length) {
  Lines lines;
  if (rtd == 0) {
    lines.push_back(kRepartitionTitle);
  } else {
    lines.push_back(absl::StrFormat(
        "--------------------------- Repartition %d Screen ------ [1-9]: Change Screen --",
        rtd + 1));
  }
  const scenario::Scenario* scenario = input.scenario;
  if (scenario == nullptr || rtd >= scenario->rtd_names.size()) {
    lines.push_back(kNoRepartition);
  } else {
    lines.push_back(PadRight("  Average Response Time Repartition " + scenario->rtd_names[rtd],
                             kMessageRowWidth));
    AppendRepartition(scenario->response_time_repartition_ms,
                      At(input.cumulative.response_time_repartition, rtd, {}), &lines);
  }
  if (with_call_length) {
    lines.push_back(PadRight("  Average Call Length Repartition", kMessageRowWidth));
    AppendRepartition(scenario ? scenario->call_length_repartition_ms : std::vector<int>{},
                      input.cumulative.call_length_repartition, &lines);
  }
  AppendFooter(input, &lines);
  return lines;
}

// ---------------------------------------------------------------- screen 4

std::string_view ActionName(scenario::ActionKind kind) {
  using K = scenario::ActionKind;
  switch (kind) {
    case K::kEreg: return "ereg";
    case K::kLog: return "log";
    case K::kWarning: return "warning";
    case K::kError: return "error";
    case K::kAssign: return "assign";
    case K::kAssignStr: return "assignstr";
    case K::kAdd: return "add";
    case K::kSubtract: return "subtract";
    case K::kMultiply: return "multiply";
    case K::kDivide: return "divide";
    case K::kSample: return "sample";
    case K::kToDouble: return "todouble";
    case K::kTest: return "test";
    case K::kStrcmp: return "strcmp";
    case K::kTrim: return "trim";
    case K::kIndex: return "index";
    case K::kJump: return "jump";
    case K::kPauseRestore: return "pauserestore";
    case K::kGetTimeOfDay: return "gettimeofday";
    case K::kLookup: return "lookup";
    case K::kInsert: return "insert";
    case K::kReplace: return "replace";
    case K::kVerifyAuth: return "verifyauth";
    case K::kSetDest: return "setdest";
    case K::kCloseCon: return "closecon";
    case K::kUrlEncode: return "urlencode";
    case K::kUrlDecode: return "urldecode";
    case K::kExecCommand: return "exec command";
    case K::kExecIntCmd: return "exec int_cmd";
    case K::kPlayPcap: return "exec play_pcap";
    case K::kPlayDtmf: return "exec play_dtmf";
    case K::kRtpStream: return "exec rtp_stream";
    case K::kRtpEcho: return "rtp_echo";
  }
  return "?";
}

// "assign varId[v1] 3.000000": the action, the variables it sets or reads.
std::string DescribeAction(const scenario::Scenario& scenario, const scenario::Action& action) {
  std::string text(ActionName(action.kind));
  if (!action.assign_to.empty()) {
    text += " varId[";
    for (size_t i = 0; i < action.assign_to.size(); ++i) {
      if (i > 0) text += ",";
      text += VariableName(scenario, action.assign_to[i]);
    }
    text += "]";
  }
  if (action.variable.valid()) text += " variable[" + VariableName(scenario, action.variable) + "]";
  if (action.has_number) text += absl::StrFormat(" %f", action.number);
  return text;
}

void AppendVariableTable(const char* scope, const std::vector<std::string>& names,
                         Lines* lines) {
  for (const std::string& name : names) {
    lines->push_back(absl::StrFormat("   $%s (%s)", name, scope));
  }
}

Lines VariablesScreen(const ScreenInput& input) {
  Lines lines = {kVariablesTitle, "Action defined Per Message :"};
  const scenario::Scenario* scenario = input.scenario;
  bool any = false;
  for (size_t i = 0; scenario != nullptr && i < scenario->elements.size(); ++i) {
    const std::vector<scenario::Action>& actions = scenario->elements[i].actions;
    if (actions.empty()) continue;
    any = true;
    lines.push_back(
        absl::StrFormat("=> Message[%d] - [%d] action(s) defined :", i, actions.size()));
    for (size_t a = 0; a < actions.size(); ++a) {
      lines.push_back(absl::StrFormat("   --> action[%d] = %s", a,
                                      DescribeAction(*scenario, actions[a])));
    }
  }
  if (!any) lines.push_back("=> No action found on any messages");
  if (scenario != nullptr && (!scenario->call_variables.empty() ||
                              !scenario->user_variables.empty() ||
                              !scenario->global_variables.empty())) {
    lines.push_back("");
    lines.push_back("Variables :");
    AppendVariableTable("call", scenario->call_variables, &lines);
    AppendVariableTable("user", scenario->user_variables, &lines);
    AppendVariableTable("global", scenario->global_variables, &lines);
  }
  AppendFooter(input, &lines);
  return lines;
}

Lines TdmScreen(const ScreenInput& input) {
  Lines lines = {kTdmTitle, "  The TDM map (-tdmmap) is not supported by sipfleet."};
  AppendFooter(input, &lines);
  return lines;
}

// ------------------------------------------------------------------ output

Lines ScreenLines(int number, const ScreenInput& input) {
  switch (number) {
    case kStatisticsScreen: return StatisticsScreen(input);
    case kRepartitionScreen: return RepartitionScreen(input, 0, true);
    case kVariablesScreen: return VariablesScreen(input);
    case kTdmScreen: return TdmScreen(input);
    case 6: case 7: case 8: case 9:
      return RepartitionScreen(input, number - kFirstExtraRepartitionScreen + 1, false);
    default: return ScenarioScreen(input);
  }
}

// Tabs expanded to 8-column stops, trailing blanks removed, cut at
// kScreenWidth.
std::string TerminalLine(std::string_view line) {
  std::string out;
  for (char ch : line) {
    if (ch == '\t') {
      out.append(8 - out.size() % 8, ' ');
    } else {
      out.push_back(ch);
    }
  }
  out.erase(out.find_last_not_of(' ') + 1);
  if (out.size() > static_cast<size_t>(kScreenWidth)) out.resize(kScreenWidth);
  return out;
}

}  // namespace

std::string MessageName(const Element& element) {
  if (element.kind == ElementKind::kSend) {
    if (element.message == nullptr) return "";
    if (!element.message->method().empty()) return std::string(element.message->method());
    return base::Cat(element.message->status_code());
  }
  if (element.recv_regex != nullptr) return element.recv_regex->pattern();
  if (!element.recv_request.empty()) return element.recv_request;
  return base::Cat(element.recv_response);
}

std::string RenderScreen(int number, const ScreenInput& input) {
  std::string out;
  for (const std::string& line : ScreenLines(number, input)) {
    if (!out.empty()) out.push_back('\n');
    out += TerminalLine(line);
  }
  return out;
}

std::string RenderScreenDump(const ScreenInput& input) {
  std::string out;
  for (int number : {kScenarioScreen, kStatisticsScreen, kRepartitionScreen}) {
    for (const std::string& line : ScreenLines(number, input)) base::Append(&out, line, '\n');
  }
  return out;
}

}  // namespace sipfleet::screen
