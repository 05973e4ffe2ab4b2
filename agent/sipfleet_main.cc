// sipfleet: SIPp's command line, scenarios and outputs on sipfleet's engine.
// main() is the only place that exits; everything below returns Status.

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/clock.h"
#include "common/base/strings.h"
#include "common/cli/options.h"
#include "common/console/console.h"
#include "common/console/screen_stats.h"
#include "common/control/controller.h"
#include "common/injection/injection_file.h"
#include "common/results/figures.h"
#include "common/runtime/engine.h"
#include "common/scenario/embedded.h"
#include "common/setup/engine_setup.h"
#include "common/stats/stat_csv.h"
#include "common/stats/stat_file.h"
#include "common/trace/trace_options.h"
#include "proto/results/run_results.h"
#include "common/tls/tls_context.h"

namespace sipfleet {
namespace {

// SIPp's exit codes (SIPP_NOTES §2.4).
constexpr int kExitOk = 0;
constexpr int kExitCallsFailed = 1;
constexpr int kExitTimeoutNoCalls = 97;
constexpr int kExitNoCalls = 99;
constexpr int kExitFatal = 255;
constexpr int kExitBindError = 254;

constexpr const char* kVersion = "sipfleet 0.1.0 (SIPp-compatible command line)";

int Fail(absl::string_view message, int code = kExitFatal) {
  std::cerr << "sipfleet: " << message << "\n";
  return code;
}

struct RunOutcome {
  bool timed_out = false;
  std::optional<runtime::ForcedExit> forced_exit;  // <error>, int_cmd=stop_now
};

// The run as SIPp's keys, control commands and screens see it
// (control::RunControl, and what the screens show): the engine, plus what
// only the display keeps (console::ScreenStats).
class StandaloneRun : public control::RunControl {
 public:
  StandaloneRun(runtime::Engine& engine, trace::TraceSet* traces, const cli::Options& options,
                const base::Clock& clock)
      : engine_(engine),
        traces_(traces),
        options_(options),
        clock_(clock),
        screen_stats_(runtime::StatsLayoutFor(engine.scenario()), options.screen_period_ms,
                      clock.NowMicros(), clock.WallMicros()) {}
  void set_console(console::Console* console) { console_ = console; }
  void set_terminated() { terminated_ = true; }

  double rate() const override { return engine_.rate(); }
  void SetRate(double rate) override { engine_.SetRate(rate); }
  bool users_mode() const override { return engine_.users_mode(); }
  uint64_t users() const override { return engine_.users(); }
  void SetUsers(uint64_t users) override { engine_.SetUsers(users); }
  bool paused() const override { return engine_.paused(); }
  void SetPaused(bool paused) override { engine_.SetPaused(paused); }
  void SetCallLimit(uint64_t limit) override { engine_.SetCallLimit(limit); }
  void Quit() override { engine_.StopNewCalls(); }
  void QuitNow() override { engine_.AbortAll(); }
  void DumpScreens() override {
    if (console_ != nullptr) (void)console_->DumpScreens();
  }
  absl::Status SetTrace(std::string_view kind, bool on) override {
    // SIPp's names for the traces its commands switch.
    static constexpr std::pair<std::string_view, trace::TraceKind> kKinds[] = {
        {"error", trace::TraceKind::kErrors},
        {"logs", trace::TraceKind::kLogs},
        {"messages", trace::TraceKind::kMessages},
        {"shortmessages", trace::TraceKind::kShortMessages}};
    for (const auto& [name, trace_kind] : kKinds) {
      if (name != kind) continue;
      if (traces_ == nullptr) return absl::FailedPreconditionError("no traces in this run");
      traces_->SetEnabled(trace_kind, on);
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(
        base::Cat("trace ", kind, ": error, logs, messages or shortmessages expected"));
  }
  void ResetStats() override { screen_stats_.ResetStats(engine_.Snapshot()); }
  std::string DumpTasks() override {
    return base::Cat(engine_.worker_count(), " workers, ", engine_.OpenCalls(), " calls open",
                     engine_.paused() ? ", paused" : "", engine_.stopping() ? ", stopping" : "");
  }
  std::string DumpVariables() override {
    std::string names;
    for (const auto& [name, variable] : engine_.scenario().variables) base::Append(&names, " ", name);
    return names.empty() ? "No variables" : base::Cat("Variables:", names);
  }

  // What the screens show now, from the engine's live state.
  screen::ScreenInput ScreenInputNow() {
    screen::ScreenInput input;
    screen_stats_.Fill(engine_.Snapshot(), engine_.OpenCalls(), clock_.NowMicros(),
                       clock_.WallMicros(), &input);
    input.scenario = &engine_.scenario();
    input.rate = engine_.rate();
    input.rate_period_ms = options_.rate_period_ms;
    input.users_mode = engine_.users_mode();
    input.users = static_cast<int64_t>(engine_.users());
    input.call_duration_ms = options_.duration_ms;
    input.call_limit = engine_.call_limit();
    input.max_calls = options_.max_calls;
    input.paused = engine_.paused();
    input.quitting = engine_.stopping();
    input.terminated = terminated_;
    const runtime::EngineConfig& config = engine_.config();
    input.transport = std::string(config.transport_name());
    input.local_port = engine_.local_address().port();
    input.local_address = base::Cat(config.local_ip_for_uri, ":", input.local_port);
    if (engine_.scenario().mode == scenario::Mode::kClient) {
      input.remote_address = base::Cat(config.remote.ip_for_uri(), ":", config.remote.port());
    }
    input.send_errors = engine_.SendErrors();
    input.workers = engine_.worker_count();
    input.scheduler_resolution_ms = options_.timer_resolution_ms;
    return input;
  }

 private:
  runtime::Engine& engine_;
  trace::TraceSet* traces_;
  const cli::Options& options_;
  const base::Clock& clock_;
  console::ScreenStats screen_stats_;
  console::Console* console_ = nullptr;
  bool terminated_ = false;
};

// -rate_increase: every -rate_interval the rate goes up; past -rate_max the
// run quits (SIPp's behaviour) unless -no_rate_quit holds it at the maximum.
void IncreaseRate(const cli::Options& options, runtime::Engine& engine) {
  double rate = engine.rate() + options.rate_increase;
  if (options.rate_max > 0 && rate > options.rate_max) {
    rate = options.rate_max;
    if (!options.no_rate_quit) engine.StopNewCalls();
  }
  engine.SetRate(rate);
}

// The rate asked in calls per second (-r per -rp); 0 in -users mode.
double CallsPerSecondAsked(const runtime::Engine& engine, const cli::Options& options) {
  if (engine.users_mode()) return 0;
  return engine.rate() * 1000.0 / static_cast<double>(options.rate_period_ms);
}

// The merged figures of the run now, for the results outputs.
results::SourceSnapshot ResultsSnapshot(const runtime::Engine& engine,
                                        const cli::Options& options) {
  return {"", engine.Snapshot(), engine.OpenCalls(), CallsPerSecondAsked(engine, options)};
}

// Runs the engine until it is done, a signal or a key stops it, or -timeout
// expires; keeps the screens and the control socket alive and writes
// periodic statistics on the way.
RunOutcome Supervise(runtime::Engine& engine, const cli::Options& options, const base::Clock& clock,
                     stats::StatFile* stat_file, const sigset_t& signals, console::Console* console,
                     summary::RunResults* results) {
  RunOutcome outcome;
  const int64_t start_ms = clock.NowMillis();
  int64_t next_stat_ms = start_ms + options.stat_period_ms;
  const int64_t rate_interval_ms =
      options.rate_interval_ms > 0 ? options.rate_interval_ms : options.stat_period_ms;
  int64_t next_increase_ms = start_ms + rate_interval_ms;
  while (!engine.Done()) {
    timespec wait{0, 10'000'000};
    int signal_number = sigtimedwait(&signals, nullptr, &wait);
    if (signal_number == SIGINT || signal_number == SIGTERM) {
      engine.AbortAll();  // like SIPp's Ctrl-C / Q: stop now
    } else if (signal_number == SIGUSR1) {
      engine.StopNewCalls();  // like SIPp's q: let running calls end
    } else if (signal_number == SIGUSR2 && console != nullptr) {
      (void)console->DumpScreens();
    }
    if (!outcome.forced_exit.has_value()) {
      outcome.forced_exit = engine.forced_exit();
      if (outcome.forced_exit.has_value()) engine.AbortAll();  // SIPp exits at once
    }
    int64_t now = clock.NowMillis();
    if (console != nullptr) console->PressKeys(results->TakeKeys());  // -web_control
    if (console != nullptr) console->Poll(now);
    // -timeout: no new calls, the run ends when the calls in progress do
    // (SIPp 3.6.1); with -timeout_error it ends at once, as a failure.
    if (options.timeout_ms > 0 && now - start_ms >= options.timeout_ms && !outcome.timed_out) {
      outcome.timed_out = true;
      if (options.timeout_error) {
        engine.AbortAll();
      } else {
        engine.StopNewCalls();
      }
    }
    if (options.rate_increase > 0 && now >= next_increase_ms && !engine.stopping()) {
      IncreaseRate(options, engine);
      next_increase_ms += rate_interval_ms;
    }
    if (stat_file != nullptr && now >= next_stat_ms) {
      stat_file->WriteRow(engine.Snapshot(), clock.WallMicros(), engine.rate());
      next_stat_ms += options.stat_period_ms;
    }
    // Results: timeline, thresholds (:abort ends the run as Q does), /metrics.
    if (int64_t now_us = clock.NowMicros(); results->PeriodDue(now_us)) {
      if (results->OnPeriod(ResultsSnapshot(engine, options), {}, now_us, engine.paused())) {
        engine.AbortAll();
      }
    }
    // Traces: periodic rows (-trace_counts) every -fd.
    if (trace::TraceSet* traces = engine.traces();
        traces != nullptr && traces->PeriodDue(clock.WallMicros())) {
      traces->OnStatPeriod(engine.Snapshot(), clock.WallMicros());
    }
  }
  return outcome;
}

// -bg: the run goes on in a detached child; the parent prints the child's
// PID and exits as SIPp's does (99). Called before any thread exists;
// returns in the child (or, when fork fails, in the foreground).
void Detach() {
  std::fflush(stdout);
  pid_t child = fork();
  if (child < 0) return;  // cannot fork: run in the foreground
  if (child > 0) {
    std::printf("Background mode - PID=[%d]\n", static_cast<int>(child));
    std::fflush(stdout);
    std::_Exit(kExitNoCalls);
  }
  setsid();
  // SIPp's child lets go of all three streams, so `pid=$(sipp ... -bg 2>&1)`
  // returns at once: whoever reads them sees end-of-file when the parent exits.
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd >= 0) {
    dup2(null_fd, STDIN_FILENO);
    dup2(null_fd, STDOUT_FILENO);
    dup2(null_fd, STDERR_FILENO);
    close(null_fd);
  }
}

// SIPp's exit code for the run, and why (for the summary and the report).
struct Exit {
  int code;
  std::string reason;
};

Exit ExitOf(const stats::Snapshot& totals, const RunOutcome& outcome,
            const cli::Options& options) {
  if (outcome.forced_exit.has_value()) {
    return {outcome.forced_exit->exit_code, outcome.forced_exit->message};
  }
  const uint64_t successful = totals.Get(stats::Counter::kSuccessfulCall);
  const uint64_t failed = totals.Get(stats::Counter::kFailedCall);
  if (outcome.timed_out && options.timeout_error) {
    return {kExitFatal, "-timeout reached (-timeout_error)"};
  }
  if (outcome.timed_out && successful == 0 && failed == 0) {
    return {kExitTimeoutNoCalls, "-timeout reached before any call ended"};
  }
  if (failed > 0) return {kExitCallsFailed, "some calls failed"};
  return {kExitOk, outcome.timed_out ? "-timeout reached" : "all calls successful"};
}

// What the media plane did, when it did anything.
void PrintMedia(const runtime::MediaReport& media) {
  if (media.packets_sent > 0) {
    std::printf(
        "sipfleet: media: %llu RTP packets sent (%llu bytes), %llu send errors, lateness "
        "p50 %llu us, p99 %llu us, max %llu us\n",
        static_cast<unsigned long long>(media.packets_sent),
        static_cast<unsigned long long>(media.bytes_sent),
        static_cast<unsigned long long>(media.send_errors),
        static_cast<unsigned long long>(media.lateness_us.ValueAtPercentile(50)),
        static_cast<unsigned long long>(media.lateness_us.ValueAtPercentile(99)),
        static_cast<unsigned long long>(media.lateness_us.max()));
  }
  if (media.echoed_packets > 0 || media.echo_truncated > 0) {
    std::printf(
        "sipfleet: rtp echo: %llu packets echoed, %llu over -mb dropped, %llu muted by "
        "<rtp_echo>\n",
        static_cast<unsigned long long>(media.echoed_packets),
        static_cast<unsigned long long>(media.echo_truncated),
        static_cast<unsigned long long>(media.echo_muted));
  }
}

// How late retransmission and pause timers fired (p50/p99/max, ms).
void PrintTimerLateness(const runtime::TimerLateness& lateness) {
  std::string line;
  auto add = [&line](std::string_view what, const stats::Histogram& h) {
    if (h.count() == 0) return;
    char text[160];
    std::snprintf(text, sizeof(text), " %llu %.*s late p50/p99/max %.3f/%.3f/%.3f ms;",
                  static_cast<unsigned long long>(h.count()), static_cast<int>(what.size()),
                  what.data(), static_cast<double>(h.ValueAtPercentile(50)) / 1000,
                  static_cast<double>(h.ValueAtPercentile(99)) / 1000,
                  static_cast<double>(h.max()) / 1000);
    line.append(text);
  };
  add("retransmission timers", lateness.retransmissions_us);
  add("pauses", lateness.pauses_us);
  if (!line.empty()) std::printf("sipfleet: timers:%s\n", line.c_str());
}

// Our own transport counters (no SIPp CSV column), printed when non-zero.
void PrintTransportCounters(const stats::Snapshot& totals) {
  using stats::Counter;
  std::string line;
  for (size_t i = 0; i < stats::kNumCounters; ++i) {
    const auto c = static_cast<Counter>(i);
    if (!results::IsTransportErrorCounter(c)) continue;
    if (uint64_t n = totals.Get(c); n > 0) base::Append(&line, " ", stats::CounterName(c), "=", n);
  }
  if (!line.empty()) std::printf("sipfleet: transport:%s\n", line.c_str());
}

int Run(const std::vector<std::string>& args) {
  absl::StatusOr<cli::Options> parsed = cli::ParseCommandLine(args);
  if (!parsed.ok()) return Fail(parsed.status().message());
  const cli::Options& options = *parsed;
  if (options.help) {
    std::cout << cli::HelpText("sipfleet");
    return kExitNoCalls;
  }
  if (options.version) {
    std::cout << kVersion << "\n";
    return kExitNoCalls;
  }
  if (!options.dump_scenario.empty()) {
    std::optional<std::string_view> xml = scenario::EmbeddedScenario(options.dump_scenario);
    if (!xml) return Fail(base::Cat("invalid default scenario name '", options.dump_scenario, "'"));
    std::cout << *xml;
    return kExitNoCalls;
  }

  absl::StatusOr<std::shared_ptr<const scenario::Scenario>> scenario = setup::LoadScenarioFor(options);
  if (!scenario.ok()) return Fail(scenario.status().message());
  absl::StatusOr<runtime::EngineConfig> config = setup::BuildEngineConfig(options, **scenario);
  if (!config.ok()) return Fail(config.status().message());
  std::unique_ptr<tls::TlsContext> tls_context;
  if (config->transport == runtime::EngineConfig::Transport::kTls) {
    absl::StatusOr<std::unique_ptr<tls::TlsContext>> made = setup::MakeTlsContext(options, **scenario);
    if (!made.ok()) return Fail(made.status().message());
    tls_context = *std::move(made);
    config->tls = tls_context.get();
  }
  if (options.background) {
    // Before any thread exists; the files are named after the child.
    Detach();
    config->pid = static_cast<int>(getpid());
    if (options.seed == 0) config->rng_seed = static_cast<uint64_t>(config->pid);
  }

  // The -trace_* files.
  base::SystemClock trace_clock;
  absl::StatusOr<std::unique_ptr<trace::TraceSet>> trace_set = trace::TraceSet::Open(
      trace::TraceConfigFromOptions(options), **scenario, config->pid, trace_clock);
  if (!trace_set.ok()) return Fail(trace_set.status().message());
  // The 3PCC twin channel (-3pcc, -master, -slave).
  std::unique_ptr<twin::TwinHub> twin_hub;  // outlives the engine
  if (absl::Status status = runtime::SetUpTwin(
          {options.three_pcc, options.master, options.slave, options.slave_cfg}, **scenario,
          &*config, &twin_hub);
      !status.ok()) {
    return Fail(status.message());
  }
  absl::StatusOr<std::vector<std::shared_ptr<injection::InjectionFile>>> injection_files =
      setup::LoadInjectionFiles(options, **scenario);
  if (!injection_files.ok()) return Fail(injection_files.status().message());

  // Signals are taken synchronously by the supervising thread; workers
  // inherit the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer closing a TCP/TLS connection must not kill the run (OpenSSL
  // writes with plain send()); the write error is handled where it occurs.
  signal(SIGPIPE, SIG_IGN);

  base::SystemClock clock;
  runtime::EngineResources resources;
  resources.injection_files = *std::move(injection_files);
  resources.traces = trace_set->get();
  resources.commands = twin_hub.get();
  absl::StatusOr<std::unique_ptr<runtime::Engine>> engine =
      runtime::Engine::Create(*config, *scenario, clock, std::move(resources));
  if (!engine.ok()) {
    return Fail(engine.status().message(),
                absl::IsFailedPrecondition(engine.status()) ? kExitBindError : kExitFatal);
  }
  const int64_t start_wall_us = clock.WallMicros();
  const int64_t start_us = clock.NowMicros();
  std::unique_ptr<stats::StatFile> stat_file;
  if (options.trace_stat) {
    std::string path = options.stat_file.empty()
                           ? stats::DefaultStatFileName((*scenario)->stem, config->pid)
                           : options.stat_file;
    absl::StatusOr<std::unique_ptr<stats::StatFile>> opened = stats::StatFile::Open(
        path, runtime::StatsLayoutFor(**scenario), setup::StatCsvOptionsFor(options), start_wall_us);
    if (!opened.ok()) return Fail(opened.status().message());
    stat_file = std::move(*opened);
    stat_file->WriteRow((*engine)->Snapshot(), start_wall_us, (*engine)->rate());
  }

  // -summary_json, -threshold, -metrics, -report_html, -web (issue 13).
  absl::StatusOr<std::unique_ptr<summary::RunResults>> results = summary::RunResults::Create(
      options, **scenario, {"sipfleet", kVersion, args, start_us, start_wall_us});
  if (!results.ok()) return Fail(results.status().message());

  StandaloneRun run(**engine, trace_set->get(), options, clock);
  absl::StatusOr<std::unique_ptr<console::Console>> console = console::Console::Create(
      console::ConsoleOptionsFor(options, (*scenario)->stem, config->pid), &run,
      [&run] { return run.ScreenInputNow(); });
  if (!console.ok()) return Fail(console.status().message());
  run.set_console(console->get());
  if (options.sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(options.sleep_ms));

  (*engine)->Start();
  RunOutcome outcome = Supervise(**engine, options, clock, stat_file.get(), signals,
                                 console->get(), results->get());
  (*engine)->Join();
  run.set_terminated();
  if (options.trace_screen) {
    if (absl::Status dumped = (*console)->DumpScreens(); !dumped.ok()) Fail(dumped.message());
  }
  (*console)->Finish();
  stats::Snapshot totals = (*engine)->Snapshot();
  if (stat_file) {
    // SIPp ends the file with two rows: the last period, then an empty one.
    stat_file->WriteRow(totals, clock.WallMicros(), (*engine)->rate());
    stat_file->WriteRow(totals, clock.WallMicros(), (*engine)->rate());
  }

  // Traces: final rows and flush.
  (*trace_set)->Close(totals);
  if (uint64_t dropped = (*trace_set)->dropped(); dropped > 0) {
    std::printf("sipfleet: traces: %llu entries dropped (trace buffers full)\n",
                static_cast<unsigned long long>(dropped));
  }
  if (absl::Status status = (*trace_set)->status(); !status.ok()) Fail(status.message());
  Exit exit = ExitOf(totals, outcome, options);
  int code = (*results)->Finish(ResultsSnapshot(**engine, options), {}, clock.NowMicros(),
                                 clock.WallMicros(), exit.code, std::move(exit.reason));
  if (outcome.forced_exit.has_value()) {
    std::cerr << "sipfleet: " << outcome.forced_exit->message << "\n";
  }
  if (std::string error = (*engine)->FirstTransportError(); !error.empty()) {
    std::cerr << "sipfleet: first transport error: " << error << "\n";
  }
  double seconds = static_cast<double>(clock.NowMicros() - start_us) / 1e6;
  uint64_t created = totals.TotalCallsCreated();
  std::printf(
      "sipfleet: %s: %llu calls, %llu successful, %llu failed, %llu retransmissions, "
      "%llu unexpected-or-malformed, %.3f s, %.1f calls/s, %d workers, exit %d\n",
      (*scenario)->stem.c_str(), static_cast<unsigned long long>(created),
      static_cast<unsigned long long>(totals.Get(stats::Counter::kSuccessfulCall)),
      static_cast<unsigned long long>(totals.Get(stats::Counter::kFailedCall)),
      static_cast<unsigned long long>(totals.Get(stats::Counter::kRetransmissions)),
      static_cast<unsigned long long>(totals.Get(stats::Counter::kFailedUnexpectedMessage) +
                                      totals.Get(stats::Counter::kMalformedMessages)),
      seconds, seconds > 0 ? static_cast<double>(created) / seconds : 0.0,
      (*engine)->worker_count(), code);
  if (uint64_t late = totals.Get(stats::Counter::kLateCalls); late > 0) {
    std::printf("sipfleet: cannot keep up: %llu calls started more than 100 ms after their due "
                "time (rate asked %.1f calls/s)\n",
                static_cast<unsigned long long>(late), CallsPerSecondAsked(**engine, options));
  }
  PrintTransportCounters(totals);
  PrintTimerLateness((*engine)->Lateness());
  if (uint64_t rejected = (*console)->controller().rejected(); rejected > 0) {
    std::printf("sipfleet: control: %llu keys or commands not understood (last: %s)\n",
                static_cast<unsigned long long>(rejected),
                (*console)->controller().status().c_str());
  }
  PrintMedia((*engine)->Media());
  std::fflush(stdout);
  return code;
}

}  // namespace
}  // namespace sipfleet

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return sipfleet::Run(args);
}
