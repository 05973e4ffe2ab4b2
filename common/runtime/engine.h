#ifndef SIPFLEET_COMMON_RUNTIME_ENGINE_H_
#define SIPFLEET_COMMON_RUNTIME_ENGINE_H_

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/clock.h"
#include "common/runtime/config.h"
#include "common/runtime/worker.h"
#include "common/scenario/scenario.h"
#include "common/stats/histogram.h"
#include "common/stats/shard.h"

namespace sipfleet::runtime {

// What a run shares besides configuration: the trace files and -inf files.
struct EngineResources {
  std::vector<std::shared_ptr<injection::InjectionFile>> injection_files;  // -inf order
  // Traces.
  trace::TraceSet* traces = nullptr;  // the -trace_* files, may be null
  // 3PCC.
  twin::CommandRouter* commands = nullptr;  // the twin channel (-3pcc, extended), may be null
};

// What the media plane did (all workers), read after Join().
struct MediaReport {
  uint64_t packets_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t send_errors = 0;
  stats::Histogram lateness_us;  // how late each packet left
  uint64_t echoed_packets = 0;   // -rtp_echo
  uint64_t echo_truncated = 0;   // datagrams over -mb, not echoed
  uint64_t echo_muted = 0;       // dropped while a call's <rtp_echo value="0"/> held
};

// A run-ending request from inside the scenario (<error>, int_cmd=stop_now).
struct ForcedExit {
  int exit_code = 0;
  std::string message;
};

// The SIP engine: N shared-nothing workers running one scenario. Used as is
// by sipfleet and by sipfleet-agent. Never exits the process; the caller
// polls Done() and reads merged statistics. All public methods are called
// from one controlling thread, except the twin::CommandSink side.
class Engine : public twin::CommandSink {
 public:
  // twin::CommandSink (3PCC, worker_3pcc.cc): a command goes to the worker
  // owning its Call-ID; a lost twin stops new calls.
  void DeliverCommand(std::string_view source, std::string message) override;
  void TwinLost(std::string what) override;

  // Binds sockets and prepares workers. Errors: FailedPrecondition when a
  // port is in use (SIPp exit 254), others for bad configuration.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(
      const EngineConfig& config, std::shared_ptr<const scenario::Scenario> scenario,
      const base::Clock& clock, EngineResources resources);
  ~Engine();

  // Starts the worker threads. Client calls are paced from
  // `start_at_micros` (this engine's clock, NowMicros()), or from now when 0:
  // a cluster agent passes the master's common start instant (issue 6).
  void Start(int64_t start_at_micros = 0);
  // True when the run has nothing left to do: every call of a client run
  // placed and ended, -m calls ended in server mode, or a requested stop
  // completed.
  bool Done() const;
  // Graceful stop (SIPp's q / SIGUSR1): no new calls, running ones finish.
  // Thread-safe.
  void StopNewCalls();
  // Immediate stop (SIPp's Q / -timeout): abort calls in progress.
  void AbortAll();
  // Stops the loops and joins the threads. Idempotent.
  void Join();

  // The load shape, live (SIPp's + - * / p keys and `cset` commands). From
  // the controlling thread; each change reaches the workers at once.
  // Calls per -rp period; 0 places no calls. Without effect under -users.
  void SetRate(double rate);
  double rate() const { return rate_; }
  // Paused: no new calls (SIPp's p); calls in progress go on.
  void SetPaused(bool paused);
  bool paused() const { return paused_; }
  // Replaces the pacing with `pacing` (this engine's clock), as computed
  // elsewhere, e.g. by a cluster master's Repace() for every agent (issue
  // 6). paused() follows !pacing.running(); rate() is left as it is.
  void ApplyPacing(const Pacing& pacing);
  // -users: the calls kept open (closed loop); only when started with -users.
  void SetUsers(uint64_t users);
  uint64_t users() const { return users_; }
  bool users_mode() const { return shared_.config.users > 0; }
  // -l: the most calls open at once, 0 for no limit.
  void SetCallLimit(uint64_t limit);
  uint64_t call_limit() const { return shared_.call_limit.load(std::memory_order_relaxed); }
  // True once StopNewCalls() or AbortAll() was called.
  bool stopping() const { return shared_.stop_new_calls.load(std::memory_order_relaxed); }

  // Merged statistics of all workers (exact: counters summed, histograms
  // merged bucket by bucket).
  stats::Snapshot Snapshot() const;
  uint64_t OpenCalls() const;
  // Set when an action asked to end the run (then Done() turns true once
  // calls drain or the caller aborts).
  std::optional<ForcedExit> forced_exit() const;
  uint64_t SendErrors() const;
  // Media counters; only after Join().
  MediaReport Media() const;
  // How late call timers fired, all workers; after Join().
  TimerLateness Lateness() const;
  // The first TCP/TLS failure seen ("" if none), for the end-of-run report.
  std::string FirstTransportError() const;
  const transport::SocketAddress& local_address() const;
  const scenario::Scenario& scenario() const { return *shared_.scenario; }
  const EngineConfig& config() const { return shared_.config; }
  // The run's trace files (EngineResources::traces), may be null.
  trace::TraceSet* traces() const { return shared_.traces; }
  int worker_count() const { return static_cast<int>(workers_.size()); }

 private:
  Engine() = default;
  absl::Status InitVariables();
  absl::Status Listen();
  absl::StatusOr<std::vector<std::shared_ptr<transport::UdpSocket>>> BindPerIpSockets();
  absl::Status BindSockets(std::vector<std::shared_ptr<transport::UdpSocket>>* sockets);

  // The pacing interval of the current rate (users mode: a positive
  // placeholder; the pacing then only says running or paused).
  double RunningInterval() const;
  void PostPacing();

  WorkerShared shared_;
  Pacing pacing_;
  double rate_ = 0;
  bool paused_ = false;
  uint64_t users_ = 0;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  bool aborting_ = false;
};

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_ENGINE_H_
