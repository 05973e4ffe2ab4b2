// 3PCC (SIPP_NOTES §2.5, §3.1): <sendCmd>/<recvCmd>, the commands a twin
// sends, and setting up the twin channel from SIPp's flags.

#include <algorithm>
#include <cstdio>

#include "absl/hash/hash.h"
#include "common/base/strings.h"
#include "common/runtime/engine.h"
#include "common/runtime/worker.h"
#include "common/twin/command.h"
#include "common/twin/slave_cfg.h"

namespace sipfleet::runtime {
namespace {

using scenario::ElementKind;
using stats::Counter;
using stats::MessageCounter;

absl::Status TwinError(std::string_view what) {
  return absl::InvalidArgumentError(base::ToAbsl(what));
}

// SIPp's computeSippMode checks: a scenario with twin elements needs a twin,
// and the flags must match the role its first twin element gives it.
absl::Status CheckTwinFlags(const TwinFlags& flags, const scenario::Scenario& scenario) {
  const bool extended = !flags.master.empty() || !flags.slave.empty();
  if (scenario.twin_role == scenario::TwinRole::kNone) {
    if (!flags.three_pcc.empty() || extended) {
      return TwinError("-3pcc/-master/-slave given but the scenario has no <sendCmd> or <recvCmd>");
    }
    return absl::OkStatus();
  }
  if (flags.three_pcc.empty() && !extended) {
    // As SIPp: "sendCmd message found in scenario but no twin sipp address".
    for (const scenario::Element& element : scenario.elements) {
      if (element.kind != ElementKind::kSendCmd && element.kind != ElementKind::kRecvCmd) continue;
      return TwinError(base::Cat(
          scenario.file_name, ":", element.line, ": <",
          element.kind == ElementKind::kSendCmd ? "sendCmd" : "recvCmd",
          "> needs a twin: use -3pcc host:port, or -master/-slave with -slave_cfg (3PCC "
          "extended mode)"));
    }
  }
  if (!flags.three_pcc.empty() && extended) {
    return TwinError("-3pcc and -master/-slave exclude each other");
  }
  if (!extended) return absl::OkStatus();
  if (!flags.master.empty() && !flags.slave.empty()) {
    return TwinError("-master and -slave exclude each other");
  }
  if (flags.slave_cfg.empty()) {
    return TwinError("3PCC extended mode (-master/-slave) needs -slave_cfg");
  }
  const bool sends_first = scenario.twin_role == scenario::TwinRole::kSendsFirst;
  if (sends_first && flags.master.empty()) {
    return TwinError(
        "inconsistency between command line and scenario: master scenario (its first twin "
        "element is <sendCmd>) but -master is not set");
  }
  if (!sends_first && flags.slave.empty()) {
    return TwinError(
        "inconsistency between command line and scenario: slave scenario (its first twin "
        "element is <recvCmd>) but -slave is not set");
  }
  return absl::OkStatus();
}

// The dest= names of the scenario's <sendCmd>s, each checked against the
// -slave_cfg instances.
absl::StatusOr<std::vector<std::string>> Destinations(const scenario::Scenario& scenario,
                                                      const std::vector<twin::PeerAddress>& peers,
                                                      const std::string& cfg) {
  std::vector<std::string> names;
  for (const scenario::Element& element : scenario.elements) {
    if (element.kind != ElementKind::kSendCmd) continue;
    std::string where = base::Cat(scenario.file_name, ":", element.line, ": <sendCmd");
    if (element.twin_peer.empty()) {
      return TwinError(base::Cat(where, "> needs dest= in 3PCC extended mode"));
    }
    if (twin::FindPeer(peers, element.twin_peer) == nullptr) {
      return TwinError(base::Cat(where, " dest=\"", element.twin_peer, "\">: no instance '",
                                 element.twin_peer, "' in -slave_cfg ", cfg));
    }
    if (std::find(names.begin(), names.end(), element.twin_peer) == names.end()) {
      names.push_back(element.twin_peer);
    }
  }
  return names;
}

}  // namespace

absl::Status SetUpTwin(const TwinFlags& flags, const scenario::Scenario& scenario,
                       EngineConfig* config, std::unique_ptr<twin::TwinHub>* hub) {
  if (absl::Status status = CheckTwinFlags(flags, scenario); !status.ok()) return status;
  if (scenario.twin_role == scenario::TwinRole::kNone) return absl::OkStatus();
  twin::HubOptions options;
  options.connect_to_twin = scenario.twin_role == scenario::TwinRole::kSendsFirst;
  options.twin_address = flags.three_pcc;
  options.extended = flags.three_pcc.empty();
  options.max_command_bytes = std::max<size_t>(config->max_message_bytes * 4, size_t{1} << 20);
  if (options.extended) {
    absl::StatusOr<std::vector<twin::PeerAddress>> peers = twin::LoadSlaveCfg(flags.slave_cfg);
    if (!peers.ok()) return TwinError(base::FromAbsl(peers.status().message()));
    options.master = !flags.master.empty();
    options.self = options.master ? flags.master : flags.slave;
    if (twin::FindPeer(*peers, options.self) == nullptr) {
      return TwinError(base::Cat(options.master ? "-master " : "-slave ", options.self,
                                 ": no instance '", options.self, "' in -slave_cfg ",
                                 flags.slave_cfg));
    }
    absl::StatusOr<std::vector<std::string>> destinations =
        Destinations(scenario, *peers, flags.slave_cfg);
    if (!destinations.ok()) return destinations.status();
    options.destinations = *std::move(destinations);
    options.peers = *std::move(peers);
  }
  config->twin_extended = options.extended;
  absl::StatusOr<std::unique_ptr<twin::TwinHub>> opened = twin::TwinHub::Open(std::move(options));
  if (!opened.ok()) {
    return TwinError(base::Cat("3PCC: ", base::FromAbsl(opened.status().message())));
  }
  *hub = *std::move(opened);
  return absl::OkStatus();
}

// Engine side (twin::CommandSink), called on the router's thread.

void Engine::DeliverCommand(std::string_view source, std::string message) {
  size_t owner = Worker::OwnerOf(twin::CommandCallId(message), workers_.size());
  workers_[owner]->PostCommand(std::string(source), std::move(message));
}

void Engine::TwinLost(std::string what) {
  bool first = !shared_.twin_lost.exchange(true);
  std::fprintf(stderr, "sipfleet: %s%s\n", what.c_str(),
               first ? "; no new calls, calls waiting for a command fail" : "");
  StopNewCalls();
  if (!first) return;
  for (auto& worker : workers_) worker->PostTwinLost();
}

// Worker side.

size_t Worker::OwnerOf(std::string_view call_id, size_t workers) {
  return workers <= 1 ? 0 : ViewHash()(call_id) % workers;
}

void Worker::PostCommand(std::string source, std::string message, size_t hops) {
  loop_.Post([this, source = std::move(source), message = std::move(message), hops]() mutable {
    HandleCommand(std::move(source), std::move(message), hops);
  });
}

void Worker::PostTwinLost() {
  loop_.Post([this] {
    for (Call& call : calls_) {
      if (call.state != Call::State::kWaitingRecv ||
          call.msg_index >= static_cast<int>(scenario_.elements.size()) ||
          scenario_.elements[call.msg_index].kind != ElementKind::kRecvCmd) {
        continue;
      }
      AbortCall(call, Counter::kFailedCmdNotSent);
    }
    UpdateFinished();
  });
}

// SIPp's process_message for a twin socket: the call owning the Call-ID
// takes the command; on a twin that starts calls on commands (controller B,
// slave, or a server sending commands), an unknown Call-ID makes a new
// outgoing call.
void Worker::HandleCommand(std::string source, std::string message, size_t hops) {
  std::string_view call_id = twin::CommandCallId(message);
  if (call_id.empty()) {
    stats_.Increment(Counter::kMalformedMessages);
    shared_->RecordTransportError("a 3PCC command without a Call-ID line was discarded");
    return;
  }
  const bool abort = twin::IsAbortCommand(message);
  if (auto it = by_call_id_.find(call_id); it != by_call_id_.end()) {
    Call& call = calls_[it->second];
    if (abort) {
      AbortFromTwin(call);
    } else {
      AcceptCommand(call, source, message);
    }
    return;
  }
  if (IsDeadCall(call_id)) {
    stats_.Increment(Counter::kDeadCallMsgs);
    return;
  }
  const size_t workers = shared_->workers.size();
  if (scenario_.mode == scenario::Mode::kClient && hops + 1 < workers) {
    shared_->workers[(index_ + 1) % workers]->PostCommand(std::move(source), std::move(message),
                                                           hops + 1);
    return;
  }
  bool admit = !abort && scenario_.mode == scenario::Mode::kServer &&
               scenario_.twin_role != scenario::TwinRole::kNone &&
               !shared_->stop_new_calls.load(std::memory_order_relaxed);
  uint64_t number = admit ? AdmitIncomingCall() : 0;
  admit = number != 0;
  if (!admit) {
    stats_.Increment(Counter::kOutOfCallMsgs);
    return;
  }
  uint32_t slot = StartCommandCall(call_id, number);
  if (calls_[slot].state != Call::State::kDone) AcceptCommand(calls_[slot], source, message);
  UpdateFinished();
}

uint32_t Worker::StartCommandCall(std::string_view call_id, uint64_t number) {
  uint32_t slot = AllocateCall();
  Call& call = calls_[slot];
  call.call_number = static_cast<uint32_t>(number);
  call.call_id.assign(call_id);
  call.peer = config_.remote;
  by_call_id_.emplace(call.call_id, slot);
  if (scenario_.needs_call_extras || config_.socket_per_ip) InitCallExtras(call);
  stats_.Increment(Counter::kOutgoingCall);  // SIPp: E_CREATE_OUTGOING_CALL
  call.endpoint = EndpointForNewCall(call);
  if (call.endpoint == kNoEndpoint) {
    FailCall(call, config_.stream() ? Counter::kFailedTcpConnect
                                    : Counter::kFailedCannotSendMessage);
    return slot;
  }
  AcquireEndpoint(call.endpoint);
  call.local_port = EndpointLocalPort(call.endpoint);
  call.state = Call::State::kWaitingRecv;
  return slot;
}

// SIPp's call::process_twinSippCom: the command is for the next <recvCmd>,
// past optional elements only; anything else rejects the call. In extended
// mode the command's From: must name the <recvCmd>'s src.
void Worker::AcceptCommand(Call& call, std::string_view source, std::string_view message) {
  const int count = static_cast<int>(scenario_.elements.size());
  int index = -1;
  for (int i = call.msg_index; i < count; ++i) {
    const Element& element = scenario_.elements[i];
    if (element.kind == ElementKind::kRecvCmd) {
      index = i;
      break;
    }
    if (element.optional == scenario::Optional::kNo) break;
  }
  if (index < 0) {
    stats_.IncrementMessage(std::min(call.msg_index, count - 1), MessageCounter::kUnexpected);
    Warn(call, base::Cat("unexpected 3PCC command while at element ", call.msg_index, ":\n",
                         message));
    FailCall(call, Counter::kFailedCallRejected);
    return;
  }
  const Element& element = scenario_.elements[index];
  if (config_.twin_extended && !element.twin_peer.empty() && element.twin_peer != source) {
    Warn(call, base::Cat("3PCC command from '", source, "' where <recvCmd src=\"",
                         element.twin_peer, "\"> expects one:\n", message));
    FailCall(call, Counter::kFailedCallRejected);
    return;
  }
  call.recv_deadline_ms = kNever;
  stats_.IncrementMessage(index, MessageCounter::kReceived);
  Bookkeeping(call, element, index);
  if (!element.actions.empty() &&
      !RunCommandActions(call, element, index, twin::CommandForActions(message))) {
    return;
  }
  call.msg_index = NextIndex(call, element, index);
  call.state = Call::State::kRunning;
  Advance(call);
}

// SIPp's checkInternalCmd "abort_call": the call ends failed, sending the
// default BYE/CANCEL to its SIP peer, and nothing goes back to the twin.
void Worker::AbortFromTwin(Call& call) {
  if (config_.default_behaviors & kBehaviorBye) SendDefaultAbortMessage(call);
  call.failed = true;
  EndCall(call);
}

bool Worker::SendCommand(Call& call, int index) {
  const Element& element = scenario_.elements[index];
  ExpandTemplate(call, *element.message, index, &scratch_);
  // As SIPp's command: the text ends with one line end before the delimiter.
  while (scratch_.ends_with('\n') || scratch_.ends_with('\r')) scratch_.pop_back();
  scratch_.append("\r\n");
  if (shared_->commands == nullptr || !shared_->commands->Send(element.twin_peer, scratch_)) {
    FailCall(call, Counter::kFailedCmdNotSent);
    return false;
  }
  stats_.IncrementMessage(index, MessageCounter::kSent);
  if (!element.actions.empty() && !RunActions(call, element, index, nullptr)) return false;
  Bookkeeping(call, element, index);
  call.msg_index = NextIndex(call, element, index);
  return true;
}

void Worker::WaitCommand(Call& call, const Element& element) {
  if (shared_->twin_lost.load(std::memory_order_relaxed)) {
    AbortCall(call, Counter::kFailedCmdNotSent);  // no command can come any more
    return;
  }
  WaitForMessage(call, element);
}

// A <recvCmd>'s actions see the command text where a <recv>'s see the
// message: <ereg search_in="msg|hdr|body"> searches the command.
bool Worker::RunCommandActions(Call& call, const Element& element, int index,
                               std::string_view text) {
  const uint32_t generation = call.generation;
  for (const scenario::Action& action : element.actions) {
    bool go_on = true;
    if (action.kind == scenario::ActionKind::kEreg &&
        action.search_in != scenario::SearchIn::kVariable) {
      RunCommandEreg(call, action, text);
    } else {
      go_on = RunAction(call, action, index, nullptr);
    }
    if (!go_on || call.generation != generation || call.state == Call::State::kDone) return false;
  }
  return true;
}

void Worker::RunCommandEreg(Call& call, const scenario::Action& action, std::string_view text) {
  std::string subject;
  bool have_subject = true;
  if (action.search_in == scenario::SearchIn::kHeader) {
    have_subject =
        twin::CommandHeader(text, action.header, action.case_indep, action.occurrence, &subject);
  } else {
    subject.assign(action.search_in == scenario::SearchIn::kBody ? twin::CommandBody(text) : text);
  }
  ApplyEreg(call, action, have_subject, subject);
}

// SIPp resets the twin's side of an aborted call (its default "3pcc_abort"
// message, or a <DefaultMessage id="3pcc_abort">) on the -3pcc twin, once the
// call is past its first element.
void Worker::SendTwinAbort(Call& call) {
  if (shared_->commands == nullptr || config_.twin_extended || call.msg_index <= 0 ||
      shared_->twin_lost.load(std::memory_order_relaxed)) {
    return;
  }
  const auto& custom =
      scenario_.default_messages[static_cast<size_t>(scenario::DefaultMessageId::kThreePccAbort)];
  std::string text;
  if (custom != nullptr) {
    ExpandTemplate(call, *custom, call.msg_index, &text);
  } else {
    text = twin::AbortCommand(call.call_id);
  }
  shared_->commands->Send("", std::move(text));
}

}  // namespace sipfleet::runtime
