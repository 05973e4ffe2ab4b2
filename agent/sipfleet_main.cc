// sipfleet: SIPp's command line, scenarios and outputs on sipfleet's engine.
// main() is the only place that exits; everything below returns Status.

#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
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
#include "common/injection/injection_file.h"
#include "common/runtime/engine.h"
#include "common/scenario/embedded.h"
#include "common/scenario/loader.h"
#include "common/stats/stat_csv.h"
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
  config.call_limit = options.call_limit_given
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

  void WriteRow(const stats::Snapshot& now, int64_t wall_us) {
    stats::Snapshot periodic = stats::Delta(now, previous_);
    stats::RowInput row;
    row.start_wall_micros = start_wall_us_;
    row.last_reset_wall_micros = last_reset_wall_us_;
    row.current_wall_micros = wall_us;
    row.target_rate = rate_;
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
        rate_(options.rate),
        start_wall_us_(start_wall_us),
        last_reset_wall_us_(start_wall_us) {}

  stats::StatCsvWriter writer_;
  std::ofstream out_;
  stats::Snapshot previous_;
  double rate_;
  int64_t start_wall_us_;
  int64_t last_reset_wall_us_;
};

std::string OutputName(const scenario::Scenario& scenario, int pid, std::string_view suffix) {
  return base::Cat(scenario.stem, "_", pid, suffix);
}

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

// Runs the engine until it is done, a signal stops it, or -timeout expires;
// writes periodic statistics on the way.
RunOutcome Supervise(runtime::Engine& engine, const cli::Options& options, const base::Clock& clock,
                     StatFile* stat_file, const sigset_t& signals) {
  RunOutcome outcome;
  const int64_t start_ms = clock.NowMillis();
  int64_t next_stat_ms = start_ms + options.stat_period_ms;
  bool stopping = false;
  while (!engine.Done()) {
    timespec wait{0, 20'000'000};
    int signal_number = sigtimedwait(&signals, nullptr, &wait);
    if (signal_number == SIGINT || signal_number == SIGTERM) {
      engine.AbortAll();  // like SIPp's Ctrl-C / Q: stop now
      stopping = true;
    } else if (signal_number == SIGUSR1 && !stopping) {
      engine.StopNewCalls();  // like SIPp's q: let running calls end
      stopping = true;
    }
    if (!outcome.forced_exit.has_value()) {
      outcome.forced_exit = engine.forced_exit();
      if (outcome.forced_exit.has_value()) {
        engine.AbortAll();  // SIPp exits at once on ERROR and stop_now
        stopping = true;
      }
    }
    int64_t now = clock.NowMillis();
    if (options.timeout_ms > 0 && now - start_ms >= options.timeout_ms && !outcome.timed_out) {
      outcome.timed_out = true;
      engine.AbortAll();
    }
    if (stat_file != nullptr && now >= next_stat_ms) {
      stat_file->WriteRow(engine.Snapshot(), clock.WallMicros());
      next_stat_ms += options.stat_period_ms;
    }
    // Traces (issue 5): periodic rows (-trace_counts) every -fd.
    // [trace periodic]
  }
  return outcome;
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

  std::unique_ptr<runtime::TraceSink> error_trace;
  if (options.trace_err) {
    std::string path = options.error_file.empty()
                           ? OutputName(**scenario, config->pid, "_errors.log")
                           : options.error_file;
    absl::StatusOr<std::unique_ptr<runtime::TraceSink>> sink = runtime::TraceSink::Open(path);
    if (!sink.ok()) return Fail(sink.status().message());
    error_trace = std::move(*sink);
  }

  std::unique_ptr<runtime::TraceSink> log_trace;
  if (options.trace_logs) {
    std::string path = options.log_file.empty() ? OutputName(**scenario, config->pid, "_logs.log")
                                                : options.log_file;
    absl::StatusOr<std::unique_ptr<runtime::TraceSink>> sink = runtime::TraceSink::Open(path);
    if (!sink.ok()) return Fail(sink.status().message());
    log_trace = std::move(*sink);
  }
  std::unique_ptr<runtime::TraceSink> rtt_trace;
  if (options.trace_rtt) {
    absl::StatusOr<std::unique_ptr<runtime::TraceSink>> sink =
        runtime::TraceSink::Open(OutputName(**scenario, config->pid, "_rtt.csv"));
    if (!sink.ok()) return Fail(sink.status().message());
    rtt_trace = std::move(*sink);
    rtt_trace->Write("Date_ms;response_time_ms;rtd_no\n");
  }
  // Traces (issue 5): open the trace files here.
  // [trace setup]
  // 3PCC (issue 5): set up the twin channel here.
  // [3pcc setup]
  absl::StatusOr<std::vector<std::shared_ptr<injection::InjectionFile>>> injection_files =
      LoadInjectionFiles(options, **scenario);
  if (!injection_files.ok()) return Fail(injection_files.status().message());

  // Signals are taken synchronously by the supervising thread; workers
  // inherit the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGUSR1}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer closing a TCP/TLS connection must not kill the run (OpenSSL
  // writes with plain send()); the write error is handled where it occurs.
  signal(SIGPIPE, SIG_IGN);

  base::SystemClock clock;
  runtime::EngineResources resources;
  resources.error_trace = error_trace.get();
  resources.log_trace = log_trace.get();
  resources.rtt_trace = rtt_trace.get();
  resources.injection_files = *std::move(injection_files);
  // [trace resources]
  // [3pcc resources]
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
    stat_file->WriteRow((*engine)->Snapshot(), start_wall_us);
  }

  (*engine)->Start();
  RunOutcome outcome = Supervise(**engine, options, clock, stat_file.get(), signals);
  (*engine)->Join();
  stats::Snapshot totals = (*engine)->Snapshot();
  if (stat_file) {
    // SIPp ends the file with two rows: the last period, then an empty one.
    stat_file->WriteRow(totals, clock.WallMicros());
    stat_file->WriteRow(totals, clock.WallMicros());
  }

  // Traces (issue 5): final rows and flush.
  // [trace final]
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
