#ifndef SIPFLEET_COMMON_RUNTIME_WORKER_H_
#define SIPFLEET_COMMON_RUNTIME_WORKER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "common/base/clock.h"
#include "common/base/rng.h"
#include "common/base/strings.h"
#include "common/distribution/distribution.h"
#include "common/injection/injection_file.h"
#include "common/rtp/media_player.h"
#include "common/rtp/rtp_echo.h"
#include "common/runtime/call.h"
#include "common/runtime/config.h"
#include "common/runtime/expander.h"
#include "common/runtime/last_message.h"
#include "common/runtime/timer_lateness.h"
#include "common/runtime/pacing.h"
#include "common/runtime/variables.h"
#include "common/scenario/scenario.h"
#include "common/scenario/stats_layout.h"
#include "common/sip/message.h"
#include "common/stats/shard.h"
#include "common/trace/trace_set.h"
#include "common/transport/event_loop.h"
#include "common/transport/stream_connection.h"
#include "common/transport/udp_socket.h"
#include "common/twin/command_router.h"
#include "common/twin/hub.h"

namespace sipfleet::runtime {

class Worker;

// Binds a SIP UDP socket as the run asks: -buff_size and -bind_to_device.
absl::StatusOr<std::unique_ptr<transport::UdpSocket>> BindSipUdp(
    const EngineConfig& config, const transport::SocketAddress& local);

using scenario::StatsLayoutFor;

// State every worker of one engine shares: immutable configuration and the
// few atomics that make cluster-wide decisions (server-mode -m admission,
// stop flags). Owned by the Engine.
struct WorkerShared {
  std::shared_ptr<const scenario::Scenario> scenario;
  EngineConfig config;
  const base::Clock* clock = nullptr;
  std::vector<std::shared_ptr<injection::InjectionFile>> injection_files;  // -inf
  std::unique_ptr<GlobalVariables> globals;
  std::vector<Worker*> workers;
  std::atomic<uint64_t> incoming_admitted{0};
  std::atomic<bool> stop_new_calls{false};
  std::atomic<int64_t> dynamic_id{0};
  // Rate mode (client): how many calls of this process have been claimed.
  // The k-th claimed call gets number offset + 1 + k % W + (k / W) * stride
  // (W workers), so numbers stay those of the stripes in config.h whichever
  // worker places them.
  std::atomic<uint64_t> claimed_calls{0};
  // -l for the whole process (0 = none), checked against every worker's
  // open calls in rate mode.
  std::atomic<uint64_t> call_limit{0};
  // Set once by an action that ends the run (<error>, exec int_cmd=stop_now);
  // the controlling thread reads it through Engine::ForcedExit().
  std::atomic<int> forced_exit_code{-1};
  mutable std::mutex forced_exit_mutex;
  std::string forced_exit_message;  // guarded by forced_exit_mutex
  // The first transport failure of the run ("TLS connection with
  // 127.0.0.1:5061: tls verify: certificate verify failed: ..."), shown
  // once at the end instead of once per call.
  void RecordTransportError(std::string_view text) {
    std::lock_guard<std::mutex> lock(forced_exit_mutex);
    if (first_transport_error.empty()) first_transport_error.assign(text);
  }
  std::string first_transport_error;  // guarded by forced_exit_mutex
  // Traces.
  // The -trace_* files (may be null); when set, the three sinks above are unused.
  trace::TraceSet* traces = nullptr;
  // 3PCC.
  twin::CommandRouter* commands = nullptr;  // the twin channel; null without 3PCC
  std::atomic<bool> twin_lost{false};       // a twin channel is gone for good
};

// SIPp's 3PCC flags as given on the command line.
struct TwinFlags {
  std::string three_pcc;  // -3pcc host:port
  std::string master;     // -master name
  std::string slave;      // -slave name
  std::string slave_cfg;  // -slave_cfg path
};
// Checks the flags against the scenario's twin elements as SIPp does, sets
// config->twin_extended and opens the twin channel (*hub stays null when the
// scenario has no <sendCmd>/<recvCmd>). Errors (SIPp exit 255) name the
// flag, the -slave_cfg line or the scenario line at fault.
absl::Status SetUpTwin(const TwinFlags& flags, const scenario::Scenario& scenario,
                       EngineConfig* config, std::unique_ptr<twin::TwinHub>* hub);

// A shared-nothing worker: one thread, one event loop, its own socket (or a
// share of the server socket), calls, timers, RNG and statistics shard.
// Calls never migrate. Other threads talk to it only through Post*().
class Worker final : public transport::FdHandler,
                     public transport::StreamEvents,
                     public KeywordResolver {
 public:
  // `socket` is this worker's own (client mode) or the engine's shared
  // server socket; null for stream transports (see Listen()). `index` is
  // 0-based; calls get numbers index+1,
  // index+1+stride, ... so numbering is unique across workers (and agents,
  // by choosing first_call_number/stride).
  Worker(int index, WorkerShared* shared, std::shared_ptr<transport::UdpSocket> socket,
         bool shared_socket, uint64_t first_call_number, uint64_t stride);

  // Stream transports, server mode: listens on `address` (port 0 = any).
  // Called after Init(), before the thread starts. Errors: FailedPrecondition when in use.
  absl::Status Listen(const transport::SocketAddress& address);
  ~Worker() override;

  absl::Status Init();
  // Thread body: Begin(), then loop iterations until Stop().
  void Run();
  // Starts placing calls (client mode). Run() calls it; tests driving a
  // manual clock call Begin() and then Poll() on their own thread.
  void Begin();
  // One loop iteration without blocking.
  void Poll() { loop_.RunOnce(0); }
  // Thread-safe.
  void Stop() { loop_.Stop(); }
  // Thread-safe: abort every call now (SIPp's Q / -timeout).
  void PostAbortAll();

  // Load shape (client mode). Set*() before the thread starts, Post*() from
  // any thread while it runs. The pacing is the one every worker shares
  // (see pacing.h); -users replaces it as the source of new calls: the
  // worker keeps `quota` calls open, each with a user id of its own
  // ([userid]: first_user_id, first_user_id + stride, ...), and starts a
  // call whenever one ends, while the pacing is running (not paused).
  void SetPacing(const Pacing& pacing) {
    pacing_ = pacing;
    pacing_set_ = true;
  }
  void SetUsers(uint64_t quota, uint32_t first_user_id, uint32_t stride);
  void PostPacing(const Pacing& pacing);
  // Thread-safe: the worker looks again at what it may place (the stop flag,
  // -l) and whether it is finished.
  void PostWake();
  void PostUsers(uint64_t quota);
  // Thread-safe: hand over datagrams another worker received for our calls.
  struct Forwarded {
    std::string bytes;
    transport::SocketAddress from;
    uint32_t endpoint;  // the shared socket it came in on
  };
  void PostDatagrams(std::vector<Forwarded> datagrams);
  // Thread-safe (3PCC): a twin command for a call this worker owns or, on
  // a twin that starts calls on commands, creates. `source` is the sender's
  // instance name in extended mode. Calls a client placed are not on their
  // Call-ID's hash: a worker without the call passes the command on
  // (`hops` workers have already looked).
  void PostCommand(std::string source, std::string message, size_t hops = 0);
  // Thread-safe (3PCC): the twin channel is gone; calls waiting for a
  // command fail (FailedCmdNotSent) instead of waiting forever.
  void PostTwinLost();
  // The worker index that owns `call_id` among `workers` (as for datagrams).
  static size_t OwnerOf(std::string_view call_id, size_t workers);

  // -t ui server: sockets every worker watches (one per IP), added before
  // Init() in the same order on every worker so their endpoint indices agree.
  void AddSharedUdpSockets(std::vector<std::shared_ptr<transport::UdpSocket>> sockets) {
    shared_udp_ = std::move(sockets);
  }

  // -rtp_echo: this worker echoes on `pair` (the engine gives it to one
  // worker). Called after Init(), before the thread starts.
  absl::Status StartRtpEcho(rtp::RtpEcho::BoundPair pair);
  // Media counters; read only after the thread has stopped.
  const rtp::MediaPlayer* media_player() const { return media_.get(); }
  const rtp::RtpEcho* rtp_echo() const { return rtp_echo_.get(); }
  // How late call timers fired; read only after the thread has stopped.
  const TimerLateness& timer_lateness() const { return lateness_; }
  // Thread-safe: (un)mutes the -rtp_echo of this worker for `source`.
  void PostEchoMute(const transport::SocketAddress& source, bool mute);

  // Runs the scenario's <init> block once, before any call (the engine calls
  // it on one worker before the threads start).
  void RunInit();

  // Thread-safe views for the engine.
  const stats::Shard& stats() const { return stats_; }
  // Client mode: all calls of our stripe placed (or new calls stopped) and
  // none open.
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  uint64_t open_calls() const { return open_calls_.load(std::memory_order_relaxed); }
  uint64_t send_errors() const { return send_errors_.load(std::memory_order_relaxed); }
  const transport::SocketAddress& local_address() const { return local_address_; }

  // transport::FdHandler
  void OnEvents(uint32_t events) override;

  // transport::StreamEvents (worker thread).
  void OnStreamReady(transport::StreamConnection& connection) override;
  void OnStreamMessage(transport::StreamConnection& connection, std::string_view message) override;
  void OnStreamClosed(transport::StreamConnection& connection, transport::CloseReason reason,
                      std::string_view detail) override;

  // KeywordResolver (worker thread only).
  void AppendVariable(const Call& call, scenario::VariableRef ref, std::string* out) override;
  bool AppendField(Call& call, const scenario::Segment& segment, int msg_index,
                   std::string* out) override;
  bool AppendAuthorization(Call& call, const scenario::Segment& segment, int msg_index,
                           std::string_view method, std::string_view uri, std::string_view body,
                           std::string* out) override;
  int64_t NextDynamicId() override;
  int64_t Users() const override { return static_cast<int64_t>(config_.users); }
  int64_t UserId(const Call& call) const override { return call.user_id; }
  std::string_view ServerIp(const Call& call) const override;

 private:
  using Element = scenario::Element;

  // Receiving. `endpoint` is where the message came in (kMainSocket or a
  // stream/per-call socket); new server calls answer through it.
  void HandleDatagram(std::string_view data, const transport::SocketAddress& from, bool forwarded,
                      uint32_t endpoint = kMainSocket);
  void HandleCallMessage(uint32_t slot, const sip::Message& message, uint64_t hash);
  int FindMatch(const Call& call, const sip::Message& message, bool* old_message) const;
  bool Matches(const Call& call, int index, const sip::Message& message) const;
  void AcceptMessage(Call& call, int index, const sip::Message& message, uint64_t hash);
  void HandleUnexpected(Call& call, const sip::Message& message);
  void HandleOldMessage(Call& call, int index, const sip::Message& message);
  // Stores what later [last_*] expansions may read of `message`, accepted at `index`.
  void KeepLastMessage(Call& call, int index, const sip::Message& message);

  // Executing the scenario.
  void Advance(Call& call);
  bool SendElement(Call& call, int index);
  void Bookkeeping(Call& call, const Element& element, int index);
  // A <recv> or <recvCmd>: the call waits, with its receive timeout armed.
  void WaitForMessage(Call& call, const Element& element);
  int NextIndex(Call& call, const Element& element, int index);
  int64_t PauseMillis(Call& call, const Element& element);
  void ExpandElement(Call& call, int index, std::string* out);
  // Expands a message template, or, with `as_text`, an attribute template
  // (no [len], no line dropping).
  void ExpandTemplate(Call& call, const scenario::MessageTemplate& tmpl, int index,
                      std::string* out, bool as_text = false);
  // The bytes of <send> `index` as sent: the copy kept for calls with
  // extras, else a re-expansion (retransmissions, CANCEL/BYE/ACK built
  // from the INVITE).
  void ExpandSent(Call& call, int index, std::string* out);
  void Resend(Call& call, int index);
  // Sends (or queues) `bytes` on the call's endpoint. False, counted as a
  // send error and traced, when the message is larger than
  // config_.max_send_bytes(): the caller fails the call.
  bool SendBytes(Call& call, std::string_view bytes);
  // -msg_read_timeout: a sweep, armed while stream endpoints exist, closes
  // the connections whose message or TLS handshake stayed unfinished.
  void ArmStreamSweep();
  void SweepStreams();

  // Endpoints (worker_transport.cc): how a call's messages leave. Index 0
  // is the worker's UDP socket; kPrimary is a client's t1/l1 connection;
  // others are per-call sockets (un/tn/ln) or accepted connections.
  static constexpr uint32_t kMainSocket = 0;
  static constexpr uint32_t kPrimary = ~uint32_t{0};
  static constexpr uint32_t kNoEndpoint = ~uint32_t{0} - 1;
  struct Endpoint;
  class UdpEndpointHandler;
  absl::Status InitTransport();
  void SendVia(uint32_t endpoint, std::string_view bytes, const transport::SocketAddress& to);
  uint32_t EndpointForNewCall(Call& call);
  uint32_t EndpointForIp(const std::string& ip);
  transport::StreamConnection::Options StreamOptions() const;
  uint32_t OpenStreamEndpoint();
  uint32_t OpenUdpEndpoint();
  uint32_t AllocateEndpoint();
  // Makes `socket` an endpoint, watched for `events`; kNoEndpoint if the
  // loop cannot watch it.
  uint32_t AddUdpEndpoint(std::shared_ptr<transport::UdpSocket> socket, uint32_t events);
  // Frees an endpoint slot; the object lives on until the iteration ends.
  void DiscardEndpoint(uint32_t index);
  void AcquireEndpoint(uint32_t endpoint);
  void ReleaseEndpoint(uint32_t endpoint);
  void OnUdpEndpointReadable(uint32_t endpoint);
  void OnAccept(int fd, const transport::SocketAddress& peer);
  void FailCallsOn(uint32_t endpoint, stats::Counter reason);
  // True when the call's stream connection has ended (a paused call finds
  // out when it next sends or waits).
  bool EndpointClosed(uint32_t endpoint) const;
  void ConnectPrimary();
  void TraceTransportError(const transport::StreamConnection& connection,
                           transport::CloseReason reason, std::string_view detail);
  uint16_t EndpointLocalPort(uint32_t endpoint) const;

  // Actions and variables (worker_actions.cc). RunActions returns false
  // when an action ended the call.
  bool RunActions(Call& call, const Element& element, int index, const sip::Message* message);
  bool RunAction(Call& call, const scenario::Action& action, int index,
                 const sip::Message* message);
  void RunEreg(Call& call, const scenario::Action& action, const sip::Message* message);
  // An <ereg> on `subject` (found or not): the check, the captures into
  // assign_to. A check never ends the call (RecordCheck).
  void ApplyEreg(Call& call, const scenario::Action& action, bool have_subject,
                 const std::string& subject);
  void RecordCheck(Call& call, const scenario::Action& action, bool matched,
                   stats::Counter doesnt, stats::Counter shouldnt);
  void RunInjectionAction(Call& call, const scenario::Action& action, int index);
  void RunExecCommand(Call& call, const scenario::Action& action, int index);
  void RunSetDest(Call& call, const scenario::Action& action, int index);

  // 3PCC (worker_3pcc.cc).
  void HandleCommand(std::string source, std::string message, size_t hops);
  uint32_t StartCommandCall(std::string_view call_id, uint64_t number);
  void AcceptCommand(Call& call, std::string_view source, std::string_view message);
  void AbortFromTwin(Call& call);
  bool SendCommand(Call& call, int index);
  void WaitCommand(Call& call, const Element& element);
  bool RunCommandActions(Call& call, const Element& element, int index, std::string_view text);
  void RunCommandEreg(Call& call, const scenario::Action& action, std::string_view text);
  void SendTwinAbort(Call& call);

  // Media (worker_media.cc).
  absl::Status InitMedia();
  void NotePeerMedia(Call& call, const sip::Message& message);
  void RunMediaAction(Call& call, const scenario::Action& action, int index);
  bool PeerMediaAddress(const Call& call, scenario::MediaSlot slot,
                        transport::SocketAddress* out) const;
  void SetCallEcho(Call& call, bool on);
  void NoteOwnMedia(Call& call, const sip::Message& sent);
  int MediaSourceFd(Call& call, scenario::MediaSlot slot);
  VarValue GetVar(const Call& call, scenario::VariableRef ref) const;
  void SetVar(Call& call, scenario::VariableRef ref, VarValue value);
  bool VarIsSet(const Call& call, scenario::VariableRef ref) const {
    return ref.valid() && GetVar(call, ref).IsSet();
  }
  void InitCallExtras(Call& call);
  void ExpandText(Call& call, const scenario::MessageTemplate& tmpl, int index, std::string* out) {
    ExpandTemplate(call, tmpl, index, out, /*as_text=*/true);
  }
  void StoreRecvState(Call& call, const Element& element, const sip::Message& message);
  void RequestExit(int code, std::string message);
  void Warn(const Call& call, std::string_view text);

  // Timers.
  static uint64_t Token(uint32_t slot, uint32_t generation) {
    return (uint64_t{slot} << 32) | generation;
  }
  void OnTimer(uint64_t token);
  void RearmTimer(Call& call, uint32_t slot);
  void Retransmit(Call& call, uint32_t slot);
  void RecvTimeout(Call& call);
  // Ends the call's retransmissions of its last request or response.
  void StopRetransmissions(Call& call);

  // Call life cycle.
  // The number of a new server-side call, or 0 when -m calls were admitted.
  uint64_t AdmitIncomingCall();
  uint32_t AllocateCall();
  void StartClientCall(uint64_t call_number);
  // `number` is the call's [call_number] (1-based, across workers).
  uint32_t StartServerCall(std::string_view call_id, const transport::SocketAddress& from,
                           uint32_t endpoint, uint64_t number);
  // Fails the call with `reason`, sending SIPp's default BYE/CANCEL first
  // (-default_behaviors bye).
  void AbortCall(Call& call, stats::Counter reason);
  // Fails and ends the call with `reason`; nothing is sent.
  void FailCall(Call& call, stats::Counter reason);
  // `counted` false: the call is cut by a quit and, as in SIPp, is neither a
  // success nor a failure.
  void EndCall(Call& call, bool counted = true);
  void SendDefaultAbortMessage(Call& call);
  void ReplyOk(Call& call, const sip::Message& request);
  void AckFinalResponse(Call& call, const sip::Message& response);
  bool IsDeadCall(std::string_view call_id);
  void RememberDeadCall(std::string_view call_id);
  void ForgetExpiredDeadCalls(int64_t now);

  // Call generation (client mode).
  void PlaceDueCalls();
  void PlaceRateCalls();
  // Rate mode: the number of the k-th call this process places.
  uint64_t NumberOfClaim(uint64_t k) const;
  // Rate mode: how many workers place calls at the current rate (worker 0
  // alone up to kCallsPerPlacer calls/s, then one more per step): a worker
  // that places no calls sleeps instead of waking every tick, so the default
  // workers cost no more per call than one at light load.
  int ActivePlacers() const;
  static constexpr double kCallsPerPlacer = 20000;
  uint64_t TotalOpenCalls() const;
  void PlaceUserCalls();
  void ArmPacer(int64_t due_us);
  uint32_t TakeUserId();
  void UpdateFinished();

  void TraceUnexpected(Call& call, const sip::Message& message);
  // Traces (worker_trace.cc). Each writes only what is enabled.
  void TraceSent(Call& call, std::string_view bytes);
  void TraceReceived(std::string_view bytes);
  void TraceCallReceived(Call& call, const sip::Message& message, uint64_t hash);
  void TraceAbort(Call& call);
  void TraceCallEnd(Call& call);
  void TraceTimeout(const Call& call, bool retransmission);
  void TraceError(std::string_view text);
  void TraceLog(std::string_view text);
  bool RttTraceOn() const;
  void CallDebugEvent(Call& call, std::string_view text);
  void CountTrace(bool written);
  trace::WorkerTrace* trace_ = nullptr;  // set on first use when shared_->traces
  trace::WorkerTrace* Traces();
  void FlushOutgoing();

  const int index_;
  WorkerShared* const shared_;
  const scenario::Scenario& scenario_;
  const EngineConfig& config_;
  const base::Clock& clock_;
  transport::EventLoop loop_;
  std::shared_ptr<transport::UdpSocket> socket_;
  const bool shared_socket_;
  transport::ReceiveBatch receive_;
  transport::SendBatch send_;
  stats::Shard stats_;
  const LastMessagePolicy last_policy_;
  TimerLateness lateness_;
  base::Rng rng_;
  distribution::Sampler sampler_;
  RunValues run_values_;
  std::vector<VarValue> user_variables_;
  std::string rtt_rows_;  // -trace_rtt rows not yet written
  int rtt_row_count_ = 0;
  void FlushRttRows();  // <User> variables (one user until -users)

  // Abseil's own string hash (Debian's Abseil would otherwise fall back to
  // std::hash for std::string_view).
  struct ViewHash {
    size_t operator()(std::string_view s) const {
      return absl::Hash<absl::string_view>()(base::ToAbsl(s));
    }
  };

  std::deque<Call> calls_;  // stable addresses: views into call_id stay valid
  std::vector<uint32_t> free_slots_;
  absl::flat_hash_map<std::string_view, uint32_t, ViewHash> by_call_id_;
  // Ended calls' Call-IDs, kept -deadcall_wait as 64-bit hashes (16 bytes
  // each instead of a string: at 10k calls/s SIPp's default 33 s is 330k).
  std::deque<std::pair<int64_t, uint64_t>> dead_calls_;
  absl::flat_hash_set<uint64_t> dead_call_hashes_;

  // Client pacing (pacing.h); this worker places next_call_number_,
  // next_call_number_ + stride_, ...
  uint64_t next_call_number_;
  const uint64_t first_number_;  // worker 0's first number: offset + 1
  const uint64_t stride_;
  Pacing pacing_;
  bool pacing_set_ = false;  // by SetPacing(); else Begin() starts one from the config
  bool pacer_armed_ = false;
  bool no_new_calls_ = false;  // aborted (Q, -timeout): this worker places no more
  // Calls with a request or response being retransmitted (sent, not yet
  // answered). A new call starts only while they are fewer than the
  // congestion window, so an overloaded peer (or this loop) is not sent new
  // INVITEs faster than it answers the ones it has, and calls created in
  // excess do not all time out together (issue 15). The window is AIMD, as
  // TCP's (RFC 5681 §3.1): +1 per answer below the threshold, +1/window
  // above; halved (at most once per T1) when a retransmission timer fires.
  // An answer that took kTargetDelayMs longer than the shortest answer seen
  // (the peer's queue, or ours, is building up; a distant peer's round trip
  // is not a queue) shrinks it by a quarter, at most once per such delay,
  // before any retransmission timer can fire (delay-based, as TCP Vegas'
  // BaseRTT; answers to retransmitted requests are not timed, RFC 6298 §3).
  // Off with -no_call_window (EngineConfig::call_window).
  uint64_t in_flight_ = 0;
  double window_ = 64;
  double window_threshold_ = kMaxWindow;
  int64_t window_cut_ms_ = 0;  // when the window was last reduced
  int64_t base_delay_ms_ = -1;  // shortest answer delay seen, -1 before one
  static constexpr double kMinWindow = 16;
  static constexpr double kMaxWindow = 16384;
  static constexpr int64_t kTargetDelayMs = 50;
  // `delay_ms` < 0: the answer's delay is unknown (a retransmitted request).
  void OpenWindow(int64_t delay_ms);
  void CutWindow();
  // No new call now: as many requests unanswered as the window allows (and
  // the window is on). Rate and -users modes alike.
  bool WindowFull() const {
    return config_.call_window && static_cast<double>(in_flight_) >= window_;
  }
  // Most calls one pass places, so the loop keeps reading its sockets while
  // it catches up.
  static constexpr int kMaxPlacedPerPass = 64;
  // A call started later than this after its due time counts as late
  // (Counter::kLateCalls): the UAC cannot keep up with the rate asked.
  static constexpr int64_t kLateMicros = 100'000;
  bool placing_ = false;     // inside PlaceDueCalls (a call may end while it starts)
  // -users: calls kept open and the user ids they run as.
  bool users_mode_ = false;
  uint64_t users_quota_ = 0;
  uint32_t next_user_id_ = 0;
  uint32_t user_id_stride_ = 1;
  std::vector<uint32_t> free_user_ids_;
  static constexpr uint64_t kPacerToken = ~uint64_t{0};
  static constexpr uint64_t kReconnectToken = ~uint64_t{0} - 1;
  static constexpr uint64_t kStreamSweepToken = ~uint64_t{0} - 2;
  bool stream_sweep_armed_ = false;

  // Media state (worker_media.cc): sockets to send from, the player that
  // runs every playback of this worker's calls on the loop's precise timer,
  // and, on one worker, the -rtp_echo sockets.
  std::unique_ptr<transport::UdpSocket> media_v4_;
  std::unique_ptr<transport::UdpSocket> media_v6_;
  std::unique_ptr<rtp::MediaPlayer> media_;
  std::unique_ptr<rtp::RtpEcho> rtp_echo_;

  // Transport state (worker_transport.cc).
  transport::SocketAddress local_address_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;  // [0] = the main UDP socket
  std::vector<uint32_t> free_endpoints_;
  std::vector<std::unique_ptr<Endpoint>> closing_;  // freed at iteration end
  std::string primary_backlog_;  // sent while the t1 connection is re-established
  std::unique_ptr<transport::StreamListener> listener_;
  uint32_t primary_ = 0;         // t1/l1 client: the endpoint of the shared connection
  int reconnects_left_ = 0;
  uint32_t open_sockets_ = 0;    // per-call endpoints open, for -max_socket
  std::vector<std::shared_ptr<transport::UdpSocket>> shared_udp_;  // ui server
  absl::flat_hash_map<std::string, uint32_t> ip_endpoints_;        // ui client
  uint32_t share_cursor_ = 1;    // round robin once -max_socket is reached

  std::atomic<uint64_t> open_calls_{0};
  std::atomic<bool> finished_{false};
  std::atomic<uint64_t> send_errors_{0};
  std::string scratch_;
  std::string scratch_extra_;
  std::vector<std::vector<Forwarded>> forward_;
};

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_WORKER_H_
