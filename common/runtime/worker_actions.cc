// The scenario language's runtime half: actions (SIPP_NOTES §3.4),
// variables (§3.6), the keywords that need more than the call's compact
// state (§3.5) and the per-receive state (rrs, auth, transactions).

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

#include "common/auth/digest.h"
#include "common/base/strings.h"
#include "common/runtime/worker.h"
#include "common/sip/route_set.h"

namespace sipfleet::runtime {
namespace {

using scenario::Action;
using scenario::ActionKind;
using scenario::Compare;
using scenario::SearchIn;
using scenario::VariableRef;
using scenario::VarScope;
using stats::Counter;

bool Compared(Compare compare, double left, double right) {
  switch (compare) {
    case Compare::kEqual:
      return left == right;
    case Compare::kNotEqual:
      return left != right;
    case Compare::kGreaterThan:
      return left > right;
    case Compare::kLessThan:
      return left < right;
    case Compare::kGreaterThanEqual:
      return left >= right;
    case Compare::kLessThanEqual:
      return left <= right;
  }
  return false;
}

// RFC 3986 §2.1 percent-encoding of everything but unreserved characters.
std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string UrlDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
        HexDigit(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2])));
      i += 2;
    } else if (text[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// The text an ereg with search_in="hdr" looks at: the value of the
// occurrence-th header named `header` ("From:" or "From: " as SIPp scenarios
// write it), or all of them joined with ", " when occurrence is 1 and
// several exist, as SIPp's get_header does.
bool HeaderText(const sip::Message& message, const Action& action, std::string* out) {
  std::string_view name = base::TrimBlanks(action.header);
  if (name.ends_with(":")) name.remove_suffix(1);
  int seen = 0;
  bool found = false;
  for (const sip::HeaderField& header : message.headers()) {
    bool same = action.case_indep ? sip::SameHeaderName(header.name, name)
                                  : (header.name == name ||
                                     sip::ExpandCompactName(header.name) == name);
    if (!same) continue;
    ++seen;
    // SIPp hands the regex everything after the colon, leading blanks
    // included ("From: <sip:...>" gives " <sip:...>").
    std::string_view raw = header.line.substr(header.line.find(':') + 1);
    if (action.occurrence > 1) {
      if (seen == action.occurrence) {
        out->assign(raw);
        return true;
      }
      continue;
    }
    if (found) out->append(",");
    out->append(raw);
    found = true;
  }
  return found;
}

}  // namespace

VarValue Worker::GetVar(const Call& call, VariableRef ref) const {
  if (!ref.valid()) return {};
  switch (ref.scope) {
    case VarScope::kCall:
      if (call.extras == nullptr || static_cast<size_t>(ref.index) >= call.extras->variables.size()) {
        return {};
      }
      return call.extras->variables[ref.index];
    case VarScope::kUser:
      return user_variables_[ref.index];
    case VarScope::kGlobal:
      return shared_->globals->Get(ref.index);
  }
  return {};
}

void Worker::SetVar(Call& call, VariableRef ref, VarValue value) {
  if (!ref.valid()) return;
  switch (ref.scope) {
    case VarScope::kCall:
      if (call.extras != nullptr && static_cast<size_t>(ref.index) < call.extras->variables.size()) {
        call.extras->variables[ref.index] = std::move(value);
      }
      break;
    case VarScope::kUser:
      user_variables_[ref.index] = std::move(value);
      break;
    case VarScope::kGlobal:
      shared_->globals->Set(ref.index, std::move(value));
      break;
  }
}

void Worker::InitCallExtras(Call& call) {
  call.extras = std::make_unique<CallExtras>();
  call.extras->variables.resize(scenario_.call_variables.size());
  call.extras->txn_branches.resize(scenario_.transaction_names.size());
  for (const auto& file : shared_->injection_files) {
    call.extras->injection_lines.push_back(
        file->LineForCall(call.call_number, UserId(call), rng_.Next()));
  }
}

void Worker::StoreRecvState(Call& call, const Element& element, const sip::Message& message) {
  CallExtras& extras = *call.extras;
  if (scenario_.uses_media) NotePeerMedia(call, message);
  if (element.auth && !message.is_request()) {
    // RFC 3261 §22.2/§22.3: 401 carries WWW-Authenticate, 407
    // Proxy-Authenticate; several are joined, the parser picks a usable one.
    extras.auth_proxy = message.status_code() == 407;
    std::string challenge;
    AppendLastHeader(message, extras.auth_proxy ? "Proxy-Authenticate" : "WWW-Authenticate",
                     /*full_header=*/false, &challenge);
    if (challenge != extras.auth_challenge) extras.nonce_count = 0;
    extras.auth_challenge = std::move(challenge);
  }
  if (element.rrs && extras.routes.empty()) {
    // SIPp records the route set once: a later rrs="true" changes nothing
    // once there is one (before that, the remote target is refreshed).
    if (std::optional<sip::DialogRoute> route = sip::ComputeDialogRoute(message)) {
      extras.routes = std::move(route->routes);
      extras.next_url = std::move(route->next_url);
    }
  }
}

bool Worker::RunActions(Call& call, const Element& element, int index,
                        const sip::Message* message) {
  const uint32_t generation = call.generation;
  for (const Action& action : element.actions) {
    if (!RunAction(call, action, index, message)) return false;
    if (call.generation != generation || call.state == Call::State::kDone) return false;
  }
  return true;
}

// SIPp keeps a failed check as the call's last action result and goes on
// with the scenario; the call is counted failed (for that reason) if it
// reaches its end.
void Worker::RecordCheck(Call& call, const Action& action, bool matched, Counter doesnt,
                         Counter shouldnt) {
  if (action.check_it && !matched) {
    call.check_failure = static_cast<int16_t>(doesnt);
  } else if (action.check_it_inverse && matched) {
    call.check_failure = static_cast<int16_t>(shouldnt);
  }
}

void Worker::RunEreg(Call& call, const Action& action, const sip::Message* message) {
  std::string subject;
  bool have_subject = true;
  switch (action.search_in) {
    case SearchIn::kMessage:
      if (message != nullptr) subject.assign(message->raw());
      break;
    case SearchIn::kHeader:
      have_subject = message != nullptr && HeaderText(*message, action, &subject);
      break;
    case SearchIn::kBody:
      if (message != nullptr) subject.assign(message->body());
      break;
    case SearchIn::kVariable:
      subject = GetVar(call, action.variable).AsString();
      break;
  }
  ApplyEreg(call, action, have_subject, subject);
}

void Worker::ApplyEreg(Call& call, const Action& action, bool have_subject,
                       const std::string& subject) {
  if (!have_subject && action.check_it) {
    call.check_failure = static_cast<int16_t>(Counter::kFailedRegexpHdrNotFound);
    return;
  }
  std::vector<base::Regex::Span> groups;
  bool matched = have_subject && action.regex->Search(subject, &groups);
  for (size_t i = 0; i < action.assign_to.size(); ++i) {
    std::string_view value;
    if (matched && i < groups.size() && groups[i].begin != std::string_view::npos) {
      value = std::string_view(subject).substr(groups[i].begin, groups[i].end - groups[i].begin);
    }
    SetVar(call, action.assign_to[i], VarValue::String(value, VarValue::Type::kRegexMatch));
  }
  RecordCheck(call, action, matched, Counter::kFailedRegexpDoesntMatch,
              Counter::kFailedRegexpShouldntMatch);
}

bool Worker::RunAction(Call& call, const Action& action, int index, const sip::Message* message) {
  auto assign_all = [&](const VarValue& value) {
    for (VariableRef ref : action.assign_to) SetVar(call, ref, value);
  };
  auto operand = [&] {
    return action.has_number ? action.number : GetVar(call, action.variable).AsDouble();
  };
  switch (action.kind) {
    case ActionKind::kEreg:
      RunEreg(call, action, message);
      return true;
    case ActionKind::kLog:
    case ActionKind::kWarning:
    case ActionKind::kError: {
      std::string text;
      ExpandText(call, *action.text, index, &text);
      if (action.kind == ActionKind::kLog) {
        TraceLog(text);
      } else if (action.kind == ActionKind::kWarning) {
        Warn(call, text);
      } else {
        stats_.Increment(Counter::kFatalErrors);
        RequestExit(255, text);  // SIPp's ERROR(): the run ends with 255
      }
      return true;
    }
    case ActionKind::kAssign:
      assign_all(VarValue::Double(operand()));
      return true;
    case ActionKind::kAdd:
    case ActionKind::kSubtract:
    case ActionKind::kMultiply:
    case ActionKind::kDivide: {
      double right = operand();
      for (VariableRef ref : action.assign_to) {
        double left = GetVar(call, ref).AsDouble();
        double result = action.kind == ActionKind::kAdd        ? left + right
                        : action.kind == ActionKind::kSubtract ? left - right
                        : action.kind == ActionKind::kMultiply ? left * right
                                                               : left / right;
        if (action.kind == ActionKind::kDivide && right == 0) {
          Warn(call, "division by zero in <divide>");
          continue;
        }
        SetVar(call, ref, VarValue::Double(result));
      }
      return true;
    }
    case ActionKind::kAssignStr: {
      std::string text;
      ExpandText(call, *action.text, index, &text);
      assign_all(VarValue::String(text));
      return true;
    }
    case ActionKind::kSample:
      assign_all(VarValue::Double(action.distribution->Sample(sampler_)));
      return true;
    case ActionKind::kToDouble:
      assign_all(VarValue::Double(GetVar(call, action.variable).AsDouble()));
      return true;
    case ActionKind::kTest: {
      double left = GetVar(call, action.variable).AsDouble();
      double right =
          action.variable2.valid() ? GetVar(call, action.variable2).AsDouble() : action.number;
      bool result = Compared(action.compare, left, right);
      assign_all(VarValue::Bool(result));
      RecordCheck(call, action, result, Counter::kFailedTestDoesntMatch,
                  Counter::kFailedTestShouldntMatch);
      return true;
    }
    case ActionKind::kStrcmp: {
      std::string left = GetVar(call, action.variable).AsString();
      std::string right;
      if (action.variable2.valid()) {
        right = GetVar(call, action.variable2).AsString();
      } else {
        ExpandText(call, *action.text, index, &right);
      }
      int result = std::strcmp(left.c_str(), right.c_str());
      assign_all(VarValue::Double(result));
      RecordCheck(call, action, result == 0, Counter::kFailedStrcmpDoesntMatch,
                  Counter::kFailedStrcmpShouldntMatch);
      return true;
    }
    case ActionKind::kTrim:
      for (VariableRef ref : action.assign_to) {
        VarValue value = GetVar(call, ref);
        if (value.type == VarValue::Type::kString || value.type == VarValue::Type::kRegexMatch) {
          value.text = std::string(base::TrimBlanks(value.text));
          SetVar(call, ref, std::move(value));
        }
      }
      return true;
    case ActionKind::kIndex:
      assign_all(VarValue::Double(index));
      return true;
    case ActionKind::kJump: {
      int64_t target = static_cast<int64_t>(operand());
      if (target < 0 || target > static_cast<int64_t>(scenario_.elements.size()) ||
          target == index) {
        Warn(call, base::Cat("<jump> to invalid index ", target));
        return true;
      }
      if (call.extras != nullptr) call.extras->jump_to = target;
      return true;
    }
    case ActionKind::kPauseRestore: {
      int64_t until = static_cast<int64_t>(operand());
      if (until > clock_.NowMillis()) call.pause_until_ms = until;
      return true;
    }
    case ActionKind::kGetTimeOfDay: {
      int64_t micros = clock_.WallMicros();
      if (!action.assign_to.empty()) {
        SetVar(call, action.assign_to[0], VarValue::Double(static_cast<double>(micros / 1000000)));
      }
      if (action.assign_to.size() > 1) {
        SetVar(call, action.assign_to[1], VarValue::Double(static_cast<double>(micros % 1000000)));
      }
      return true;
    }
    case ActionKind::kLookup:
    case ActionKind::kInsert:
    case ActionKind::kReplace:
      RunInjectionAction(call, action, index);
      return true;
    case ActionKind::kVerifyAuth: {
      std::string username;
      std::string password;
      ExpandText(call, *action.text, index, &username);
      ExpandText(call, *action.text2, index, &password);
      bool verified = false;
      if (message != nullptr && message->is_request()) {
        const sip::HeaderField* header = message->FindHeader("Authorization");
        if (header == nullptr) header = message->FindHeader("Proxy-Authorization");
        verified = header != nullptr &&
                   auth::VerifyAuthorization(header->value, message->method(), username, password,
                                             message->body());
      }
      assign_all(VarValue::Bool(verified));
      return true;
    }
    case ActionKind::kSetDest:
      RunSetDest(call, action, index);
      return true;
    case ActionKind::kCloseCon:
      // UDP shares one socket per worker: there is no per-call connection
      // to close (TCP transports honour it).
      return true;
    case ActionKind::kUrlEncode:
    case ActionKind::kUrlDecode: {
      std::string text = GetVar(call, action.variable).AsString();
      text = action.kind == ActionKind::kUrlEncode ? UrlEncode(text) : UrlDecode(text);
      SetVar(call, action.variable, VarValue::String(text));
      return true;
    }
    case ActionKind::kExecCommand:
      RunExecCommand(call, action, index);
      return true;
    case ActionKind::kPlayPcap:
    case ActionKind::kPlayDtmf:
    case ActionKind::kRtpStream:
    case ActionKind::kRtpEcho:
      RunMediaAction(call, action, index);
      return true;
    case ActionKind::kExecIntCmd:
      switch (action.int_cmd) {
        case scenario::IntCmd::kStopCall:
          // SIPp's rejectCall(): the call ends failed, counted as
          // FailedCallRejected, nothing more is sent.
          FailCall(call, Counter::kFailedCallRejected);
          return false;
        case scenario::IntCmd::kStopGracefully:
          shared_->stop_new_calls.store(true, std::memory_order_relaxed);
          return true;
        case scenario::IntCmd::kStopNow:
          RequestExit(97, "exec int_cmd=\"stop_now\"");  // SIPp: EXIT_TEST_RES_INTERNAL
          return true;
      }
      return true;
  }
  return true;
}

void Worker::RunInjectionAction(Call& call, const Action& action, int index) {
  injection::InjectionFile& file = *shared_->injection_files[action.file];
  std::string value;
  ExpandText(call, *action.text, index, &value);
  if (action.kind == ActionKind::kLookup) {
    std::optional<size_t> line = file.Lookup(value);
    double result = line.has_value() ? static_cast<double>(*line) : -1;
    for (VariableRef ref : action.assign_to) SetVar(call, ref, VarValue::Double(result));
    return;
  }
  absl::Status status;
  if (action.kind == ActionKind::kInsert) {
    status = file.Insert(value);
  } else {
    std::string line_text;
    ExpandText(call, *action.text2, index, &line_text);
    absl::StatusOr<std::optional<size_t>> line = injection::InjectionFile::ParseLineOverride(line_text);
    if (!line.ok()) {
      status = line.status();
    } else if (!line->has_value()) {
      status = absl::OutOfRangeError(base::Cat("negative line '", line_text, "'"));
    } else {
      status = file.Replace(**line, value);
    }
  }
  if (!status.ok()) Warn(call, base::Cat(file.path(), ": ", status.message()));
}

void Worker::RunExecCommand(Call& call, const Action& action, int index) {
  if (!config_.allow_exec) {
    Warn(call, "<exec command> refused: this process was not allowed to run commands");
    return;
  }
  std::string command;
  ExpandText(call, *action.text, index, &command);
  // SIPp forks twice so the command is neither waited for nor left a
  // zombie. Only async-signal-safe calls happen between fork and exec.
  pid_t child = fork();
  if (child == 0) {
    if (fork() == 0) {
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    _exit(0);
  }
  if (child > 0) {
    int status = 0;
    waitpid(child, &status, 0);
  } else {
    Warn(call, base::Cat("<exec command>: fork failed: ", std::strerror(errno)));
  }
}

void Worker::RunSetDest(Call& call, const Action& action, int index) {
  std::string host;
  std::string port;
  ExpandText(call, *action.text, index, &host);
  ExpandText(call, *action.text2, index, &port);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  uint16_t port_number = 0;
  if (!base::ParseInt(port, &port_number)) {
    Warn(call, base::Cat("<setdest>: invalid port '", port, "'"));
    return;
  }
  // Like SIPp, a name lookup blocks this worker's loop; load tests should
  // use literal addresses.
  absl::StatusOr<transport::SocketAddress> address =
      transport::SocketAddress::Resolve(host, port_number);
  if (!address.ok()) {
    Warn(call, base::Cat("<setdest>: cannot resolve '", host, ":", port, "'"));
    return;
  }
  call.peer = *address;
}

void Worker::Warn(const Call& call, std::string_view text) {
  stats_.Increment(Counter::kWarnings);
  TraceError(base::Cat("Warning: call ", call.call_id, ": ", text));
}

void Worker::RequestExit(int code, std::string message) {
  int expected = -1;
  if (!shared_->forced_exit_code.compare_exchange_strong(expected, code)) return;
  {
    std::lock_guard<std::mutex> lock(shared_->forced_exit_mutex);
    shared_->forced_exit_message = std::move(message);
  }
  shared_->stop_new_calls.store(true, std::memory_order_relaxed);
}

// [$var] in a message. SIPp prints only a variable that is "set", and a
// double is set when it is not 0: a double 0 prints nothing (checked with
// SIPp 3.6.1: `assign value="0"` then `<[$z]>` sends "<>").
void Worker::AppendVariable(const Call& call, VariableRef ref, std::string* out) {
  const VarValue value = GetVar(call, ref);
  if (value.type == VarValue::Type::kDouble && value.number == 0) return;
  value.AppendTo(out);
}

bool Worker::AppendField(Call& call, const scenario::Segment& segment, int msg_index,
                         std::string* out) {
  if (call.extras == nullptr || static_cast<size_t>(segment.file) >= shared_->injection_files.size()) {
    return false;
  }
  const injection::InjectionFile& file = *shared_->injection_files[segment.file];
  size_t line = call.extras->injection_lines[segment.file];
  const auto& line_template = (*segment.args)[0];
  if (line_template != nullptr) {
    std::string text;
    ExpandText(call, *line_template, msg_index, &text);
    absl::StatusOr<std::optional<size_t>> parsed = injection::InjectionFile::ParseLineOverride(text);
    if (!parsed.ok() || !parsed->has_value()) return false;
    line = **parsed;
  }
  if (line == injection::InjectionFile::kNoLine) return false;
  return file.AppendField(line, segment.field, out);
}

bool Worker::AppendAuthorization(Call& call, const scenario::Segment& segment, int msg_index,
                                 std::string_view method, std::string_view uri,
                                 std::string_view body, std::string* out) {
  if (call.extras == nullptr || call.extras->auth_challenge.empty()) {
    Warn(call, "[authentication] without a challenge stored by a <recv auth=\"true\">");
    return false;
  }
  absl::StatusOr<auth::Challenge> challenge = auth::ParseChallenge(call.extras->auth_challenge);
  if (!challenge.ok()) {
    Warn(call, base::Cat("unusable challenge: ", challenge.status().message()));
    return false;
  }
  auth::Credentials credentials;
  credentials.username = config_.auth_username.empty() ? config_.service : config_.auth_username;
  credentials.password = config_.auth_password;
  const auto& args = *segment.args;
  auto arg = [&](int position, std::string* value) {
    if (args[position] != nullptr) ExpandText(call, *args[position], msg_index, value);
  };
  arg(scenario::kAuthUsername, &credentials.username);
  arg(scenario::kAuthPassword, &credentials.password);
  arg(scenario::kAuthAkaK, &credentials.aka_k);
  arg(scenario::kAuthAkaOp, &credentials.aka_op);
  arg(scenario::kAuthAkaAmf, &credentials.aka_amf);
  // SIPp's digest-uri: sip:<-auth_uri>, else sip:<remote_ip>:<remote_port>.
  std::string digest_uri = config_.auth_uri.empty()
                               ? base::Cat("sip:", run_values_.remote_ip, ":", run_values_.remote_port)
                               : base::Cat("sip:", config_.auth_uri);
  char cnonce[17];
  std::snprintf(cnonce, sizeof(cnonce), "%016llx", static_cast<unsigned long long>(rng_.Next()));
  auth::RequestInfo request{method, digest_uri, body};
  absl::StatusOr<std::string> value = auth::BuildAuthorization(
      *challenge, credentials, request, ++call.extras->nonce_count, cnonce);
  if (!value.ok()) {
    Warn(call, base::Cat("[authentication]: ", value.status().message()));
    return false;
  }
  base::Append(out, call.extras->auth_proxy ? "Proxy-Authorization: " : "Authorization: ", *value);
  return true;
}

int64_t Worker::NextDynamicId() {
  // SIPp's [dynamic_id]: start, start+step, ... wrapping back to start
  // past -dynamicMax; one counter for the whole process.
  const int64_t span = std::max<int64_t>(config_.dynamic_max - config_.dynamic_start + 1, 1);
  int64_t n = shared_->dynamic_id.fetch_add(1, std::memory_order_relaxed);
  int64_t offset = (n * config_.dynamic_step) % span;
  return config_.dynamic_start + offset;
}

void Worker::RunInit() {
  if (scenario_.init_elements.empty()) return;
  // A scratch call carries the init block's call variables; globals are
  // what init is for.
  Call call;
  call.extras = std::make_unique<CallExtras>();
  call.extras->variables.resize(scenario_.call_variables.size());
  call.extras->txn_branches.resize(scenario_.transaction_names.size());
  const auto& elements = scenario_.init_elements;
  int index = 0;
  for (int steps = 0; index >= 0 && index < static_cast<int>(elements.size()); ++steps) {
    if (steps > 100000) break;  // a runaway init loop must not hang startup
    const Element& element = elements[index];
    if (element.condexec.valid() && VarIsSet(call, element.condexec) == element.condexec_inverse) {
      ++index;
      continue;
    }
    for (const Action& action : element.actions) RunAction(call, action, index, nullptr);
    index = NextIndex(call, element, index);
  }
}

}  // namespace sipfleet::runtime
