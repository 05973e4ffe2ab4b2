#include "master/run.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <mutex>

#include "common/base/happens_before.h"
#include "common/base/strings.h"
#include "common/scenario/loader.h"
#include "master/shipping.h"
#include "proto/results/run_results.h"

namespace sipfleet::master {

MasterResult Run::Execute(const std::function<void(int)>& on_listening) {
  if (absl::Status status = Validate(); !status.ok()) return Failure(status);
  if (absl::Status status = StartServer(on_listening); !status.ok()) return Failure(status);
  // Before the start, a step that fails releases the agents with its reason.
  using Step = absl::Status (Run::*)();
  constexpr std::pair<Step, const char*> kBeforeStart[] = {
      {&Run::WaitForAgents, "not enough agents"},
      {&Run::CheckClocks, "clock skew"},
      {&Run::Prepare, "a prepare failed"},
      {&Run::LoadScenario, "the master cannot load the scenario"},
  };
  for (const auto& [step, reason] : kBeforeStart) {
    if (absl::Status status = (this->*step)(); !status.ok()) {
      ShutdownAll(reason);
      return Failure(status);
    }
  }
  StartAll();
  outputs_.Start(start_ms_, start_wall_us_, rate_);
  OpenConsole();
  std::optional<std::string> abort = Supervise();
  if (abort.has_value()) StopAll(/*abort_calls=*/true);
  MasterResult result = Verdict(abort);
  Finish(&result);
  ShutdownAll(abort.has_value() ? *abort : "run complete");
  return result;
}

MasterResult Run::Failure(const absl::Status& status) const {
  MasterResult result;
  result.exit_code = kExitFatal;
  result.message = std::string(status.message());
  return result;
}

void Run::Finish(MasterResult* result) {
  const int code =
      outputs_.Finish(*result, NowMs(), clock_.WallMicros(), rate_, ResultsOf(*result));
  if (code != result->exit_code) {
    // A -threshold failed: the verdict line ends with the new code.
    result->exit_code = code;
    size_t at = result->message.rfind("; exit ");
    if (at != std::string::npos) result->message.resize(at);
    base::Append(&result->message, "; thresholds failed; exit ", code);
  }
  if (!console_) return;
  terminated_ = true;
  if (sipp_.trace_screen) {
    // As sipfleet: the final screens go to the screen file.
    if (absl::Status dumped = console_->DumpScreens(); !dumped.ok()) {
      std::cerr << "sipfleet-master: " << dumped.message() << "\n";
    }
  }
  console_->Finish();
}

absl::Status Run::Validate() {
  std::vector<std::string> argv = {"sipfleet-master"};
  argv.insert(argv.end(), options_.sipp_args.begin(), options_.sipp_args.end());
  absl::StatusOr<cli::Options> parsed = cli::ParseCommandLine(argv);
  if (!parsed.ok()) return parsed.status();
  sipp_ = *std::move(parsed);
  if (!sipp_.three_pcc.empty() || !sipp_.master.empty() || !sipp_.slave.empty()) {
    return absl::InvalidArgumentError(
        "-3pcc/-master/-slave name one process's role: in the cluster every agent is a 3PCC "
        "instance named after it (or -instances a=NAME, or -agent_args a=\"-master NAME\"), "
        "and -twins a=b pairs plain -3pcc twins");
  }
  if (!sipp_.slave_cfg.empty()) {
    std::cerr << "sipfleet-master: -slave_cfg " << sipp_.slave_cfg
              << " ignored: 3PCC instance names resolve to agents over the control plane\n";
  }
  if (options_.agent_count <= 0 && options_.agent_names.empty()) {
    return absl::InvalidArgumentError("-agents is required: a count or a list of names");
  }
  if (options_.late_join == MasterOptions::LateJoin::kShare && sipp_.max_calls > 0) {
    // The late slots' stripes are holes until someone joins, and -m bounds
    // call numbers: -m would not hold.
    return absl::InvalidArgumentError(
        "-late_join share needs a run without -m (end it with -timeout or q)");
  }
  // mTLS, or plain text on loopback / with -allow_plaintext (credentials.h).
  absl::StatusOr<cluster::ControlSecurity> security = cluster::ResolveControlSecurity(
      options_.listen, options_.ctl_tls, options_.allow_plaintext_remote);
  if (!security.ok()) return security.status();
  security_ = *std::move(security);
  absl::StatusOr<std::pair<std::string, std::string>> uac =
      ScenarioText(sipp_.scenario_file, sipp_.scenario_name);
  if (!uac.ok()) return uac.status();
  uac_scenario_ = *std::move(uac);
  absl::StatusOr<std::pair<std::string, std::string>> uas =
      ScenarioText(options_.uas_scenario_file, options_.uas_scenario_name);
  if (!uas.ok()) return uas.status();
  uas_scenario_ = *std::move(uas);
  if (!sipp_.thresholds.empty()) {
    // A bad -threshold is refused now, not after the agents came; a
    // scenario the master cannot load is left to the agents, whose errors
    // name them (LoadScenario).
    absl::StatusOr<std::shared_ptr<const scenario::Scenario>> scenario = LoadUacScenario();
    if (scenario.ok()) {
      scenario_ = *std::move(scenario);  // LoadScenario() takes it as it is
      return summary::RunResults::CheckThresholds(sipp_, *scenario_);
    }
  }
  return absl::OkStatus();
}

absl::Status Run::StartServer(const std::function<void(int)>& on_listening) {
  service_ = std::make_unique<ControlService>(&registry_, clock_, options_.lease_ms);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options_.listen, cluster::MakeServerCredentials(security_), &port);
  builder.RegisterService(service_.get());
  // Transport keepalive, as the agents configure it (DESIGN.md).
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  server_ = builder.BuildAndStart();
  if (!server_ || port == 0) {
    return absl::FailedPreconditionError(base::Cat("cannot listen on ", options_.listen));
  }
  if (on_listening) on_listening(port);
  return absl::OkStatus();
}

absl::Status Run::WaitForAgents() {
  auto all_here = [this] {
    for (const auto& agent : registry_.agents()) {
      if (!agent->spare && !agent->registered) return false;
    }
    return true;
  };
  if (!WaitAlive(all_here, options_.agent_wait_ms)) {
    if (interrupted_by_ != 0) return Interrupted("waiting for the agents");
    std::lock_guard<std::mutex> lock(registry_.mutex());
    std::string missing;
    int count = 0;
    for (const auto& agent : registry_.agents()) {
      if (agent->registered || agent->spare) continue;
      ++count;
      if (!agent->name.empty()) base::Append(&missing, " ", agent->name);
    }
    return absl::DeadlineExceededError(base::Cat(count, " agent(s) did not register within ",
                                                 options_.agent_wait_ms, " ms", missing.empty() ? "" : ":",
                                                 missing));
  }
  registry_.Close();
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    for (const auto& agent : registry_.agents()) idle_.push_back(agent->spare);
  }
  lost_.assign(idle_.size(), false);
  late_.assign(idle_.size(), LateStage::kEmpty);
  lost_calls_.assign(idle_.size(), 0);
  users_shares_.assign(idle_.size(), 0);
  return absl::OkStatus();
}

std::string Run::ClockError(const Agent& agent) const {
  if (agent.clock_rtt_us < 0) return base::Cat("agent '", agent.name, "' sent no clock sample");
  if (std::abs(agent.clock_offset_us) <= options_.max_skew_ms * 1000) return "";
  return base::Cat("agent '", agent.name, "': its clock is ", agent.clock_offset_us / 1000.0,
                   " ms off the master's (round trip ", agent.clock_rtt_us / 1000.0,
                   " ms), beyond -max_skew ", options_.max_skew_ms, " ms");
}

absl::Status Run::CheckClocks() {
  // Each agent answers Registered with a clock sample at once (NTP-style,
  // see ClockOffset), and every heartbeat brings another; the registry keeps
  // the one with the shortest round trip. An offset past -max_skew that half
  // the round trip could explain (a slow leg on a loaded machine) waits for
  // a tighter sample; a few seconds is plenty on any network.
  const int64_t max_skew_us = options_.max_skew_ms * 1000;
  auto sampled = [this, max_skew_us] {
    for (const auto& agent : registry_.agents()) {
      if (agent->spare || !agent->connected) continue;
      if (agent->clock_rtt_us < 0) return false;
      const int64_t off = std::abs(agent->clock_offset_us);
      if (off > max_skew_us && off - agent->clock_rtt_us / 2 <= max_skew_us) return false;
    }
    return true;
  };
  if (!WaitAlive(sampled, 3000) && interrupted_by_ != 0) return Interrupted("checking the clocks");
  std::lock_guard<std::mutex> lock(registry_.mutex());
  std::string errors;
  for (const auto& agent : registry_.agents()) {
    if (agent->spare) continue;  // a late joiner is checked when it joins
    std::string error = ClockError(*agent);
    if (!error.empty()) base::Append(&errors, errors.empty() ? "" : "\n", error);
  }
  if (!errors.empty()) {
    return absl::FailedPreconditionError(base::Cat(errors, "\nthe run did not start"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const scenario::Scenario>> Run::LoadUacScenario() const {
  scenario::LoadOptions load_options;
  for (const auto& [name, value] : sipp_.keys) load_options.generic_keys[name] = value;
  load_options.injection_files = sipp_.injection_files;
  for (const auto& [name, value] : sipp_.set_variables) load_options.global_variables.push_back(name);
  return scenario::LoadScenario(uac_scenario_.second, uac_scenario_.first, load_options);
}

absl::Status Run::LoadScenario() {
  // Loaded here, after the agents loaded it: their errors come first and
  // name the agent. The master only needs the statistics layout.
  if (scenario_ == nullptr) {  // not loaded for -threshold already (Validate)
    absl::StatusOr<std::shared_ptr<const scenario::Scenario>> scenario = LoadUacScenario();
    if (!scenario.ok()) return scenario.status();
    scenario_ = *std::move(scenario);
  }
  for (const std::string& warning : scenario_->warnings) std::cerr << warning << "\n";
  return outputs_.Open(sipp_, *scenario_, options_.tick_ms,
                       clock_.WallMicros() + options_.start_delay_ms * 1000,
                       static_cast<int>(getpid()), options_.command_line);
}

bool Run::WaitAlive(const std::function<bool()>& done, int64_t timeout_ms) {
  constexpr int64_t kSliceMs = 50;
  const int64_t deadline = NowMs() + timeout_ms;
  int64_t next_beat_ms = 0;
  while (true) {
    const int64_t now = NowMs();
    const int64_t slice = std::min(kSliceMs, deadline - now);
    if (registry_.WaitUntil(done, std::max<int64_t>(slice, 0))) return true;
    if (NowMs() >= deadline) return false;
    if (int signal_number = TakeSignal();
        signal_number == SIGINT || signal_number == SIGTERM || signal_number == SIGUSR1) {
      interrupted_by_ = signal_number;
      return false;
    }
    if (NowMs() >= next_beat_ms) {
      // Registered agents wait on their lease for the plan and the start.
      SendHeartbeats(NowMs());
      next_beat_ms = NowMs() + options_.tick_ms;
    }
  }
}

absl::Status Run::Interrupted(std::string_view while_doing) const {
  const char* name = interrupted_by_ == SIGINT    ? "SIGINT"
                     : interrupted_by_ == SIGTERM ? "SIGTERM"
                                                  : "SIGUSR1";
  return absl::CancelledError(base::Cat("interrupted by ", name, " while ", while_doing,
                                        "; the run did not start"));
}

void Run::ShutdownAll(const std::string& reason) {
  v1::MasterMessage message;
  message.mutable_shutdown()->set_reason(reason);
  Broadcast(message);
  // Sessions end when the agents close their side; past a short grace the
  // server cancels what is left.
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  base::HappensAfter(&registry_);  // every session's OnDone has returned
}

MasterResult RunMaster(const MasterOptions& options, const base::Clock& clock,
                       const std::function<void(int port)>& on_listening) {
  Run run(options, clock);
  return run.Execute(on_listening);
}

}  // namespace sipfleet::master
