#include "agent/agent_session.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "agent/agent_config.h"
#include "agent/remote_lookup.h"
#include "common/base/strings.h"
#include "common/cluster/stats_report.h"
#include "common/runtime/engine.h"
#include "common/runtime/pacing.h"
#include "common/setup/engine_setup.h"
#include "common/tls/tls_context.h"
#include "common/trace/trace_options.h"
#include "common/trace/trace_set.h"
#include "common/twin/command.h"
#include "common/twin/relay_router.h"
#include "grpcpp/grpcpp.h"
#include "proto/wire/wire.h"
#include "sipfleet/control/v1/control.grpc.pb.h"

namespace sipfleet::agent {
namespace {

namespace v1 = ::sipfleet::control::v1;
using Stream = grpc::ClientReaderWriter<v1::AgentMessage, v1::MasterMessage>;

constexpr char kVersion[] = "sipfleet 0.1.0";

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) base::Append(&out, out.empty() ? "" : ", ", name);
  return out;
}

// What the reader thread hands to the session thread. gRPC allows one
// reader and one writer at a time: the reader thread only reads, the
// session thread does every write.
class Inbox {
 public:
  void Push(v1::MasterMessage message) {
    std::lock_guard<std::mutex> lock(mutex_);
    messages_.push_back(std::move(message));
    ready_.notify_one();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  // The next message, waiting at most until `deadline`; nullopt if none.
  std::optional<v1::MasterMessage> Pop(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    // A closed stream wakes nobody: the lease decides what silence means.
    ready_.wait_until(lock, deadline, [this] { return !messages_.empty(); });
    if (messages_.empty()) return std::nullopt;
    v1::MasterMessage message = std::move(messages_.front());
    messages_.pop_front();
    return message;
  }
  bool closed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return closed_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<v1::MasterMessage> messages_;
  bool closed_ = false;
};

// Every write to the stream goes through here: the session thread's
// messages and the engine workers' 3PCC commands (which must never block a
// worker on the network). One writer thread writes them in the order
// pushed, as gRPC allows one writer at a time.
class Outbox {
 public:
  Outbox(Stream* stream, grpc::ClientContext* context)
      : stream_(stream), context_(context), writer_([this] { WriteLoop(); }) {}
  ~Outbox() { Close(0); }

  // False once closed.
  bool Push(v1::AgentMessage message) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closing_) return false;
    queue_.push_back(std::move(message));
    changed_.notify_all();
    return true;
  }
  // Writes what is queued, waiting at most `budget_ms` (then the stream is
  // cancelled so a blocked write returns), and ends the writer. Idempotent.
  void Close(int64_t budget_ms) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      closing_ = true;
      changed_.notify_all();
      if (!changed_.wait_for(lock, std::chrono::milliseconds(budget_ms),
                             [this] { return queue_.empty() && !writing_; })) {
        context_->TryCancel();
      }
    }
    if (writer_.joinable()) writer_.join();
  }
  bool failed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return failed_;
  }

 private:
  void WriteLoop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      changed_.wait(lock, [this] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, all written
      v1::AgentMessage message = std::move(queue_.front());
      queue_.pop_front();
      writing_ = true;
      lock.unlock();
      const bool ok = failed_ ? false : stream_->Write(message);
      lock.lock();
      writing_ = false;
      if (!ok) failed_ = true;  // the lease will tell; the rest is dropped
      changed_.notify_all();
    }
  }

  Stream* stream_;
  grpc::ClientContext* context_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<v1::AgentMessage> queue_;
  bool closing_ = false;
  bool writing_ = false;
  bool failed_ = false;
  std::thread writer_;  // last: starts once the rest is built
};

// One registered session with the master: owns the engine it prepares.
class Session {
 public:
  Session(const AgentOptions& options, const base::Clock& clock, Outbox* outbox)
      : options_(options), clock_(clock), outbox_(outbox), lease_ms_(options.lease_ms) {}
  ~Session() {
    if (engine_) engine_->Join();
  }

  AgentResult Run(Inbox* inbox);
  const stats::Snapshot& totals() const { return totals_; }

 private:
  // Returns a result when the session ends.
  std::optional<AgentResult> Handle(const v1::MasterMessage& message);
  absl::Status Prepare(const v1::Prepare& prepare);
  // 3PCC (issue 6): a router over the control stream when the scenario has
  // twin elements; checks its dest= names and sets config->twin_extended.
  absl::Status SetUpRouter(const v1::ShardSpec& shard, const scenario::Scenario& scenario,
                           runtime::EngineConfig* config);
  // A ThreePccCommand from the master: a command or a loss notice.
  void Receive3pcc(const v1::ThreePccCommand& command);
  void StartEngine(const v1::Start& start);
  // Queues a load change for its effective time; drops a stale epoch.
  void QueueLoad(const v1::SetLoad& load);
  // Applies the queued changes whose effective time has come.
  void ApplyDueLoads();
  void ApplyLoad(const v1::SetLoad& load);
  // When the next queued change is due (this clock), or `otherwise`.
  int64_t NextLoadMicros(int64_t otherwise) const {
    return pending_loads_.empty() ? otherwise : std::min(otherwise, pending_loads_.front().first);
  }
  // The master's last clock sample, echoed so it can measure the offset.
  void FillClock(v1::ClockSample* clock) const;
  void Tick();
  // The remote host of `options`, resolved with heartbeats going on and
  // tried again for up to -resolve_wait; see the definition.
  absl::StatusOr<transport::SocketAddress> ResolveRemoteHost(const cli::Options& options);
  void SendStats(bool final);
  // Stops the engine and tells the master how it ended: `lease_expired`
  // gives the dead-man's switch's code and message (the run did not end
  // normally even if every call drained), else the engine's own verdict.
  void FinishEngine(const AgentResult* lease_expired = nullptr);
  AgentResult ExpireLease(int64_t silent_ms);
  void Write(v1::AgentMessage message) { outbox_->Push(std::move(message)); }
  int64_t NowMs() const { return clock_.NowMicros() / 1000; }
  // The master's wall time `master_wall_us` on this agent's monotonic clock.
  int64_t LocalMicrosFor(int64_t master_wall_us) const {
    return clock_.NowMicros() + (master_wall_us - clock_offset_us_ - clock_.WallMicros());
  }

  const AgentOptions& options_;
  const base::Clock& clock_;
  Outbox* outbox_;
  int64_t lease_ms_;
  int64_t clock_offset_us_ = 0;  // master wall - agent wall, measured at registration
  int64_t register_wall_us_ = 0;
  int64_t master_sample_wall_us_ = 0;  // the master's last ClockSample.wall_micros
  int64_t master_sample_received_us_ = 0;  // this agent's wall clock when it arrived
  int64_t last_heard_ms_ = 0;
  uint64_t last_load_epoch_ = 0;  // Start or SetLoad: older epochs are stale
  // Load changes waiting for their effective time (this monotonic clock), in
  // epoch order.
  std::deque<std::pair<int64_t, v1::SetLoad>> pending_loads_;
  bool channel_lost_reported_ = false;

  std::string scenario_name_;
  std::unique_ptr<trace::TraceSet> traces_;
  std::unique_ptr<tls::TlsContext> tls_;        // -t l1/ln; outlives the engine
  std::unique_ptr<twin::RelayRouter> router_;  // outlives the engine
  std::unique_ptr<runtime::Engine> engine_;
  cluster::ReportBuilder reports_;
  bool started_ = false;
  bool finished_ = false;  // final report sent
  stats::Snapshot totals_;
};

AgentResult Session::Run(Inbox* inbox) {
  v1::AgentMessage hello;
  v1::Register* reg = hello.mutable_register_();
  reg->set_api_version(v1::API_VERSION_1);
  reg->set_name(options_.name);
  reg->set_version(kVersion);
  reg->set_capacity(options_.capacity > 0 ? options_.capacity
                                          : std::max(1u, std::thread::hardware_concurrency()));
  reg->add_addresses("127.0.0.1");
  reg->set_exec_allowed(options_.allow_exec);
  reg->set_lease_millis(static_cast<uint32_t>(std::max<int64_t>(options_.lease_ms, 0)));
  register_wall_us_ = clock_.WallMicros();
  reg->mutable_clock()->set_wall_micros(register_wall_us_);
  Write(hello);
  last_heard_ms_ = NowMs();
  int64_t next_tick_ms = NowMs() + options_.tick_ms;
  while (true) {
    const int64_t wake_us = NextLoadMicros(next_tick_ms * 1000);
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::microseconds(std::max<int64_t>(wake_us - clock_.NowMicros(), 0));
    if (std::optional<v1::MasterMessage> message = inbox->Pop(deadline); message.has_value()) {
      last_heard_ms_ = NowMs();
      if (std::optional<AgentResult> result = Handle(*message); result.has_value()) return *result;
    }
    ApplyDueLoads();
    if (router_ && !channel_lost_reported_ && inbox->closed()) {
      // As the hub's closed twin connection: no command can come or go.
      channel_lost_reported_ = true;
      router_->ChannelLost("3PCC: the control stream to the master closed");
    }
    // Dead-man's switch (DESIGN.md "Distributed control"): a master that has
    // been silent past the lease may be gone and about to hand this share to
    // someone else, so new calls stop here without waiting to be told.
    if (int64_t silent = NowMs() - last_heard_ms_; silent > lease_ms_) return ExpireLease(silent);
    if (NowMs() >= next_tick_ms) {
      Tick();
      next_tick_ms = NowMs() + options_.tick_ms;
    }
  }
}

std::optional<AgentResult> Session::Handle(const v1::MasterMessage& message) {
  switch (message.kind_case()) {
    case v1::MasterMessage::kRegistered: {
      const v1::Registered& registered = message.registered();
      if (registered.lease_millis() > 0) {
        lease_ms_ = std::min<int64_t>(lease_ms_, registered.lease_millis());
      }
      // Offset by the midpoint of the round trip (NTP's estimate).
      const int64_t now = clock_.WallMicros();
      clock_offset_us_ = registered.clock().wall_micros() - (register_wall_us_ + now) / 2;
      master_sample_wall_us_ = registered.clock().wall_micros();
      master_sample_received_us_ = now;
      // Echoed at once, so the master measures this agent's offset before
      // it plans the start (it refuses beyond -max_skew).
      v1::AgentMessage beat;
      FillClock(beat.mutable_heartbeat()->mutable_clock());
      Write(beat);
      return std::nullopt;
    }
    case v1::MasterMessage::kRefused:
      return AgentResult{kExitRefused, base::Cat("sipfleet-agent ", options_.name,
                                                 ": refused by the master: ",
                                                 message.refused().reason())};
    case v1::MasterMessage::kPrepare: {
      v1::AgentMessage reply;
      if (absl::Status status = Prepare(message.prepare()); !status.ok()) {
        v1::PrepareFailed* failed = reply.mutable_prepare_failed();
        failed->set_epoch(message.prepare().epoch());
        failed->set_code(static_cast<int>(status.code()));
        failed->set_message(std::string(status.message()));
      } else {
        v1::Prepared* prepared = reply.mutable_prepared();
        prepared->set_epoch(message.prepare().epoch());
        prepared->set_scenario_hash(message.prepare().scenario_hash());
        const transport::SocketAddress& local = engine_->local_address();
        prepared->set_local_address(base::Cat(local.ip_for_uri(), ":", local.port()));
        prepared->set_workers(static_cast<uint32_t>(engine_->worker_count()));
      }
      Write(reply);
      return std::nullopt;
    }
    case v1::MasterMessage::kStart:
      StartEngine(message.start());
      return std::nullopt;
    case v1::MasterMessage::kSetLoad:
      QueueLoad(message.set_load());
      return std::nullopt;
    case v1::MasterMessage::kPause: {
      // The older form of a pause: a SetLoad that only changes the pacing.
      v1::SetLoad load;
      load.set_epoch(message.pause().epoch());
      load.set_effective_wall_micros(message.pause().pacing().start_wall_micros());
      *load.mutable_pacing() = message.pause().pacing();
      QueueLoad(load);
      return std::nullopt;
    }
    case v1::MasterMessage::kHeartbeat:
      master_sample_wall_us_ = message.heartbeat().clock().wall_micros();
      master_sample_received_us_ = clock_.WallMicros();
      return std::nullopt;
    case v1::MasterMessage::kStop:
      if (engine_) {
        if (message.stop().abort_calls()) {
          engine_->AbortAll();
        } else {
          engine_->StopNewCalls();
        }
      }
      return std::nullopt;
    case v1::MasterMessage::kShutdown:
      FinishEngine();
      return AgentResult{0, base::Cat("sipfleet-agent ", options_.name, ": shut down by the master (",
                                      message.shutdown().reason(), ")")};
    case v1::MasterMessage::kThreePcc:
      Receive3pcc(message.three_pcc());
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

void Session::Receive3pcc(const v1::ThreePccCommand& command) {
  // A loss notice concerns only the agents talking to that instance.
  if (!command.lost().empty() && !router_) return;
  if (!router_) {
    std::fprintf(stderr, "sipfleet-agent %s: a 3PCC command for '%s' was dropped: this agent's "
                 "scenario has no <sendCmd>/<recvCmd>\n", options_.name.c_str(),
                 command.dest_instance().c_str());
    return;
  }
  if (!command.lost().empty()) {
    router_->PeerLost(command.source_instance(), command.lost());
    return;
  }
  if (!router_->Deliver(command.payload())) {
    std::fprintf(stderr, "sipfleet-agent %s: a 3PCC command from '%s' was dropped (engine not "
                 "running)\n", options_.name.c_str(), command.source_instance().c_str());
  }
}

absl::Status Session::SetUpRouter(const v1::ShardSpec& shard, const scenario::Scenario& scenario,
                                  runtime::EngineConfig* config) {
  if (scenario.twin_role == scenario::TwinRole::kNone) return absl::OkStatus();
  twin::RelayOptions relay;
  relay.self = shard.instance_name().empty() ? options_.name : shard.instance_name();
  relay.twin = shard.twin_instance();
  relay.extended = relay.twin.empty();
  const std::vector<std::string> instances(shard.instances().begin(), shard.instances().end());
  for (const scenario::Element& element : scenario.elements) {
    if (!relay.extended || element.kind != scenario::ElementKind::kSendCmd) continue;
    std::string where = base::Cat(scenario.file_name, ":", element.line, ": <sendCmd");
    if (element.twin_peer.empty()) {
      return absl::InvalidArgumentError(base::Cat(
          where, "> needs dest= (3PCC extended mode), or give this agent a twin with the "
                 "master's -twins (-3pcc mode)"));
    }
    if (std::find(instances.begin(), instances.end(), element.twin_peer) == instances.end()) {
      return absl::InvalidArgumentError(base::Cat(
          where, " dest=\"", element.twin_peer, "\">: no 3PCC instance '", element.twin_peer,
          "' in the cluster (instances: ", JoinNames(instances), ")"));
    }
    if (std::find(relay.destinations.begin(), relay.destinations.end(), element.twin_peer) ==
        relay.destinations.end()) {
      relay.destinations.push_back(element.twin_peer);
    }
  }
  config->twin_extended = relay.extended;
  router_ = std::make_unique<twin::RelayRouter>(
      std::move(relay), [outbox = outbox_](twin::RelayedCommand command) {
        v1::AgentMessage message;
        v1::ThreePccCommand* out = message.mutable_three_pcc();
        out->set_source_instance(std::move(command.source));
        out->set_dest_instance(std::move(command.dest));
        out->set_call_id(std::move(command.call_id));
        out->set_payload(std::move(command.text));
        return outbox->Push(std::move(message));
      });
  return absl::OkStatus();
}

absl::Status Session::Prepare(const v1::Prepare& prepare) {
  if (engine_) return absl::FailedPreconditionError("already prepared");
  std::vector<std::string> args(prepare.sipp_args().begin(), prepare.sipp_args().end());
  absl::StatusOr<cli::Options> options = ParseSippArgs(args);
  if (!options.ok()) return options.status();
  scenario_name_ = prepare.scenario_name();
  absl::StatusOr<std::shared_ptr<const scenario::Scenario>> scenario =
      LoadScenarioText(*options, prepare.scenario_xml(), prepare.scenario_name());
  if (!scenario.ok()) return scenario.status();
  std::vector<std::pair<std::string, std::string>> csv;
  for (const v1::CsvFile& file : prepare.csv_files()) csv.emplace_back(file.name(), file.content());
  absl::StatusOr<std::vector<std::shared_ptr<injection::InjectionFile>>> files =
      LoadInjectionTexts(*options, csv);
  if (!files.ok()) return files.status();
  ShardPlan shard;
  shard.workers = prepare.shard().workers();
  shard.call_number_offset = prepare.shard().call_number_offset();
  shard.call_number_stride = prepare.shard().call_number_stride();
  const int pid = options_.pid > 0 ? options_.pid : static_cast<int>(getpid());
  absl::StatusOr<transport::SocketAddress> remote = ResolveRemoteHost(*options);
  if (!remote.ok()) return remote.status();
  absl::StatusOr<runtime::EngineConfig> config =
      BuildEngineConfig(*options, **scenario, *remote, shard, pid);
  if (!config.ok()) return config.status();
  config->allow_exec = options_.allow_exec;
  if (config->transport == runtime::EngineConfig::Transport::kTls) {
    // -tls_cert/-tls_key/-tls_ca name files on this agent's host, as for sipfleet.
    absl::StatusOr<std::unique_ptr<tls::TlsContext>> tls = setup::MakeTlsContext(*options, **scenario);
    if (!tls.ok()) return tls.status();
    tls_ = *std::move(tls);
    config->tls = tls_.get();
  }
  if (absl::Status status = SetUpRouter(prepare.shard(), **scenario, &*config); !status.ok()) {
    return status;
  }
  absl::StatusOr<std::unique_ptr<trace::TraceSet>> traces =
      trace::TraceSet::Open(trace::TraceConfigFromOptions(*options), **scenario, pid, clock_);
  if (!traces.ok()) return traces.status();
  traces_ = *std::move(traces);
  runtime::EngineResources resources;
  resources.injection_files = *std::move(files);
  resources.traces = traces_.get();
  resources.commands = router_.get();
  absl::StatusOr<std::unique_ptr<runtime::Engine>> engine =
      runtime::Engine::Create(*config, *scenario, clock_, std::move(resources));
  if (!engine.ok()) return engine.status();
  engine_ = *std::move(engine);
  return absl::OkStatus();
}

void Session::StartEngine(const v1::Start& start) {
  if (!engine_ || started_) return;
  started_ = true;
  // The barrier: every agent paces from the same master instant (mapped to
  // this host's clock), so the cluster's call n is due at one moment.
  int64_t start_us = LocalMicrosFor(start.pacing().start_wall_micros());
  last_load_epoch_ = std::max(last_load_epoch_, start.epoch());
  engine_->Start(std::max<int64_t>(start_us, 1));
  // The master's pacing as it is: its interval may differ from this
  // engine's own -r (slots of lost or late agents), and a late joiner starts
  // mid-run at a later first number. Due at start_us at the earliest, so it
  // reaches the workers before any call is due.
  runtime::Pacing pacing;
  pacing.start_us = std::max<int64_t>(start_us, 1);
  pacing.first_number = std::max<uint64_t>(start.pacing().first_number(), 1);
  pacing.interval_us = start.pacing().interval_micros();
  engine_->ApplyPacing(pacing);
}

void Session::QueueLoad(const v1::SetLoad& load) {
  // Epochs (DESIGN.md): a command older than the last one is stale.
  if (load.epoch() <= last_load_epoch_) return;
  last_load_epoch_ = load.epoch();
  pending_loads_.emplace_back(LocalMicrosFor(load.effective_wall_micros()), load);
}

void Session::ApplyDueLoads() {
  const int64_t now = clock_.NowMicros();
  while (!pending_loads_.empty() && pending_loads_.front().first <= now) {
    ApplyLoad(pending_loads_.front().second);
    pending_loads_.pop_front();
  }
}

void Session::ApplyLoad(const v1::SetLoad& load) {
  if (!engine_ || !started_ || finished_) return;
  if (load.has_pacing()) {
    // The master computed this Pacing once (runtime::Repace) for every
    // agent: only its start moves to this host's clock.
    runtime::Pacing pacing;
    pacing.start_us = LocalMicrosFor(load.pacing().start_wall_micros());
    pacing.first_number = load.pacing().first_number();
    pacing.interval_us = load.pacing().interval_micros();
    engine_->ApplyPacing(pacing);
  }
  if (load.has_call_limit()) engine_->SetCallLimit(load.call_limit());
  if (load.has_users()) engine_->SetUsers(load.users());
}

void Session::FillClock(v1::ClockSample* clock) const {
  const int64_t now = clock_.WallMicros();
  clock->set_wall_micros(now);
  if (master_sample_wall_us_ != 0) {
    clock->set_echo_wall_micros(master_sample_wall_us_);
    clock->set_echo_hold_micros(now - master_sample_received_us_);
  }
}

// A cluster's own names may not resolve at first: podman's resolver knows a
// container's name once it runs, a Kubernetes headless Service once the pod
// is ready, and the master prepares as soon as every agent has registered.
// A name that does not resolve yet is tried again every 250 ms for up to
// -resolve_wait (default 15 s, inside the master's -prepare_wait, 30 s);
// then prepare fails with the resolver's last answer, or says that none
// came. Each lookup runs off this thread (LookUpWhileBeating): one that hangs
// on DNS timeouts must not stop the heartbeats, or the master and this
// agent's lease give up on us.
absl::StatusOr<transport::SocketAddress> Session::ResolveRemoteHost(const cli::Options& options) {
  LookupPolicy policy;
  policy.wait = std::chrono::milliseconds(std::max<int64_t>(options_.resolve_wait_ms, 0));
  policy.beat = std::chrono::milliseconds(std::max<int64_t>(options_.tick_ms, 1));
  const std::string remote = options.remote_host_port;
  bool said = false;
  absl::StatusOr<transport::SocketAddress> resolved = LookUpWhileBeating(
      [options] { return setup::ResolveRemote(options); }, policy, remote, [&] { Tick(); },
      [&](std::string_view failure) {
        std::fprintf(stderr, "sipfleet-agent %s: %s; trying again for up to %s s\n",
                     options_.name.c_str(), std::string(failure).c_str(),
                     base::Cat(options_.resolve_wait_ms / 1000.0).c_str());
        said = true;
      });
  if (said && resolved.ok()) {
    std::fprintf(stderr, "sipfleet-agent %s: '%s' resolves now\n", options_.name.c_str(),
                 remote.c_str());
  }
  // The lease measures the master's silence while we listen; what it sent
  // while we waited is still in the inbox, read next.
  last_heard_ms_ = NowMs();
  return resolved;
}

void Session::Tick() {
  v1::AgentMessage beat;
  FillClock(beat.mutable_heartbeat()->mutable_clock());
  if (engine_) beat.mutable_heartbeat()->set_open_calls(engine_->OpenCalls());
  Write(beat);
  if (!started_ || finished_) return;
  if (engine_->Done()) {
    FinishEngine();
    return;
  }
  SendStats(false);
}

void Session::SendStats(bool final) {
  cluster::StatsReport report = reports_.Next(engine_->Snapshot(), engine_->OpenCalls(), final);
  v1::AgentMessage message;
  wire::ToProto(report, message.mutable_stats());
  message.mutable_stats()->set_wall_micros(clock_.WallMicros());
  Write(message);
}

void Session::FinishEngine(const AgentResult* lease_expired) {
  if (!started_ || finished_) return;
  finished_ = true;
  engine_->Join();
  SendStats(true);  // exact: the workers are stopped
  stats::Snapshot totals = engine_->Snapshot();
  totals_ = totals;
  if (traces_) traces_->Close(totals);
  v1::AgentMessage message;
  // A run-ending error (a t1/l1 connection that cannot be opened, <error>,
  // exec int_cmd=stop_now) carries its own code, as sipfleet would exit.
  if (lease_expired != nullptr) {
    message.mutable_finished()->set_exit_code(lease_expired->exit_code);
    message.mutable_finished()->set_message(lease_expired->message);
    message.mutable_finished()->set_lease_expired(true);
  } else if (std::optional<runtime::ForcedExit> forced = engine_->forced_exit();
             forced.has_value()) {
    message.mutable_finished()->set_exit_code(forced->exit_code);
    message.mutable_finished()->set_message(forced->message);
  } else {
    message.mutable_finished()->set_exit_code(totals.Get(stats::Counter::kFailedCall) > 0 ? 1 : 0);
    message.mutable_finished()->set_message("engine done");
  }
  Write(message);
}

AgentResult Session::ExpireLease(int64_t silent_ms) {
  std::string what = "no calls were running";
  if (engine_ && started_ && !finished_) {
    engine_->StopNewCalls();
    const int64_t give_up = NowMs() + options_.drain_limit_ms;
    while (!engine_->Done() && NowMs() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const uint64_t left = engine_->OpenCalls();
    if (left > 0) engine_->AbortAll();
    what = left > 0 ? base::Cat("aborted ", left, " calls still open after ",
                                options_.drain_limit_ms, " ms of draining")
                    : std::string("running calls drained");
  }
  AgentResult result{kExitLeaseExpired,
                     base::Cat("sipfleet-agent ", options_.name, ": master silent for ", silent_ms,
                               " ms (lease ", lease_ms_, " ms): stopped placing new calls, ", what,
                               "; exiting")};
  // The final report goes out in case the master is only slow (or hears us
  // but cannot be heard): it must not read as a normal end.
  if (engine_ && started_ && !finished_) FinishEngine(&result);
  return result;
}

}  // namespace

AgentResult RunAgent(const AgentOptions& options, const base::Clock& clock) {
  if (options.name.empty()) return AgentResult{kExitRefused, "sipfleet-agent: -name is required"};
  // mTLS, or plain text on loopback / with -allow_plaintext (credentials.h).
  absl::StatusOr<cluster::ControlSecurity> security = cluster::ResolveControlSecurity(
      options.master, options.ctl_tls, options.allow_plaintext_remote);
  if (!security.ok()) {
    return AgentResult{kExitRefused, base::Cat("sipfleet-agent: ", security.status().message())};
  }
  grpc::ChannelArguments args;
  // Transport keepalive on both sides (DESIGN.md), beside the heartbeats.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  for (const auto& [key, value] : cluster::ChannelSecurityArgs(*security)) args.SetString(key, value);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(options.master, cluster::MakeChannelCredentials(*security), args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                 std::chrono::milliseconds(options.connect_timeout_ms))) {
    return AgentResult{kExitRefused, base::Cat("sipfleet-agent ", options.name,
                                               ": cannot reach the master at ", options.master, ": ",
                                               cluster::ConnectFailureReason(channel, *security, 2000))};
  }
  std::unique_ptr<v1::Control::Stub> stub = v1::Control::NewStub(channel);
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub->Session(&context);
  Inbox inbox;
  Outbox outbox(stream.get(), &context);
  std::thread reader([&] {
    v1::MasterMessage message;
    while (stream->Read(&message)) inbox.Push(std::move(message));
    inbox.Close();
  });
  AgentResult result;
  {
    Session session(options, clock, &outbox);
    result = session.Run(&inbox);
    result.totals = session.totals();
  }
  // The final report and Finished go out before the stream is half-closed.
  constexpr int64_t kFlushMs = 2000;
  outbox.Close(kFlushMs);
  stream->WritesDone();
  context.TryCancel();
  reader.join();
  (void)stream->Finish();
  return result;
}

}  // namespace sipfleet::agent
