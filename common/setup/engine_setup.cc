#include "common/setup/engine_setup.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/scenario/embedded.h"
#include "common/scenario/field_use.h"
#include "common/scenario/loader.h"
#include "common/transport/socket_address.h"

namespace sipfleet::setup {
namespace {

// The source address the kernel would use toward `remote` (SIPp uses the
// host's primary address; the routed source is the right one on multi-homed
// hosts and on loopback).
std::string RoutedSourceIp(const transport::SocketAddress& remote) {
  int fd = socket(remote.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return remote.is_ipv6() ? "::1" : "127.0.0.1";
  std::string ip = remote.is_ipv6() ? "::1" : "127.0.0.1";
  if (connect(fd, remote.sockaddr_ptr(), remote.length()) == 0) {
    transport::SocketAddress local;
    socklen_t len = transport::SocketAddress::kCapacity;
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
  config->msg_read_timeout_ms = options.msg_read_timeout_ms;
  config->bind_source = !options.local_ip.empty();
  config->bind_to_device = options.bind_to_device;
  config->max_message_bytes = static_cast<size_t>(options.max_message_bytes);
  config->call_window = !options.no_call_window;
}

}  // namespace

scenario::LoadOptions ScenarioLoadOptions(const cli::Options& options) {
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
  return load_options;
}

namespace {

absl::StatusOr<std::shared_ptr<const scenario::Scenario>> LoadScenarioQuietly(
    const cli::Options& options) {
  const scenario::LoadOptions load_options = ScenarioLoadOptions(options);
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

}  // namespace

absl::StatusOr<std::shared_ptr<const scenario::Scenario>> LoadScenarioFor(
    const cli::Options& options) {
  absl::StatusOr<std::shared_ptr<const scenario::Scenario>> loaded = LoadScenarioQuietly(options);
  if (loaded.ok()) PrintWarnings(**loaded);
  return loaded;
}

void PrintWarnings(const scenario::Scenario& scenario) {
  for (const std::string& warning : scenario.warnings) fprintf(stderr, "%s\n", warning.c_str());
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

namespace {

// A <send> whose text is already too large before any keyword is expanded
// can never be sent: refused at load rather than failing every call.
absl::Status CheckMessageSizes(const scenario::Scenario& scenario,
                               const runtime::EngineConfig& config) {
  const size_t limit = config.max_send_bytes();
  for (const scenario::Element& element : scenario.elements) {
    if (element.kind != scenario::ElementKind::kSend || element.message == nullptr) continue;
    size_t literal = 0;
    for (const scenario::Segment& segment : element.message->segments()) {
      if (segment.keyword == scenario::Keyword::kLiteral) literal += segment.text.size();
    }
    if (literal <= limit) continue;
    return absl::InvalidArgumentError(base::Cat(
        scenario.file_name, ":", element.line, ": <send> is ", literal,
        " bytes before its keywords are expanded, more than ",
        config.stream() ? "-max_msg_size allows on TCP/TLS (" : "a UDP datagram takes (", limit,
        " bytes)"));
  }
  return absl::OkStatus();
}

}  // namespace

namespace {
// The remote host[:port] as given, 127.0.0.1 when none is.
std::string RemoteOrLoopback(const cli::Options& options) {
  return options.remote_host_port.empty() ? "127.0.0.1" : options.remote_host_port;
}
}  // namespace

absl::StatusOr<transport::SocketAddress> ResolveRemote(const cli::Options& options) {
  return transport::SocketAddress::ResolveHostPort(RemoteOrLoopback(options), 5060);
}

absl::StatusOr<runtime::EngineConfig> BuildEngineConfig(const cli::Options& options,
                                                  const scenario::Scenario& scenario) {
  // With no remote host this resolves 127.0.0.1, which cannot fail: the
  // overload below still refuses a client scenario first.
  absl::StatusOr<transport::SocketAddress> resolved = ResolveRemote(options);
  if (!resolved.ok()) return resolved.status();
  return BuildEngineConfig(options, scenario, *resolved);
}

absl::StatusOr<runtime::EngineConfig> BuildEngineConfig(const cli::Options& options,
                                                  const scenario::Scenario& scenario,
                                                  const transport::SocketAddress& resolved) {
  if (options.remote_host_port.empty() && scenario.mode == scenario::Mode::kClient) {
    return absl::InvalidArgumentError(
        "a remote host is needed for a client scenario: sipfleet remote_host[:port] ...");
  }
  runtime::EngineConfig config;
  const std::string remote = RemoteOrLoopback(options);
  config.remote = resolved;
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
  if (absl::Status sizes = CheckMessageSizes(scenario, config); !sizes.ok()) return sizes;
  return config;
}

// The -trace_stat file's options (-stat_delimiter, -periodic_rtd).
stats::StatCsvOptions StatCsvOptionsFor(const cli::Options& options) {
  stats::StatCsvOptions csv;
  csv.delimiter = options.stat_delimiter;
  csv.periodic_rtd = options.periodic_rtd;
  return csv;
}

// Loads the -inf files, builds -infindex indexes and freezes the files no
// insert/replace action writes to (reads then take no lock).
absl::Status IndexInjectionFiles(
    const cli::Options& options,
    const std::vector<std::shared_ptr<injection::InjectionFile>>& files) {
  const std::vector<std::string>& given = options.injection_files;
  for (const auto& [path, field] : options.injection_index) {
    // As SIPp: the -inf path, or its file name (-inf ../db/users.csv
    // -infindex users.csv 0).
    auto it = std::find(given.begin(), given.end(), path);
    if (it == given.end()) {
      // A named copy of the binding: clang 14 (the sanitizer and fuzz
      // builds) cannot capture a structured binding.
      const std::string& name = path;
      it = std::find_if(given.begin(), given.end(), [&name](const std::string& inf) {
        size_t slash = inf.rfind('/');
        return slash != std::string::npos && std::string_view(inf).substr(slash + 1) == name;
      });
    }
    if (it == given.end()) {
      return absl::InvalidArgumentError(base::Cat("-infindex ", path, ": not given with -inf"));
    }
    absl::Status status = files[it - given.begin()]->BuildIndex(field);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

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
  if (absl::Status status = IndexInjectionFiles(options, files); !status.ok()) return status;
  for (const scenario::FieldUse& use : scenario::WidestFieldUses(scenario)) {
    if (static_cast<size_t>(use.file) >= files.size()) continue;
    if (std::optional<std::string> warning = files[use.file]->ShortRecordsWarning(use.fields)) {
      std::cerr << "sipfleet: warning: " << *warning << " (" << scenario.file_name << ":"
                << use.line << ")\n";
    }
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

}  // namespace sipfleet::setup
