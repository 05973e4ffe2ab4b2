#include "common/runtime/worker.h"

#include <sys/epoll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "absl/hash/hash.h"
#include "common/base/strings.h"
#include "common/runtime/default_messages.h"
#include "common/runtime/worker_endpoint.h"

namespace sipfleet::runtime {
namespace {

using scenario::ElementKind;
using stats::Counter;
using stats::MessageCounter;

// SIPp strips everything up to "///" from Call-IDs it matches on.
std::string_view StripCallIdPrefix(std::string_view call_id) {
  size_t marker = call_id.find("///");
  return marker == std::string_view::npos ? call_id : call_id.substr(marker + 3);
}

bool IsInvite(const scenario::Element& element) {
  return element.message && element.message->method() == "INVITE";
}

}  // namespace

Worker::Worker(int index, WorkerShared* shared, std::shared_ptr<transport::UdpSocket> socket,
               bool shared_socket, uint64_t first_call_number, uint64_t stride)
    : index_(index),
      shared_(shared),
      scenario_(*shared->scenario),
      config_(shared->config),
      clock_(*shared->clock),
      loop_(*shared->clock),
      socket_(std::move(socket)),
      shared_socket_(shared_socket),
      receive_(static_cast<int>(std::min<size_t>(shared->config.max_message_bytes,
                                                  transport::ReceiveBatch::kMaxDatagramBytes))),
      send_(socket_ != nullptr ? socket_->fd() : -1),
      stats_(StatsLayoutFor(*shared->scenario)),
      last_policy_(*shared->scenario),
      rng_(shared->config.rng_seed * 7919 + static_cast<uint64_t>(index)),
      sampler_(shared->config.rng_seed * 104729 + static_cast<uint64_t>(index)),
      next_call_number_(first_call_number),
      first_number_(first_call_number - static_cast<uint64_t>(index)),
      stride_(stride) {
  const transport::SocketAddress& local = socket_ != nullptr ? socket_->local_address() : config_.local;
  run_values_.transport = std::string(config_.transport_name());
  run_values_.service = config_.service;
  run_values_.remote_ip = config_.remote.ip_for_uri();
  run_values_.remote_host = config_.remote_host;
  run_values_.remote_port = base::Cat(config_.remote.port());
  run_values_.local_ip = config_.local_ip_for_uri;
  run_values_.local_ip_type = local.is_ipv6() ? "6" : "4";
  run_values_.local_port = base::Cat(local.port());
  run_values_.media_ip = config_.media_ip;
  run_values_.media_ip_type = config_.media_ipv6 ? "6" : "4";
  run_values_.media_port = config_.media_port;
  run_values_.rtpstream_port = config_.media_port;
  run_values_.pid = base::Cat(config_.pid);
  run_values_.version = "sipfleet-0.1.0";
  forward_.resize(shared->workers.size());
  user_variables_.resize(scenario_.user_variables.size());
}

Worker::~Worker() {
  FlushRttRows();
  for (auto& endpoint : endpoints_) {
    if (endpoint && endpoint->udp_handler) loop_.Unwatch(endpoint->udp->fd());
  }
}

absl::Status Worker::Init() {
  if (absl::Status status = loop_.Init(); !status.ok()) return status;
  if (absl::Status status = InitTransport(); !status.ok()) return status;
  if (absl::Status status = InitMedia(); !status.ok()) return status;
  loop_.set_timer_handler([this](uint64_t token) { OnTimer(token); });
  loop_.set_iteration_end_handler([this] { FlushOutgoing(); });
  loop_.set_tick_micros(config_.tick_micros);
  return absl::OkStatus();
}

void Worker::Begin() {
  if (!pacing_set_) {
    pacing_.start_us = clock_.NowMicros();
    pacing_.first_number = 1;
    pacing_.interval_us = users_mode_ ? 1 : IntervalForRate(config_.rate, config_.rate_period_ms);
  }
  // A t1/l1 client connects when the run starts, not when the engine is
  // made: a cluster prepares every agent before its servers listen.
  if (config_.stream() && scenario_.mode == scenario::Mode::kClient && !config_.socket_per_call) {
    ConnectPrimary();
  }
  if (scenario_.mode == scenario::Mode::kClient) PlaceDueCalls();
  UpdateFinished();
  FlushOutgoing();
}

void Worker::Run() {
  if (media_ != nullptr) {
    // Media packets are timed in microseconds: sleeps end when asked, not up
    // to 50 µs later (the default timer slack), and, as SIPp's pcap play
    // does, the thread asks for real-time priority (SCHED_FIFO 1; refused
    // without CAP_SYS_NICE, then it stays as it is). The kernel's RT
    // throttling still leaves 5% of each core to other threads.
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    sched_param priority{};
    priority.sched_priority = 1;
    pthread_setschedparam(pthread_self(), SCHED_FIFO, &priority);
  }
  Begin();
  loop_.Run();
}

void Worker::PostAbortAll() {
  loop_.Post([this] {
    next_call_number_ = ~uint64_t{0} / 2;  // no new calls
    no_new_calls_ = true;
    for (uint32_t slot = 0; slot < calls_.size(); ++slot) {
      Call& call = calls_[slot];
      if (call.state != Call::State::kDone) {
        SendDefaultAbortMessage(call);
        EndCall(call, /*counted=*/false);
      }
    }
    UpdateFinished();
  });
}

void Worker::PostDatagrams(std::vector<Forwarded> datagrams) {
  loop_.Post([this, datagrams = std::move(datagrams)] {
    for (const Forwarded& d : datagrams) HandleDatagram(d.bytes, d.from, /*forwarded=*/true, d.endpoint);
  });
}

void Worker::OnEvents(uint32_t events) {
  // Bounded so timers and other sockets are not starved under a flood.
  for (int round = 0; round < 16; ++round) {
    int n = receive_.Receive(socket_->fd());
    if (n <= 0) break;
    for (int i = 0; i < n; ++i) {
      if (receive_.truncated(i)) {
        stats_.Increment(Counter::kOversizedDatagrams);
        continue;
      }
      HandleDatagram(receive_.datagram(i), receive_.source(i), /*forwarded=*/false);
    }
    if (n < transport::ReceiveBatch::kMaxDatagrams) break;
  }
}

void Worker::HandleDatagram(std::string_view data, const transport::SocketAddress& from,
                            bool forwarded, uint32_t endpoint) {
  // Keep-alive CRLFs (RFC 5626 §3.5.1) are not messages.
  if (data.find_first_not_of("\r\n") == std::string_view::npos) return;
  if (!forwarded && shared_socket_ && shared_->workers.size() > 1) {
    std::string_view peek = StripCallIdPrefix(sip::PeekCallId(data));
    size_t owner = ViewHash()(peek) % shared_->workers.size();
    if (owner != static_cast<size_t>(index_)) {
      forward_[owner].push_back(Forwarded{std::string(data), from, endpoint});
      return;
    }
  }
  TraceReceived(data);
  absl::StatusOr<sip::Message> message = sip::Message::Parse(data);
  if (!message.ok() || message->call_id().empty()) {
    stats_.Increment(Counter::kMalformedMessages);
    return;
  }
  std::string_view call_id = StripCallIdPrefix(message->call_id());
  uint64_t hash = ViewHash()(message->raw());
  auto it = by_call_id_.find(call_id);
  if (it != by_call_id_.end()) {
    HandleCallMessage(it->second, *message, hash);
    return;
  }
  if (IsDeadCall(call_id)) {
    stats_.Increment(Counter::kDeadCallMsgs);
    return;
  }
  bool admit = scenario_.mode == scenario::Mode::kServer && message->is_request() &&
               message->method() != "ACK" &&
               !shared_->stop_new_calls.load(std::memory_order_relaxed);
  uint64_t number = admit ? AdmitIncomingCall() : 0;
  admit = number != 0;
  if (!admit) {
    using OutOfCall = EngineConfig::OutOfCall;
    // With -oocsn, SIPp hands a request no call owns to its out-of-call
    // scenario and counts it as AutoAnswered; without, it discards it.
    if (config_.out_of_call != OutOfCall::kDiscard && scenario_.mode == scenario::Mode::kClient &&
        message->is_request() && message->method() != "ACK") {
      stats_.Increment(Counter::kAutoAnswered);
      if (config_.out_of_call == OutOfCall::kAnswer) {
        Call stray;
        stray.peer = from;
        stray.local_port = EndpointLocalPort(endpoint);
        BuildOkResponse(*message, stray, run_values_, &scratch_);
        SendVia(endpoint, scratch_, from);
      }
      return;
    }
    stats_.Increment(Counter::kOutOfCallMsgs);
    return;
  }
  uint32_t slot = StartServerCall(call_id, from, endpoint, number);
  HandleCallMessage(slot, *message, hash);
  UpdateFinished();
}

uint64_t Worker::AdmitIncomingCall() {
  // Every admitted call takes the next number, -m or not: [call_number]
  // runs 1, 2, 3... across workers, as in SIPp.
  uint64_t number = shared_->incoming_admitted.fetch_add(1, std::memory_order_relaxed) + 1;
  return config_.max_calls == 0 || number <= config_.max_calls ? number : 0;
}

void Worker::HandleCallMessage(uint32_t slot, const sip::Message& message, uint64_t hash) {
  Call& call = calls_[slot];
  TraceCallReceived(call, message, hash);
  if (call.last_recv_index >= 0 && hash == call.last_recv_hash) {
    // A retransmission of the last message we accepted (-rtcheck full):
    // count it and answer with what we sent after it, if anything.
    stats_.Increment(Counter::kRetransmissions);
    stats_.IncrementMessage(call.last_recv_index, MessageCounter::kRetransmission);
    if (call.last_send_index > call.last_recv_index) Resend(call, call.last_send_index);
    return;
  }
  if (!message.is_request() && !message.has_to()) {
    // RFC 3261 §8.1.1.2 makes To mandatory; SIPp treats a response without
    // one as unexpected (regress #0152) and the call fails.
    HandleUnexpected(call, message);
    return;
  }
  bool old_message = false;
  int index = FindMatch(call, message, &old_message);
  if (index < 0) {
    HandleUnexpected(call, message);
  } else if (old_message) {
    HandleOldMessage(call, index, message);
  } else {
    AcceptMessage(call, index, message, hash);
  }
}

bool Worker::Matches(const Call& call, int index, const sip::Message& message) const {
  const Element& element = scenario_.elements[index];
  if (!element.is_recv()) return false;
  if (element.recv_response != 0) {
    if (message.is_request()) return false;
    if (element.recv_regex != nullptr) {
      if (!element.recv_regex->Search(base::Cat(message.status_code()), nullptr)) return false;
    } else if (message.status_code() != element.recv_response) {
      return false;
    }
    if (element.response_txn >= 0) {
      // Named transactions match by the top Via branch (§3.6).
      return call.extras != nullptr && !message.top_via_branch().empty() &&
             call.extras->txn_branches[element.response_txn] == message.top_via_branch();
    }
    // §3.6: the response's CSeq method must be one we sent (strstr on the
    // concatenated sent methods); a recv at index 0 matches any response.
    return index == 0 ||
           (!message.cseq_method().empty() &&
            element.prior_request_methods.find(message.cseq_method()) != std::string::npos);
  }
  if (!message.is_request()) return false;
  if (element.recv_regex != nullptr) return element.recv_regex->Search(message.method(), nullptr);
  return message.method() == element.recv_request;
}

int Worker::FindMatch(const Call& call, const sip::Message& message, bool* old_message) const {
  const int count = static_cast<int>(scenario_.elements.size());
  // Forward over the current recv and the optional ones after it.
  for (int i = call.msg_index; i < count; ++i) {
    if (Matches(call, i, message)) return i;
    const Element& element = scenario_.elements[i];
    if (!element.is_recv() || element.optional == scenario::Optional::kNo) break;
  }
  // Backward: contiguous optional recvs are still acceptable; anything older
  // is a late copy of a message already handled.
  bool contiguous = true;
  for (int i = std::min(call.msg_index, count) - 1; i >= 0; --i) {
    const Element& element = scenario_.elements[i];
    if (!element.is_recv() || element.optional == scenario::Optional::kNo) contiguous = false;
    if (Matches(call, i, message)) {
      *old_message = !(contiguous || element.optional == scenario::Optional::kGlobal);
      return i;
    }
  }
  return -1;
}

void Worker::AcceptMessage(Call& call, int index, const sip::Message& message, uint64_t hash) {
  const Element& element = scenario_.elements[index];
  if (element.lost_percent > 0 &&
      rng_.NextBelow(100) < static_cast<uint64_t>(element.lost_percent)) {
    return;  // simulated loss (lost="pct"): as if never received
  }
  call.last_recv_hash = hash;
  call.last_recv_index = index;
  if (scenario_.needs_last_message) KeepLastMessage(call, index, message);
  if (!message.is_request()) {
    if (!message.to_tag().empty()) call.peer_tag.assign(message.to_tag());
    if (message.cseq_method() == "INVITE" && message.status_code() >= 200 &&
        message.status_code() < 300) {
      call.invite_answered = true;
    }
  } else if (message.cseq_number() > call.cseq) {
    call.cseq = message.cseq_number();
  }
  if (call.retrans_index >= 0) {  // our request was answered
    OpenWindow(call.retrans_count == 0
                   ? clock_.NowMillis() - (call.retrans_at_ms - call.retrans_interval_ms)
                   : -1);
  }
  StopRetransmissions(call);
  call.recv_deadline_ms = kNever;
  stats_.IncrementMessage(index, MessageCounter::kReceived);
  if (call.extras != nullptr) StoreRecvState(call, element, message);
  Bookkeeping(call, element, index);
  if (!element.actions.empty() && !RunActions(call, element, index, &message)) return;
  if (!element.advance_state) {
    // An optional recv with advance_state="false" is consumed where it is:
    // the call keeps waiting for the element it was at.
    call.state = Call::State::kWaitingRecv;
    RearmTimer(call, call.slot);
    return;
  }
  call.msg_index = NextIndex(call, element, index);
  call.state = Call::State::kRunning;
  Advance(call);
}

void Worker::KeepLastMessage(Call& call, int index, const sip::Message& message) {
  if (last_policy_.KeepAfter(index)) {
    last_policy_.Keep(message, &call.last_message);
  } else {
    std::string().swap(call.last_message);  // nothing reads it before the next recv
  }
}

void Worker::HandleOldMessage(Call& call, int index, const sip::Message& message) {
  stats_.Increment(Counter::kRetransmissions);
  stats_.IncrementMessage(index, MessageCounter::kRetransmission);
  // A repeated final response to our INVITE means our ACK was lost.
  if (!message.is_request() && message.cseq_method() == "INVITE" && message.status_code() >= 200 &&
      call.last_ack_index >= 0) {
    Resend(call, call.last_ack_index);
  }
}

void Worker::HandleUnexpected(Call& call, const sip::Message& message) {
  stats_.IncrementMessage(std::min<int>(call.msg_index, scenario_.elements.size() - 1),
                          MessageCounter::kUnexpected);
  uint32_t behaviors = config_.default_behaviors;
  if (message.is_request() && message.method() == "PING" && (behaviors & kBehaviorPingReply)) {
    ReplyOk(call, message);
    return;
  }
  if (message.is_request() && message.method() == "ACK") {
    return;  // a stray ACK needs no answer; SIPp ignores it unless checking CSeq
  }
  if (config_.auto_answer && message.is_request() &&
      (message.method() == "INFO" || message.method() == "NOTIFY" ||
       message.method() == "OPTIONS" || message.method() == "UPDATE")) {
    // -aa (SIPP_NOTES §3.6): answered, counted, and the call goes on.
    ReplyOk(call, message);
    stats_.Increment(Counter::kAutoAnswered);
    return;
  }
  if (scenario_.unexpected_label >= 0) {
    // A <label id="_unexp.main"> takes over: the scenario handles it and may
    // jump back to _unexp.retaddr.
    SetVar(call, scenario_.unexpected_return, VarValue::Double(call.msg_index));
    SetVar(call, scenario_.unexpected_paused,
           VarValue::Double(call.pause_until_ms == kNever ? 0 : call.pause_until_ms));
    if (scenario_.needs_last_message) last_policy_.Keep(message, &call.last_message);
    call.recv_deadline_ms = kNever;
    call.pause_until_ms = kNever;
    call.msg_index = scenario_.unexpected_label;
    call.state = Call::State::kRunning;
    Advance(call);
    return;
  }
  TraceUnexpected(call, message);
  if (message.is_request() && (message.method() == "BYE" || message.method() == "CANCEL")) {
    ReplyOk(call, message);
    FailCall(call, Counter::kFailedUnexpectedMessage);
    return;
  }
  if (!(behaviors & kBehaviorAbortUnexpected)) return;
  if (!message.is_request() && message.cseq_method() == "INVITE" && message.status_code() >= 300) {
    // RFC 3261 §17.1.1.3: a non-2xx final response is ACKed; the INVITE
    // transaction is over, so no CANCEL follows.
    AckFinalResponse(call, message);
    call.invite_index = -1;
  }
  AbortCall(call, Counter::kFailedUnexpectedMessage);
}

void Worker::Advance(Call& call) {
  const int count = static_cast<int>(scenario_.elements.size());
  while (call.state != Call::State::kDone) {
    if (call.msg_index >= count) {
      EndCall(call);
      return;
    }
    const int index = call.msg_index;
    const Element& element = scenario_.elements[index];
    if (element.condexec.valid() &&
        VarIsSet(call, element.condexec) == element.condexec_inverse) {
      call.msg_index = index + 1;  // condexec: the element is skipped
      continue;
    }
    switch (element.kind) {
      case ElementKind::kSend:
        if (!SendElement(call, index)) return;
        if (!element.actions.empty() && !RunActions(call, element, index, nullptr)) return;
        Bookkeeping(call, element, index);
        call.msg_index = NextIndex(call, element, index);
        break;
      case ElementKind::kRecv: {
        if (EndpointClosed(call.endpoint)) {
          FailCall(call, Counter::kFailedTcpClosed);
          return;
        }
        WaitForMessage(call, element);
        return;
      }
      case ElementKind::kPause: {
        int64_t duration = PauseMillis(call, element);
        stats_.IncrementMessage(index, MessageCounter::kSent);
        if (!element.actions.empty() && !RunActions(call, element, index, nullptr)) return;
        Bookkeeping(call, element, index);
        if (duration <= 0) {
          call.msg_index = NextIndex(call, element, index);
          break;
        }
        call.state = Call::State::kPaused;
        // Rounded up to the next millisecond so a pause never ends early
        // (an RTD spanning it is at least `duration`).
        call.pause_until_ms = (clock_.NowMicros() + duration * 1000 + 999) / 1000;
        RearmTimer(call, call.slot);
        return;
      }
      case ElementKind::kNop:
        stats_.IncrementMessage(index, MessageCounter::kSent);
        if (!element.actions.empty() && !RunActions(call, element, index, nullptr)) return;
        Bookkeeping(call, element, index);
        call.msg_index = NextIndex(call, element, index);
        break;
      case ElementKind::kSendCmd:  // worker_3pcc.cc
        if (!SendCommand(call, index)) return;
        break;
      case ElementKind::kRecvCmd:
        WaitCommand(call, element);
        return;
    }
  }
}

int Worker::NextIndex(Call& call, const Element& element, int index) {
  if (call.extras != nullptr && call.extras->jump_to >= 0) {
    int target = static_cast<int>(call.extras->jump_to);
    call.extras->jump_to = -1;
    return target;
  }
  if (element.next < 0) return index + 1;
  // §3.2: next= applies only if test= is set and chance= is drawn.
  if (element.test.valid() && !VarIsSet(call, element.test)) return index + 1;
  if (element.chance >= 0 && rng_.NextDouble() >= element.chance) return index + 1;
  return element.next;
}

int64_t Worker::PauseMillis(Call& call, const Element& element) {
  const scenario::PauseSpec& pause = element.pause;
  switch (pause.source) {
    case scenario::PauseSpec::Source::kFixed:
      return pause.milliseconds;
    case scenario::PauseSpec::Source::kVariable:
      return static_cast<int64_t>(GetVar(call, pause.variable).AsDouble());
    case scenario::PauseSpec::Source::kDistribution:
      return static_cast<int64_t>(pause.distribution->Sample(sampler_));
    case scenario::PauseSpec::Source::kDefaultDuration:
      break;
  }
  return config_.default_duration_ms;
}

void Worker::ExpandElement(Call& call, int index, std::string* out) {
  ExpandTemplate(call, *scenario_.elements[index].message, index, out);
}

void Worker::ExpandTemplate(Call& call, const scenario::MessageTemplate& tmpl, int index,
                            std::string* out, bool as_text) {
  ExpandInputs inputs;
  inputs.msg_index = index;
  inputs.clock_ms = clock_.NowMillis();
  inputs.wall_micros = tmpl.uses_wall_clock() ? clock_.WallMicros() : 0;
  inputs.resolver = this;
  std::optional<absl::StatusOr<sip::Message>> last;
  if (tmpl.uses_last_message() && !call.last_message.empty()) {
    last.emplace(sip::Message::Parse(call.last_message));
    if (last->ok()) inputs.last_message = &**last;
  }
  if (as_text) {
    runtime::ExpandText(tmpl, run_values_, call, inputs, out);
  } else {
    Expand(tmpl, run_values_, call, inputs, out);
  }
}

void Worker::ExpandSent(Call& call, int index, std::string* out) {
  // Calls with extras may hold values that change on every expansion
  // ([authentication]'s nonce count, [dynamic_id], variables): use the bytes
  // sent.
  const std::string* copy = call.extras != nullptr ? call.extras->SentCopy(index) : nullptr;
  if (copy != nullptr) {
    out->assign(*copy);
  } else {
    ExpandElement(call, index, out);
  }
}

void Worker::Resend(Call& call, int index) {
  ExpandSent(call, index, &scratch_);
  SendBytes(call, scratch_);
}

bool Worker::SendBytes(Call& call, std::string_view bytes) {
  if (bytes.size() > config_.max_send_bytes()) {
    // Never handed to the socket: sendto would refuse it (EMSGSIZE) after
    // the batch, too late for the call, which would wait for timer B.
    send_errors_.fetch_add(1, std::memory_order_relaxed);
    TraceError(base::Cat("message of ", bytes.size(), " bytes not sent (call ", call.call_id,
                         "): more than ", config_.max_send_bytes(), " bytes, the most ",
                         config_.stream() ? "-max_msg_size allows" : "a UDP datagram takes"));
    return false;
  }
  TraceSent(call, bytes);
  SendVia(call.endpoint, bytes, call.peer);
  return true;
}

bool Worker::SendElement(Call& call, int index) {
  if (EndpointClosed(call.endpoint)) {
    FailCall(call, Counter::kFailedTcpClosed);
    return false;
  }
  const Element& element = scenario_.elements[index];
  std::string_view method = element.message->method();
  if (!method.empty() && method != "ACK" && method != "CANCEL") ++call.cseq;
  ExpandElement(call, index, &scratch_);
  bool lost =
      element.lost_percent > 0 && rng_.NextBelow(100) < static_cast<uint64_t>(element.lost_percent);
  if (!lost && !SendBytes(call, scratch_)) {
    FailCall(call, Counter::kFailedCannotSendMessage);
    return false;
  }
  stats_.IncrementMessage(index, MessageCounter::kSent);
  if (call.extras != nullptr) {
    call.extras->KeepSentCopy(index, method, scratch_);
    if (element.start_txn >= 0 || scenario_.uses_media) {
      absl::StatusOr<sip::Message> sent = sip::Message::Parse(scratch_);
      if (sent.ok() && element.start_txn >= 0) {
        call.extras->txn_branches[element.start_txn].assign(sent->top_via_branch());
      }
      if (sent.ok() && scenario_.uses_media) NoteOwnMedia(call, *sent);
    }
  }
  if (method == "INVITE") {
    call.invite_index = index;
    call.invite_answered = false;
  } else if (method == "ACK") {
    call.last_ack_index = index;
  }
  call.last_send_index = index;
  if (element.retrans_ms > 0 && config_.retransmissions && !config_.stream()) {
    if (call.retrans_index < 0) ++in_flight_;
    call.retrans_index = index;
    call.retrans_count = 0;
    call.retrans_interval_ms = static_cast<uint32_t>(element.retrans_ms);
    call.retrans_at_ms = clock_.NowMillis() + element.retrans_ms;
  } else {
    StopRetransmissions(call);
  }
  return true;
}

void Worker::WaitForMessage(Call& call, const Element& element) {
  call.state = Call::State::kWaitingRecv;
  int64_t timeout = element.timeout_ms > 0 ? element.timeout_ms : config_.recv_timeout_ms;
  if (timeout > 0 && call.recv_deadline_ms == kNever) {
    call.recv_deadline_ms = clock_.NowMillis() + timeout;
  }
  RearmTimer(call, call.slot);
}

void Worker::Bookkeeping(Call& call, const Element& element, int index) {
  if (element.counter >= 0) stats_.IncrementUserCounter(element.counter);
  if (element.start_rtds.empty() && element.stop_rtds.empty()) return;
  int64_t now = clock_.NowMicros();
  for (scenario::RtdIndex rtd : element.start_rtds) {
    call.rtd_start_us[rtd] = now;
    call.rtd_recorded &= ~(1u << (rtd & 31));
  }
  for (scenario::RtdIndex rtd : element.stop_rtds) {
    // Each RTD is recorded once per call unless repeat_rtd asks otherwise.
    const uint32_t bit = 1u << (rtd & 31);
    if ((call.rtd_recorded & bit) && !element.repeat_rtd) continue;
    const int64_t elapsed_us = std::max<int64_t>(now - call.rtd_start_us[rtd], 0);
    stats_.RecordResponseTime(rtd, static_cast<uint64_t>(elapsed_us));
    if (RttTraceOn()) {
      // SIPp's -trace_rtt row: date and response time in ms as `ostream <<
      // double` prints them (%g), then the RTD number (1-based).
      char row[96];
      int n = std::snprintf(row, sizeof(row), "%g;%g;%d\n",
                            static_cast<double>(clock_.WallMicros()) / 1000.0,
                            static_cast<double>(elapsed_us) / 1000.0, rtd + 1);
      rtt_rows_.append(row, static_cast<size_t>(n));
      if (++rtt_row_count_ >= config_.rtt_freq) FlushRttRows();
    }
    call.rtd_recorded |= bit;
  }
}

void Worker::RearmTimer(Call& call, uint32_t slot) {
  int64_t next = std::min({call.pause_until_ms, call.retrans_at_ms, call.recv_deadline_ms});
  if (next < call.timer_ms) {
    loop_.timers().Schedule(next, Token(slot, call.generation));
    call.timer_ms = next;
  }
}

void Worker::OnTimer(uint64_t token) {
  if (token == kPacerToken) {
    pacer_armed_ = false;
    PlaceDueCalls();
    return;
  }
  if (token == kReconnectToken) {
    ConnectPrimary();
    return;
  }
  if (token == kStreamSweepToken) {
    SweepStreams();
    return;
  }
  uint32_t slot = static_cast<uint32_t>(token >> 32);
  if (slot >= calls_.size()) return;
  Call& call = calls_[slot];
  int64_t now = clock_.NowMillis();
  if (call.generation != static_cast<uint32_t>(token) || call.state == Call::State::kDone ||
      now < call.timer_ms) {
    return;  // a stale or superseded entry
  }
  call.timer_ms = kNever;
  const int64_t now_us = clock_.NowMicros();
  if (call.retrans_at_ms <= now) {
    lateness_.retransmissions_us.Record(
        static_cast<uint64_t>(std::max<int64_t>(now_us - call.retrans_at_ms * 1000, 0)));
    Retransmit(call, slot);
  }
  if (call.state != Call::State::kDone && call.recv_deadline_ms <= now) RecvTimeout(call);
  if (call.state == Call::State::kPaused && call.pause_until_ms <= now) {
    lateness_.pauses_us.Record(static_cast<uint64_t>(std::max<int64_t>(
        now_us - call.pause_until_ms * 1000, 0)));
    call.pause_until_ms = kNever;
    call.state = Call::State::kRunning;
    call.msg_index = NextIndex(call, scenario_.elements[call.msg_index], call.msg_index);
    Advance(call);
  }
  if (call.state != Call::State::kDone && call.generation == static_cast<uint32_t>(token)) {
    RearmTimer(call, slot);
  }
}

void Worker::Retransmit(Call& call, uint32_t slot) {
  const Element& element = scenario_.elements[call.retrans_index];
  const bool invite = IsInvite(element);
  const int max_retrans = invite ? config_.max_invite_retrans : config_.max_non_invite_retrans;
  if (call.retrans_count >= max_retrans) {
    // Timer B / F expired (RFC 3261 §17.1.1.2, §17.1.2.2).
    stats_.IncrementMessage(call.retrans_index, MessageCounter::kTimeout);
    StopRetransmissions(call);
    TraceTimeout(call, /*retransmission=*/true);
    AbortCall(call, Counter::kFailedMaxUDPRetrans);
    return;
  }
  Resend(call, call.retrans_index);
  CutWindow();
  stats_.Increment(Counter::kRetransmissions);
  stats_.IncrementMessage(call.retrans_index, MessageCounter::kRetransmission);
  ++call.retrans_count;
  // RFC 3261 §17.1.1.2 (INVITE: doubling, no cap) and §17.1.2.2 (others:
  // doubling, capped at T2).
  uint32_t interval = call.retrans_interval_ms * 2;
  if (!invite) interval = std::min<uint32_t>(interval, static_cast<uint32_t>(config_.t2_ms));
  call.retrans_interval_ms = interval;
  call.retrans_at_ms = clock_.NowMillis() + interval;
}

void Worker::StopRetransmissions(Call& call) {
  if (call.retrans_index >= 0) --in_flight_;
  call.retrans_index = -1;
  call.retrans_at_ms = kNever;
}

void Worker::RecvTimeout(Call& call) {
  call.recv_deadline_ms = kNever;
  const Element& element =
      scenario_.elements[std::min<size_t>(call.msg_index, scenario_.elements.size() - 1)];
  stats_.IncrementMessage(call.msg_index, MessageCounter::kTimeout);
  if (element.on_timeout >= 0) {
    call.msg_index = element.on_timeout;
    call.state = Call::State::kRunning;
    Advance(call);
    return;
  }
  TraceTimeout(call, /*retransmission=*/false);
  AbortCall(call, Counter::kFailedTimeoutOnRecv);
}

uint32_t Worker::AllocateCall() {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(calls_.size());
    calls_.emplace_back();
  }
  Call& call = calls_[slot];
  const uint32_t generation = call.generation;
  std::string call_id = std::move(call.call_id);  // reuse capacity
  std::string peer_tag = std::move(call.peer_tag);
  call = Call{};
  call.generation = generation;
  call.slot = slot;
  call.call_id = std::move(call_id);
  call.call_id.clear();
  call.peer_tag = std::move(peer_tag);
  call.peer_tag.clear();
  call.start_us = clock_.NowMicros();
  call.rtd_start_us.assign(scenario_.rtd_names.size(), call.start_us);
  call.cseq = static_cast<uint32_t>(config_.base_cseq - 1);
  open_calls_.fetch_add(1, std::memory_order_relaxed);
  return slot;
}

void Worker::StartClientCall(uint64_t call_number) {
  uint32_t slot = AllocateCall();
  Call& call = calls_[slot];
  call.call_number = static_cast<uint32_t>(call_number);
  if (users_mode_) call.user_id = TakeUserId();
  // SIPp's default -cid_str "%u-%p@%s".
  base::Append(&call.call_id, call_number, "-", config_.pid, "@", config_.local_ip_for_uri);
  call.peer = config_.remote;
  by_call_id_.emplace(call.call_id, slot);
  if (scenario_.needs_call_extras || config_.socket_per_ip) InitCallExtras(call);
  stats_.Increment(Counter::kOutgoingCall);
  call.endpoint = EndpointForNewCall(call);
  if (call.endpoint == kNoEndpoint) {
    FailCall(call, config_.stream() ? Counter::kFailedTcpConnect
                                    : Counter::kFailedCannotSendMessage);
    return;
  }
  AcquireEndpoint(call.endpoint);
  call.local_port = EndpointLocalPort(call.endpoint);
  Advance(call);
}

uint32_t Worker::StartServerCall(std::string_view call_id, const transport::SocketAddress& from,
                                 uint32_t endpoint, uint64_t number) {
  uint32_t slot = AllocateCall();
  Call& call = calls_[slot];
  call.call_number = static_cast<uint32_t>(number);
  call.call_id.assign(call_id);
  call.peer = from;
  call.endpoint = endpoint;
  AcquireEndpoint(endpoint);
  call.local_port = EndpointLocalPort(endpoint);
  by_call_id_.emplace(call.call_id, slot);
  if (scenario_.needs_call_extras) InitCallExtras(call);
  stats_.Increment(Counter::kIncomingCall);
  return slot;
}

void Worker::AbortCall(Call& call, Counter reason) {
  SendTwinAbort(call);  // 3PCC: the twin aborts its side too
  TraceAbort(call);
  if (config_.default_behaviors & kBehaviorBye) SendDefaultAbortMessage(call);
  FailCall(call, reason);
}

void Worker::FailCall(Call& call, Counter reason) {
  call.failed = true;
  stats_.Increment(reason);
  EndCall(call);
}

void Worker::SendDefaultAbortMessage(Call& call) {
  if (call.invite_index < 0) return;  // we did not start an INVITE dialog
  ExpandSent(call, call.invite_index, &scratch_extra_);
  absl::StatusOr<sip::Message> invite = sip::Message::Parse(scratch_extra_);
  if (!invite.ok()) return;
  using scenario::DefaultMessageId;
  DefaultMessageId id = call.invite_answered ? DefaultMessageId::kBye : DefaultMessageId::kCancel;
  if (call.invite_answered) ++call.cseq;
  const auto& custom = scenario_.default_messages;
  if (static_cast<size_t>(id) < custom.size() && custom[static_cast<size_t>(id)] != nullptr) {
    // <DefaultMessage id="bye|cancel"> replaces the built-in message.
    ExpandTemplate(call, *custom[static_cast<size_t>(id)], call.msg_index, &scratch_);
  } else if (call.invite_answered) {
    BuildBye(*invite, call, run_values_, &scratch_);
  } else {
    BuildCancel(*invite, &scratch_);
  }
  SendBytes(call, scratch_);
}

void Worker::ReplyOk(Call& call, const sip::Message& request) {
  BuildOkResponse(request, call, run_values_, &scratch_);
  SendBytes(call, scratch_);
}

void Worker::AckFinalResponse(Call& call, const sip::Message& response) {
  if (call.invite_index < 0) return;
  ExpandSent(call, call.invite_index, &scratch_extra_);
  absl::StatusOr<sip::Message> invite = sip::Message::Parse(scratch_extra_);
  if (!invite.ok()) return;
  BuildNon2xxAck(*invite, response, &scratch_);
  SendBytes(call, scratch_);
}

void Worker::EndCall(Call& call, bool counted) {
  if (call.state == Call::State::kDone) return;
  TraceCallEnd(call);
  if (counted && !call.failed && call.check_failure >= 0) {
    call.failed = true;
    stats_.Increment(static_cast<Counter>(call.check_failure));
  }
  if (counted) {
    int64_t now_us = clock_.NowMicros();
    // SIPp records the call length of failed calls too.
    stats_.Increment(call.failed ? Counter::kFailedCall : Counter::kSuccessfulCall);
    stats_.RecordCallLength(static_cast<uint64_t>(std::max<int64_t>(now_us - call.start_us, 0)));
  }
  stats_.Increment(Counter::kCallsEnded);
  auto it = by_call_id_.find(call.call_id);
  const uint32_t slot = call.slot;
  by_call_id_.erase(it);
  if (config_.deadcall_wait_ms > 0) RememberDeadCall(call.call_id);
  if (media_ != nullptr) media_->Stop(Token(slot, call.generation));
  if (call.extras != nullptr && call.extras->echo_muted) SetCallEcho(call, true);
  StopRetransmissions(call);
  call.state = Call::State::kDone;
  ++call.generation;
  std::string().swap(call.last_message);
  call.extras.reset();
  ReleaseEndpoint(call.endpoint);
  call.endpoint = kMainSocket;
  free_slots_.push_back(slot);
  open_calls_.fetch_sub(1, std::memory_order_relaxed);
  if (call.user_id != 0) {
    free_user_ids_.push_back(call.user_id);
    call.user_id = 0;
  }
  if (scenario_.mode == scenario::Mode::kClient &&
      (users_mode_ || (shared_->call_limit.load(std::memory_order_relaxed) > 0 && !pacer_armed_))) {
    PlaceDueCalls();  // a user, or a slot under -l, is free again
  }
  UpdateFinished();
}

void Worker::ForgetExpiredDeadCalls(int64_t now) {
  while (!dead_calls_.empty() && dead_calls_.front().first <= now) {
    dead_call_hashes_.erase(dead_calls_.front().second);
    dead_calls_.pop_front();
  }
}

bool Worker::IsDeadCall(std::string_view call_id) {
  ForgetExpiredDeadCalls(clock_.NowMillis());
  return dead_call_hashes_.contains(ViewHash()(call_id));
}

// Expired entries go here too: a client in a clean run never asks
// IsDeadCall (nothing arrives for an ended call), and the list grew by one
// entry per call for the whole run (the soak of issue 17: +17 bytes a call).
void Worker::RememberDeadCall(std::string_view call_id) {
  const int64_t now = clock_.NowMillis();
  ForgetExpiredDeadCalls(now);
  uint64_t hash = ViewHash()(call_id);
  dead_calls_.emplace_back(now + config_.deadcall_wait_ms, hash);
  dead_call_hashes_.insert(hash);
}

void Worker::FlushOutgoing() {
  // Refused datagrams are retransmitted by the scenario's timers like lost
  // ones; SIPp shows them as "UDP errors (send)" rather than failed calls.
  if (!send_.empty()) {
    send_errors_.fetch_add(static_cast<uint64_t>(send_.Flush()), std::memory_order_relaxed);
  }
  closing_.clear();  // endpoints closed during this iteration
  for (size_t owner = 0; owner < forward_.size(); ++owner) {
    if (forward_[owner].empty()) continue;
    shared_->workers[owner]->PostDatagrams(std::move(forward_[owner]));
    forward_[owner].clear();
  }
}

}  // namespace sipfleet::runtime
