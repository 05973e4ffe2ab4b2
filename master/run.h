#ifndef SIPFLEET_MASTER_RUN_H_
#define SIPFLEET_MASTER_RUN_H_

// One cluster run, on the caller's thread: plan -> prepare -> start ->
// supervise -> verdict (Execute, run.cc). It is also what the operator's
// keys and control socket act on (control::RunControl, called on the run
// thread only): a change is computed once here and sent to every live UAC
// agent with an epoch and an effective time a little ahead, so all agents
// apply it at the same instant.
//
// The class is one object; its methods live in one file per job:
//   run.cc            the flow, the server, waiting for agents and clocks
//   run_prepare.cc    roles, stripes, shares, each agent's Prepare
//   run_load.cc       the live load: start barrier, pacing epochs, keys
//   run_supervise.cc  the ticks: heartbeats, signals, losses, -timeout, stops
//   run_failures.cc   -failure_policy and -late_join share
//   run_console.cc    the operator's console (screens, keys, control socket)
//   verdict.cc        the result and SIPp's exit code
// What the run produces for others (the -trace_stat file; per-period and
// final results) goes through RunOutputs (outputs.h).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/base/clock.h"
#include "common/cli/options.h"
#include "common/cluster/credentials.h"
#include "common/cluster/plan.h"
#include "common/console/console.h"
#include "common/console/screen_stats.h"
#include "common/control/controller.h"
#include "common/runtime/pacing.h"
#include "common/scenario/scenario.h"
#include "grpcpp/grpcpp.h"
#include "master/master.h"
#include "master/outputs.h"
#include "master/registry.h"
#include "master/session.h"

namespace sipfleet::master {

class Run : public control::RunControl {
 public:
  // What the verdict says besides the merged counts (verdict.cc).
  struct VerdictNotes {
    size_t uac_count = 0;
    uint64_t failed = 0;     // UAC and UAS agents' failed calls
    std::string lost_names;  // agents lost under -failure_policy continue
    // The first agent whose engine ended the run itself (exit code other
    // than the verdict's 0 or 1): its code is the run's, as it would be alone.
    std::optional<std::string> forced;
    int forced_code = 0;
  };

  Run(const MasterOptions& options, const base::Clock& clock)
      : options_(options), clock_(clock), registry_(options, clock) {}

  MasterResult Execute(const std::function<void(int)>& on_listening);

  // control::RunControl: the whole cluster (run_load.cc, run_console.cc).
  double rate() const override { return rate_; }
  void SetRate(double rate) override;
  bool users_mode() const override { return sipp_.users > 0; }
  uint64_t users() const override { return users_; }
  void SetUsers(uint64_t users) override;
  bool paused() const override { return paused_; }
  void SetPaused(bool paused) override;
  void SetCallLimit(uint64_t limit) override;
  void Quit() override;
  void QuitNow() override;
  void DumpScreens() override;
  absl::Status SetTrace(std::string_view kind, bool on) override;
  void ResetStats() override;
  std::string DumpTasks() override;
  std::string DumpVariables() override;

 private:
  // What one supervision tick saw (Observe()).
  struct TickState {
    bool uac_done = true;
    bool all_done = true;
    std::vector<std::pair<size_t, std::string>> lost;  // newly lost: index, why
  };
  // The clocks of one supervision (Supervise), on the master's monotonic ms.
  struct Timers {
    int64_t next_tick_ms = 0;
    int64_t deadline_ms = 0;  // -timeout, 0: none
    int64_t rate_interval_ms = 0;
    int64_t next_increase_ms = 0;
    bool uas_stopped = false;  // told to drain once the UAC agents were done
    int64_t uas_abort_ms = 0;  // when the UAS agents' calls are aborted, 0: never
  };
  // Where a late slot's joiner is (-late_join share).
  enum class LateStage { kEmpty, kClock, kPreparing, kRunning, kRefused };

  // ---- run.cc: the flow and what comes before the plan ----
  // The SIPp command line, security, the UAC and UAS scenarios.
  absl::Status Validate();
  absl::Status StartServer(const std::function<void(int)>& on_listening);
  // Waits for every -agents slot, then closes the registry and sizes the
  // per-slot state.
  absl::Status WaitForAgents();
  // Refuses to start when an agent's clock is off by more than -max_skew.
  absl::Status CheckClocks();
  // Why `agent`'s clock is not good enough to run ("" if it is). Under the
  // registry's lock.
  std::string ClockError(const Agent& agent) const;
  // The UAC scenario (screens, statistics layout) and the run's outputs.
  absl::Status LoadScenario();
  // The UAC scenario as the agents load it (-key, -inf, -set).
  absl::StatusOr<std::shared_ptr<const scenario::Scenario>> LoadUacScenario() const;
  // Waits until `done()` (under the registry's lock) or `timeout_ms`, while
  // keeping the registered agents' leases alive (heartbeats) and taking
  // signals; returns done(). A quitting signal ends the wait early and sets
  // interrupted_.
  bool WaitAlive(const std::function<bool()>& done, int64_t timeout_ms);
  // "interrupted by SIGx" once a signal ended a wait before the start.
  absl::Status Interrupted(std::string_view while_doing) const;
  // The next signal from options_.take_signal, 0 if none.
  int TakeSignal() const { return options_.take_signal ? options_.take_signal() : 0; }
  // The end: final rows, the results judged (a failed -threshold changes
  // result->exit_code to 98), the console's last screens.
  void Finish(MasterResult* result);
  void ShutdownAll(const std::string& reason);
  MasterResult Failure(const absl::Status& status) const;

  // ---- run_prepare.cc: the plan and each agent's Prepare ----
  absl::Status Prepare();
  // Fills in uac_, uas_, uac_weights_, instances_ and each agent's role,
  // weight and instance; the UAS agents' weights, and per UAC slot the
  // weight of the agent present (0: a late slot, empty for now).
  void AssignRoles(std::vector<uint32_t>* uas_weights, std::vector<uint32_t>* present_weights);
  absl::Status PrepareUac(const std::vector<uint32_t>& present_weights);
  absl::Status PrepareUas(const std::vector<uint32_t>& uas_weights, uint32_t workers);
  absl::Status WaitPrepared();
  // The address each UAS agent (registry indices `uas`) binds: -uas_bind,
  // else the UAC agents' remote address. Errors: two on one host and address.
  absl::Status UasBinds(const std::vector<size_t>& uas, const std::string& remote,
                        std::vector<std::string>* binds);
  // The SIPp options -agent_args gives agent `name`.
  std::vector<std::string> ExtraArgs(const std::string& name) const;
  // Agent `name`'s 3PCC instance name and plain-mode twin instance ("" if none).
  std::string InstanceOf(const std::string& name) const;
  std::string TwinOf(const std::string& name) const;
  // The scenario (name, text) of UAS agent `name`: -agent_sf/-agent_sn, else -uas_sf/-uas_sn.
  absl::StatusOr<std::pair<std::string, std::string>> UasScenarioOf(const std::string& name) const;
  // Checks the per-agent options against the planned roles.
  absl::Status CheckAgentOptions(const std::vector<size_t>& uac);
  // Fills in agent `name`'s 3PCC instance, twin and the cluster's instances.
  void Set3pcc(const std::string& name, v1::ShardSpec* spec) const;
  std::string AgentName(size_t index);

  // ---- run_load.cc: the live load ----
  void StartAll();
  // Tells every agent to stop: `abort_calls` aborts the calls in progress.
  void StopAll(bool abort_calls, std::optional<bool> uas_only = std::nullopt);
  void Broadcast(const v1::MasterMessage& message, std::optional<bool> uas_only = std::nullopt);
  // The shared interval for the current rate, pause and survivors.
  double Interval() const;
  // A new pacing epoch from now + effective_delay on, to every live UAC agent.
  void Repace();
  // Sends `load` under a new epoch to every live UAC agent; `share` fills in
  // the agent-specific part (its position among the live UAC agents).
  void SendLoad(v1::SetLoad load, const std::function<void(size_t, v1::SetLoad*)>& share = {});
  // Positions in uac_ of the UAC agents not lost.
  std::vector<size_t> LiveUac() const;
  // `total` split by weight over the live UAC agents, each share >= 1 if
  // total > 0.
  std::vector<uint64_t> LiveShares(uint64_t total) const;
  // -rate_increase: one step, as sipfleet's IncreaseRate.
  void IncreaseRate();
  // No agent runs in slot `index`: lost, or a late slot not (yet) joined.
  bool Dormant(size_t index) const { return lost_[index] || idle_[index]; }

  // ---- run_supervise.cc: the ticks ----
  // Runs the ticks until every agent is done; returns why the run was
  // aborted (an agent lost under -failure_policy abort), if it was.
  std::optional<std::string> Supervise();
  TickState Observe(int64_t now_ms);
  // -timeout and -rate_increase, as due at `now`.
  void DriveLoad(int64_t now, Timers* timers);
  // Once the UAC agents are done: the UAS agents drain (and, after a loss,
  // are aborted a little later).
  void StopUasWhenDone(int64_t now, bool uac_done, Timers* timers);
  // A signal during the run: SIPp's meaning, for the whole cluster.
  void HandleSignal(int signal_number);
  // Heartbeats to the agents due one (nothing written to them for about a
  // period); at most one per agent per period, spread over the ticks.
  void SendHeartbeats(int64_t now);
  // The UAC agents merged so far (a copy of the running total).
  stats::Snapshot MergedUac();
  // The results' figures now: the UAC agents merged and each UAC agent's,
  // with their open calls and target rates (copies, under the lock).
  ResultsSources ResultsNow();
  // The same from the final result.
  ResultsSources ResultsOf(const MasterResult& result);
  // The cluster's target in calls per second (0 under -users).
  double TargetCallsPerSecond() const;

  // ---- run_failures.cc: losses and late joiners ----
  // Applies the failure policy to a newly lost agent; returns the abort
  // reason when the run cannot go on.
  std::optional<std::string> HandleLost(size_t index, const std::string& why);
  // 3PCC: tells the other agents that the instance of agent `index` is
  // gone (their routers treat it as a lost twin).
  void NoticeLost3pcc(size_t index, const std::string& what);
  // -late_join share: moves each late joiner on (clock check, prepare, then
  // its share from a new epoch), once per tick.
  void AdvanceLateJoiners();
  void PrepareLate(size_t index);
  void JoinLate(size_t index);
  void RefuseLate(size_t index, const std::string& why);

  // ---- run_console.cc ----
  void OpenConsole();
  screen::ScreenInput ScreenInputNow();

  // ---- verdict.cc ----
  MasterResult Verdict(std::optional<std::string> abort);
  // Every agent's AgentSummary into `result`, and what the verdict line
  // needs besides the merged counts. Under the registry's lock.
  VerdictNotes Summarize(const std::optional<std::string>& abort, MasterResult* result);

  int64_t NowMs() const { return clock_.NowMicros() / 1000; }
  static void ToProto(const runtime::Pacing& pacing, v1::Pacing* out) {
    out->set_start_wall_micros(pacing.start_us);
    out->set_first_number(pacing.first_number);
    out->set_interval_micros(pacing.interval_us);
  }

  const MasterOptions& options_;
  const base::Clock& clock_;
  Registry registry_;
  cli::Options sipp_;
  std::unique_ptr<ControlService> service_;
  std::unique_ptr<grpc::Server> server_;
  cluster::ControlSecurity security_;  // set by Validate()
  std::pair<std::string, std::string> uac_scenario_;  // name, text
  std::pair<std::string, std::string> uas_scenario_;
  RunOutputs outputs_;
  int64_t start_wall_us_ = 0;
  int64_t start_ms_ = 0;
  // The plan (Prepare()): indices into the registry by role, and per UAC
  // agent (same order as uac_) its weight and stripe.
  std::vector<size_t> uac_, uas_;
  std::vector<std::string> instances_;  // the 3PCC instance names, once each
  std::vector<uint32_t> uac_weights_;
  std::vector<cluster::Stripe> stripes_;
  // Per agent (registry index), on the run thread.
  std::vector<bool> lost_;
  std::vector<bool> idle_;  // a late slot with no running agent (yet)
  // Late slots (-late_join share): where each joiner is, and the Prepare
  // kept for the slot (Prepare()).
  std::vector<LateStage> late_;
  std::map<size_t, v1::MasterMessage> late_prepares_;
  std::vector<uint64_t> lost_calls_;
  std::vector<uint64_t> users_shares_;
  // The live load, cluster totals. pacing_ is on the master's wall clock.
  runtime::Pacing pacing_;
  uint64_t epoch_ = 1;  // Start is epoch 1; every later command a new one
  double rate_ = 0;
  bool paused_ = false;
  uint64_t users_ = 0;
  uint64_t call_limit_ = 0;
  bool quitting_ = false;
  // The operator's view.
  std::shared_ptr<const scenario::Scenario> scenario_;
  std::unique_ptr<console::Console> console_;
  std::optional<console::ScreenStats> screen_stats_;  // from OpenConsole()
  bool terminated_ = false;
  std::string last_error_;
  // Heartbeats (SendHeartbeats): the period, and ticks seen (the phase).
  int64_t heartbeat_period_ms_ = 1000;
  uint64_t heartbeat_ticks_ = 0;
  bool timed_out_ = false;  // -timeout was reached
  int interrupted_by_ = 0;  // the signal that ended a wait before the start
};

}  // namespace sipfleet::master

#endif  // SIPFLEET_MASTER_RUN_H_
