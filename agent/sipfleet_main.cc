// sipfleet: SIPp's command line, scenarios and outputs on sipfleet's engine.
// main() is the only place that exits; everything below returns Status.

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
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
#include "common/control/controller.h"
#include "common/injection/injection_file.h"
#include "common/runtime/engine.h"
#include "common/scenario/embedded.h"
#include "common/scenario/loader.h"
#include "common/stats/stat_csv.h"
#include "common/trace/trace_options.h"
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

absl::StatusOr<std::shared_ptr<const scenario::Scenario>> LoadScenarioFor(
    const cli::Options& options) {
  scenario::LoadOptions load_options;
  for (const auto& [name, value] : options.keys) load_options.generic_keys[name] = value;
  load_options.injection_files = options.injection_files;
  for (const auto& [name, value] : options.set_variables) {
    load_options.global_variables.push_back(name);
  }
  // Media files: the scenario's folder (added by the loader), the working
  // folder, $SIPFLEET_DATA_DIR, then the installed data folder.
  load_options.rtp_payload = options.rtp_payload;
  if (const char* data_dir = std::getenv("SIPFLEET_DATA_DIR"); data_dir != nullptr && *data_dir) {
    load_options.media_search_dirs.push_back(data_dir);
  }
  load_options.media_search_dirs.push_back(SIPFLEET_INSTALL_DATA_DIR);
  if (!options.scenario_file.empty()) {
    return scenario::LoadScenarioFile(options.scenario_file, load_options);
  }
  std::string name = options.scenario_name.empty() ? "uac" : options.scenario_name;
  std::optional<std::string_view> xml = scenario::EmbeddedScenario(name);
  if (!xml) {
    std::string names;
    for (std::string_view n : scenario::EmbeddedScenarioNames()) base::Append(&names, " ", n);
    return absl::InvalidArgumentError(
        base::Cat("invalid default scenario name '", name, "'; available:", names));
  }
  return scenario::LoadScenario(*xml, name, load_options);
}

// The source address the kernel would use toward `remote` (SIPp uses the
// host's primary address; the routed source is the right one on multi-homed
// hosts and on loopback).
std::string RoutedSourceIp(const transport::SocketAddress& remote) {
  int fd = socket(remote.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return remote.is_ipv6() ? "::1" : "127.0.0.1";
  std::string ip = remote.is_ipv6() ? "::1" : "127.0.0.1";
  if (connect(fd, remote.sockaddr_ptr(), remote.length()) == 0) {
    transport::SocketAddress local;
    socklen_t len = sizeof(sockaddr_storage);
    if (getsockname(fd, local.mutable_sockaddr(), &len) == 0) {
      local.set_length(len);
      ip = local.ip();
    }
  }
  close(fd);
  return ip;
}

// -t and its companions. The TLS context is attached by the caller.
void ApplyTransport(const cli::Options& options, runtime::EngineConfig* config) {
  using Transport = runtime::EngineConfig::Transport;
  const char kind = options.transport[0];
  config->transport = kind == 't' ? Transport::kTcp : kind == 'l' ? Transport::kTls : Transport::kUdp;
  config->socket_per_call = options.transport[1] == 'n';
  config->socket_per_ip = options.transport[1] == 'i';
  config->ip_field = options.ip_field;
  config->max_socket = options.max_socket;
  config->max_reconnect = options.max_reconnect;
  config->reconnect_close = options.reconnect_close;
  config->reconnect_sleep_ms = options.reconnect_sleep_ms;
  config->bind_source = !options.local_ip.empty();
  config->bind_to_device = options.bind_to_device;
  config->max_message_bytes = static_cast<size_t>(options.max_message_bytes);
}

absl::StatusOr<std::unique_ptr<tls::TlsContext>> MakeTlsContext(const cli::Options& options,
                                                                const scenario::Scenario& scenario) {
  tls::TlsOptions tls;
  tls.cert_file = options.tls_cert;
  tls.key_file = options.tls_key;
  tls.cert_given = options.tls_cert_given;
  tls.ca_file = options.tls_ca;
  tls.crl_file = options.tls_crl;
  tls.version = options.tls_version;
  return tls::TlsContext::Create(
      tls, scenario.mode == scenario::Mode::kServer ? tls::Role::kServer : tls::Role::kClient);
}

absl::StatusOr<runtime::EngineConfig> BuildConfig(const cli::Options& options,
                                                  const scenario::Scenario& scenario) {
  runtime::EngineConfig config;
  if (options.remote_host_port.empty() && scenario.mode == scenario::Mode::kClient) {
    return absl::InvalidArgumentError(
        "a remote host is needed for a client scenario: sipfleet remote_host[:port] ...");
  }
  std::string remote = options.remote_host_port.empty() ? "127.0.0.1" : options.remote_host_port;
  absl::StatusOr<transport::SocketAddress> resolved =
      transport::SocketAddress::ResolveHostPort(remote, 5060);
  if (!resolved.ok()) return resolved.status();
  config.remote = *resolved;
  config.remote_host = remote.substr(0, remote.rfind(':') == std::string::npos || remote[0] == '['
                                            ? remote.find(']') + 1
                                            : remote.rfind(':'));
  if (config.remote_host.empty()) config.remote_host = remote;

  std::string local_ip =
      options.local_ip.empty() ? RoutedSourceIp(config.remote) : options.local_ip;
  absl::StatusOr<transport::SocketAddress> local = transport::SocketAddress::Resolve(local_ip, 0);
  if (!local.ok()) return local.status();
  config.local_ip_for_uri = local->ip_for_uri();
  config.local = options.bind_local ? *local : transport::SocketAddress::Any(local->is_ipv6(), 0);
  config.local.set_port(static_cast<uint16_t>(options.local_port));
  config.local_port_given = options.local_port_given;
  config.media_ip = options.media_ip.empty() ? local->ip() : options.media_ip;
  config.media_ipv6 = config.media_ip.find(':') != std::string::npos;
  config.media_port = options.media_port;
  config.max_rtp_port = options.max_rtp_port;
  config.rtp_echo = options.rtp_echo;
  config.rtp_echo_buffer = options.rtp_echo_buffer;
  config.rtp_payload = options.rtp_payload;
  ApplyTransport(options, &config);
  config.service = options.service;
  config.pid = static_cast<int>(getpid());

  config.rate = options.rate;
  config.rate_period_ms = options.rate_period_ms;
  config.max_calls = options.max_calls;
  config.default_duration_ms = options.duration_ms;
  // SIPp's default -l: 3 x call duration (s) x rate; 0 (no limit) for -d 0.
  config.users = options.users;
  // -users keeps its calls open whatever the rate; only -l limits them.
  config.call_limit = options.call_limit_given || options.users > 0
                          ? options.call_limit
                          : static_cast<uint64_t>(3.0 * options.duration_ms / 1000.0 *
                                                  options.rate * 1000.0 / options.rate_period_ms);
  config.global_timeout_ms = options.timeout_ms;
  config.timeout_error = options.timeout_error;
  config.retransmissions = !options.no_retrans;
  config.max_invite_retrans = options.max_invite_retrans;
  config.max_non_invite_retrans = options.max_non_invite_retrans;
  config.t2_ms = options.t2_ms;
  config.recv_timeout_ms = options.recv_timeout_ms;
  config.deadcall_wait_ms = options.deadcall_wait_ms;
  config.default_behaviors = options.default_behaviors;
  config.base_cseq = options.base_cseq;
  config.buffer_bytes = options.buffer_bytes;
  config.tick_micros = options.timer_resolution_ms * 1000;
  unsigned cores = std::thread::hardware_concurrency();
  config.workers = options.workers > 0 ? options.workers : static_cast<int>(cores ? cores : 1);
  config.rng_seed = options.seed ? options.seed : static_cast<uint64_t>(config.pid);
  config.auth_username = options.auth_username;
  config.auth_password = options.auth_password;
  config.auth_uri = options.auth_uri;
  config.auto_answer = options.auto_answer;
  config.out_of_call = options.ooc_scenario_name.empty() ? runtime::EngineConfig::OutOfCall::kDiscard
                       : options.ooc_scenario_name == "ooc_dummy"
                           ? runtime::EngineConfig::OutOfCall::kAbsorb
                           : runtime::EngineConfig::OutOfCall::kAnswer;
  config.dynamic_start = options.dynamic_start;
  config.dynamic_step = options.dynamic_step;
  config.dynamic_max = options.dynamic_max;
  config.set_variables = options.set_variables;
  config.rtt_freq = options.rtt_freq;
  return config;
}

// Writes SIPp's -trace_stat file: a header, a row every -fd, a final row.
stats::StatCsvOptions CsvOptions(const cli::Options& options) {
  stats::StatCsvOptions csv;
  csv.delimiter = options.stat_delimiter;
  csv.periodic_rtd = options.periodic_rtd;
  return csv;
}

class StatFile {
 public:
  static absl::StatusOr<std::unique_ptr<StatFile>> Open(const std::string& path,
                                                        const stats::ShardLayout& layout,
                                                        const cli::Options& options,
                                                        int64_t start_wall_us) {
    auto file = std::unique_ptr<StatFile>(new StatFile(layout, options, start_wall_us));
    file->out_.open(path, std::ios::trunc);
    if (!file->out_) return absl::InvalidArgumentError(base::Cat("cannot write ", path));
    file->out_ << file->writer_.HeaderRow();
    file->previous_ = stats::EmptySnapshot(layout);
    return file;
  }

  // `target_rate`: the rate asked for now (it changes with keys and
  // -rate_increase).
  void WriteRow(const stats::Snapshot& now, int64_t wall_us, double target_rate) {
    stats::Snapshot periodic = stats::Delta(now, previous_);
    stats::RowInput row;
    row.start_wall_micros = start_wall_us_;
    row.last_reset_wall_micros = last_reset_wall_us_;
    row.current_wall_micros = wall_us;
    row.target_rate = target_rate;
    row.cumulative = &now;
    row.periodic = &periodic;
    row.periodic_elapsed_micros = wall_us - last_reset_wall_us_;
    row.cumulative_elapsed_micros = wall_us - start_wall_us_;
    out_ << writer_.Row(row);
    out_.flush();
    previous_ = now;
    last_reset_wall_us_ = wall_us;
  }

 private:
  StatFile(const stats::ShardLayout& layout, const cli::Options& options, int64_t start_wall_us)
      : writer_(layout, CsvOptions(options)),
        start_wall_us_(start_wall_us),
        last_reset_wall_us_(start_wall_us) {}

  stats::StatCsvWriter writer_;
  std::ofstream out_;
  stats::Snapshot previous_;
  int64_t start_wall_us_;
  int64_t last_reset_wall_us_;
};

struct RunOutcome {
  bool timed_out = false;
  std::optional<runtime::ForcedExit> forced_exit;  // <error>, int_cmd=stop_now
};

// Loads the -inf files, builds -infindex indexes and freezes the files no
// insert/replace action writes to (reads then take no lock).
absl::StatusOr<std::vector<std::shared_ptr<injection::InjectionFile>>> LoadInjectionFiles(
    const cli::Options& options, const scenario::Scenario& scenario) {
  std::vector<std::shared_ptr<injection::InjectionFile>> files;
  for (const std::string& path : options.injection_files) {
    absl::StatusOr<std::shared_ptr<injection::InjectionFile>> file =
        injection::InjectionFile::Load(path);
    if (!file.ok()) return file.status();
    for (const std::string& warning : (*file)->warnings()) {
      std::cerr << "sipfleet: warning: " << warning << "\n";
    }
    files.push_back(*std::move(file));
  }
  for (const auto& [path, field] : options.injection_index) {
    auto it = std::find(options.injection_files.begin(), options.injection_files.end(), path);
    if (it == options.injection_files.end()) {
      return absl::InvalidArgumentError(base::Cat("-infindex ", path, ": not given with -inf"));
    }
    absl::Status status = files[it - options.injection_files.begin()]->BuildIndex(field);
    if (!status.ok()) return status;
  }
  std::vector<bool> written(files.size(), false);
  for (const scenario::Element& element : scenario.elements) {
    for (const scenario::Action& action : element.actions) {
      if (action.kind == scenario::ActionKind::kLookup && !files[action.file]->indexed()) {
        return absl::InvalidArgumentError(
            base::Cat(scenario.file_name, ":", action.line, ": <lookup> on ",
                      files[action.file]->path(), " needs -infindex"));
      }
      if (action.kind == scenario::ActionKind::kInsert ||
          action.kind == scenario::ActionKind::kReplace) {
        written[action.file] = true;
      }
    }
  }
  for (size_t i = 0; i < files.size(); ++i) {
    if (!written[i]) files[i]->Freeze();
  }
  return files;
}

// The run as SIPp's keys and control commands see it (control::RunControl):
// the engine, plus what only the display keeps (a statistics baseline for
// "reset stats").
class StandaloneRun : public control::RunControl {
 public:
  StandaloneRun(runtime::Engine& engine, trace::TraceSet* traces)
      : engine_(engine), traces_(traces) {}
  void set_console(console::Console* console) { console_ = console; }

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
  void ResetStats() override { baseline_ = engine_.Snapshot(); }
  std::string DumpTasks() override {
    return base::Cat(engine_.worker_count(), " workers, ", engine_.OpenCalls(), " calls open",
                     engine_.paused() ? ", paused" : "", engine_.stopping() ? ", stopping" : "");
  }
  std::string DumpVariables() override {
    std::string names;
    for (const auto& [name, variable] : engine_.scenario().variables) base::Append(&names, " ", name);
    return names.empty() ? "No variables" : base::Cat("Variables:", names);
  }

  // Statistics since the start or the last "reset stats".
  stats::Snapshot Cumulative() const {
    stats::Snapshot now = engine_.Snapshot();
    return baseline_.counters == stats::Snapshot().counters ? now : stats::Delta(now, baseline_);
  }

 private:
  runtime::Engine& engine_;
  trace::TraceSet* traces_;
  console::Console* console_ = nullptr;
  stats::Snapshot baseline_;
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

// Runs the engine until it is done, a signal or a key stops it, or -timeout
// expires; keeps the screens and the control socket alive and writes
// periodic statistics on the way.
RunOutcome Supervise(runtime::Engine& engine, const cli::Options& options, const base::Clock& clock,
                     StatFile* stat_file, const sigset_t& signals, console::Console* console) {
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
    // Traces (issue 5): periodic rows (-trace_counts) every -fd.
    // [trace periodic]
    if (trace::TraceSet* traces = engine.traces();
        traces != nullptr && traces->PeriodDue(clock.WallMicros())) {
      traces->OnStatPeriod(engine.Snapshot(), clock.WallMicros());
    }
  }
  return outcome;
}

// What the screens show, from the engine's live state. Periodic values run
// from one display period (-f) to the next.
class ScreenFeed {
 public:
  ScreenFeed(const runtime::Engine& engine, const StandaloneRun& run, const cli::Options& options,
             const base::Clock& clock)
      : engine_(engine), run_(run), options_(options), clock_(clock),
        start_us_(clock.NowMicros()), start_wall_us_(clock.WallMicros()),
        period_start_us_(start_us_), period_start_wall_us_(start_wall_us_) {}

  void set_terminated() { terminated_ = true; }

  screen::ScreenInput Input() {
    screen::ScreenInput input;
    const int64_t now_us = clock_.NowMicros();
    input.scenario = &engine_.scenario();
    input.cumulative = run_.Cumulative();
    if (period_start_.counters == stats::Snapshot().counters && period_start_.messages.empty()) {
      period_start_ = stats::EmptySnapshot(runtime::StatsLayoutFor(engine_.scenario()));
    }
    input.periodic = stats::Delta(input.cumulative, period_start_);
    input.elapsed_us = now_us - start_us_;
    input.period_elapsed_us = now_us - period_start_us_;
    input.start_time_us = start_wall_us_;
    input.period_start_time_us = period_start_wall_us_;
    input.current_time_us = clock_.WallMicros();
    input.rate = engine_.rate();
    input.rate_period_ms = options_.rate_period_ms;
    input.users_mode = engine_.users_mode();
    input.users = static_cast<int64_t>(engine_.users());
    input.call_duration_ms = options_.duration_ms;
    input.open_calls = engine_.OpenCalls();
    if (input.open_calls > peak_calls_) {
      peak_calls_ = input.open_calls;
      peak_calls_elapsed_s_ = input.elapsed_us / 1'000'000;
    }
    input.peak_calls = peak_calls_;
    input.peak_calls_elapsed_s = peak_calls_elapsed_s_;
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
    // Calls wait on the loops' timers and sockets between events.
    input.waiting_calls = static_cast<int64_t>(input.open_calls);
    input.send_errors = engine_.SendErrors();
    input.workers = engine_.worker_count();
    input.refresh_period_ms = options_.screen_period_ms;
    input.scheduler_resolution_ms = options_.timer_resolution_ms;
    // A new display period starts once this one has lasted -f.
    if (input.period_elapsed_us >= options_.screen_period_ms * 1000) {
      period_start_ = input.cumulative;
      period_start_us_ = now_us;
      period_start_wall_us_ = input.current_time_us;
    }
    return input;
  }

 private:
  const runtime::Engine& engine_;
  const StandaloneRun& run_;
  const cli::Options& options_;
  const base::Clock& clock_;
  const int64_t start_us_;
  const int64_t start_wall_us_;
  stats::Snapshot period_start_;
  int64_t period_start_us_;
  int64_t period_start_wall_us_;
  uint64_t peak_calls_ = 0;
  int64_t peak_calls_elapsed_s_ = 0;
  bool terminated_ = false;
};

console::ConsoleOptions ConsoleOptionsFor(const cli::Options& options,
                                          const scenario::Scenario& scenario, int pid) {
  console::ConsoleOptions console;
  console.show_screens = !options.background;
  console.read_keys = !options.nostdin && !options.background;
  console.refresh_ms = options.screen_period_ms;
  console.rate_scale = options.rate_scale;
  console.control_port = options.control_port;
  console.control_ip = options.control_ip;
  console.screen_file = options.screen_file.empty()
                            ? base::Cat(scenario.stem, "_", pid, "_screen.log")
                            : options.screen_file;
  console.screen_overwrite = options.screen_overwrite;
  return console;
}

// -bg: the run goes on in a detached child; the parent prints the child's
// PID and exits as SIPp's does (99). Called before any thread exists.
// Returns true in the child.
bool Detach() {
  std::fflush(stdout);
  pid_t child = fork();
  if (child < 0) return true;  // cannot fork: run in the foreground
  if (child > 0) {
    std::printf("Background mode - PID=[%d]\n", static_cast<int>(child));
    std::fflush(stdout);
    std::_Exit(kExitNoCalls);
  }
  setsid();
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd >= 0) {
    dup2(null_fd, STDIN_FILENO);
    dup2(null_fd, STDOUT_FILENO);
    close(null_fd);
  }
  return true;
}

int ExitCode(const stats::Snapshot& totals, const RunOutcome& outcome,
             const cli::Options& options) {
  if (outcome.forced_exit.has_value()) return outcome.forced_exit->exit_code;
  uint64_t successful = totals.Get(stats::Counter::kSuccessfulCall);
  uint64_t failed = totals.Get(stats::Counter::kFailedCall);
  if (outcome.timed_out && options.timeout_error) return kExitFatal;
  if (outcome.timed_out && successful == 0 && failed == 0) return kExitTimeoutNoCalls;
  return failed > 0 ? kExitCallsFailed : kExitOk;
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

// Our own transport counters (no SIPp CSV column), printed when non-zero.
void PrintTransportCounters(const stats::Snapshot& totals) {
  using stats::Counter;
  std::string line;
  for (Counter c : {Counter::kOversizedDatagrams, Counter::kConnectFailures,
                    Counter::kConnectionResets, Counter::kTlsHandshakeFailures,
                    Counter::kTlsVerifyFailures, Counter::kFramingErrors}) {
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

  absl::StatusOr<std::shared_ptr<const scenario::Scenario>> scenario = LoadScenarioFor(options);
  if (!scenario.ok()) return Fail(scenario.status().message());
  absl::StatusOr<runtime::EngineConfig> config = BuildConfig(options, **scenario);
  if (!config.ok()) return Fail(config.status().message());
  std::unique_ptr<tls::TlsContext> tls_context;
  if (config->transport == runtime::EngineConfig::Transport::kTls) {
    absl::StatusOr<std::unique_ptr<tls::TlsContext>> made = MakeTlsContext(options, **scenario);
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

  // Traces (issue 5): open the trace files here.
  // [trace setup]
  base::SystemClock trace_clock;
  absl::StatusOr<std::unique_ptr<trace::TraceSet>> trace_set = trace::TraceSet::Open(
      trace::TraceConfigFromOptions(options), **scenario, config->pid, trace_clock);
  if (!trace_set.ok()) return Fail(trace_set.status().message());
  // 3PCC (issue 5): set up the twin channel here.
  // [3pcc setup]
  std::unique_ptr<twin::TwinHub> twin_hub;  // outlives the engine
  if (absl::Status status = runtime::SetUpTwin(
          {options.three_pcc, options.master, options.slave, options.slave_cfg}, **scenario,
          &*config, &twin_hub);
      !status.ok()) {
    return Fail(status.message());
  }
  absl::StatusOr<std::vector<std::shared_ptr<injection::InjectionFile>>> injection_files =
      LoadInjectionFiles(options, **scenario);
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
  // [trace resources]
  resources.traces = trace_set->get();
  // [3pcc resources]
  resources.commands = twin_hub.get();
  absl::StatusOr<std::unique_ptr<runtime::Engine>> engine =
      runtime::Engine::Create(*config, *scenario, clock, std::move(resources));
  if (!engine.ok()) {
    return Fail(engine.status().message(),
                absl::IsFailedPrecondition(engine.status()) ? kExitBindError : kExitFatal);
  }
  const int64_t start_wall_us = clock.WallMicros();
  const int64_t start_us = clock.NowMicros();
  std::unique_ptr<StatFile> stat_file;
  if (options.trace_stat) {
    std::string path = options.stat_file.empty()
                           ? stats::DefaultStatFileName((*scenario)->stem, config->pid)
                           : options.stat_file;
    absl::StatusOr<std::unique_ptr<StatFile>> opened =
        StatFile::Open(path, runtime::StatsLayoutFor(**scenario), options, start_wall_us);
    if (!opened.ok()) return Fail(opened.status().message());
    stat_file = std::move(*opened);
    stat_file->WriteRow((*engine)->Snapshot(), start_wall_us, (*engine)->rate());
  }

  StandaloneRun run(**engine, trace_set->get());
  ScreenFeed feed(**engine, run, options, clock);
  absl::StatusOr<std::unique_ptr<console::Console>> console = console::Console::Create(
      ConsoleOptionsFor(options, **scenario, config->pid), &run, [&feed] { return feed.Input(); });
  if (!console.ok()) return Fail(console.status().message());
  run.set_console(console->get());
  if (options.sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(options.sleep_ms));

  (*engine)->Start();
  RunOutcome outcome =
      Supervise(**engine, options, clock, stat_file.get(), signals, console->get());
  (*engine)->Join();
  feed.set_terminated();
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

  // Traces (issue 5): final rows and flush.
  // [trace final]
  (*trace_set)->Close(totals);
  if (uint64_t dropped = (*trace_set)->dropped(); dropped > 0) {
    std::printf("sipfleet: traces: %llu entries dropped (trace buffers full)\n",
                static_cast<unsigned long long>(dropped));
  }
  if (absl::Status status = (*trace_set)->status(); !status.ok()) Fail(status.message());
  int code = ExitCode(totals, outcome, options);
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
  PrintTransportCounters(totals);
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
