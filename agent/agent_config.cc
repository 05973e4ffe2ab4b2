#include "agent/agent_config.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/scenario/loader.h"

namespace sipfleet::agent {
namespace {

// The source address the kernel would use toward `remote` (as sipfleet).
std::string RoutedSourceIp(const transport::SocketAddress& remote) {
  std::string ip = remote.is_ipv6() ? "::1" : "127.0.0.1";
  int fd = socket(remote.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ip;
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

absl::Status ApplyAddresses(const cli::Options& options, const scenario::Scenario& scenario,
                            runtime::EngineConfig* config) {
  if (options.remote_host_port.empty() && scenario.mode == scenario::Mode::kClient) {
    return absl::InvalidArgumentError("a remote host is needed for a client scenario");
  }
  std::string remote = options.remote_host_port.empty() ? "127.0.0.1" : options.remote_host_port;
  absl::StatusOr<transport::SocketAddress> resolved =
      transport::SocketAddress::ResolveHostPort(remote, 5060);
  if (!resolved.ok()) return resolved.status();
  config->remote = *resolved;
  config->remote_host = remote.substr(0, remote.rfind(':') == std::string::npos || remote[0] == '['
                                             ? remote.find(']') + 1
                                             : remote.rfind(':'));
  if (config->remote_host.empty()) config->remote_host = remote;
  std::string local_ip =
      options.local_ip.empty() ? RoutedSourceIp(config->remote) : options.local_ip;
  absl::StatusOr<transport::SocketAddress> local = transport::SocketAddress::Resolve(local_ip, 0);
  if (!local.ok()) return local.status();
  config->local_ip_for_uri = local->ip_for_uri();
  config->local = options.bind_local ? *local : transport::SocketAddress::Any(local->is_ipv6(), 0);
  config->local.set_port(static_cast<uint16_t>(options.local_port));
  config->local_port_given = options.local_port_given;
  config->media_ip = options.media_ip.empty() ? local->ip() : options.media_ip;
  config->media_ipv6 = config->media_ip.find(':') != std::string::npos;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<cli::Options> ParseSippArgs(const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  argv.reserve(args.size() + 1);
  argv.push_back("sipfleet-agent");
  argv.insert(argv.end(), args.begin(), args.end());
  return cli::ParseCommandLine(argv);
}

absl::StatusOr<std::shared_ptr<const scenario::Scenario>> LoadScenarioText(
    const cli::Options& options, std::string_view xml, std::string_view file_name) {
  scenario::LoadOptions load_options;
  for (const auto& [name, value] : options.keys) load_options.generic_keys[name] = value;
  load_options.injection_files = options.injection_files;
  for (const auto& [name, value] : options.set_variables) {
    load_options.global_variables.push_back(name);
  }
  load_options.rtp_payload = options.rtp_payload;
  if (const char* data_dir = std::getenv("SIPFLEET_DATA_DIR"); data_dir != nullptr && *data_dir) {
    load_options.media_search_dirs.push_back(data_dir);
  }
  return scenario::LoadScenario(xml, file_name, load_options);
}

absl::StatusOr<std::vector<std::shared_ptr<injection::InjectionFile>>> LoadInjectionTexts(
    const cli::Options& options, const std::vector<std::pair<std::string, std::string>>& contents) {
  std::vector<std::shared_ptr<injection::InjectionFile>> files;
  for (const std::string& path : options.injection_files) {
    auto it = std::find_if(contents.begin(), contents.end(),
                           [&](const auto& entry) { return entry.first == path; });
    if (it == contents.end()) {
      return absl::NotFoundError(base::Cat("-inf ", path, ": not shipped by the master"));
    }
    absl::StatusOr<std::shared_ptr<injection::InjectionFile>> file =
        injection::InjectionFile::Parse(it->second, path);
    if (!file.ok()) return file.status();
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
  // Files are not frozen: insert/replace actions may write to them, and
  // telling which do needs the scenario walk sipfleet_main.cc does (not yet
  // shared); an unfrozen file is correct, only slower to read.
  return files;
}

absl::StatusOr<runtime::EngineConfig> BuildEngineConfig(const cli::Options& options,
                                                        const scenario::Scenario& scenario,
                                                        const ShardPlan& shard, int pid) {
  runtime::EngineConfig config;
  if (absl::Status status = ApplyAddresses(options, scenario, &config); !status.ok()) {
    return status;
  }
  config.media_port = options.media_port;
  config.max_rtp_port = options.max_rtp_port;
  config.rtp_echo = options.rtp_echo;
  config.rtp_echo_buffer = options.rtp_echo_buffer;
  config.rtp_payload = options.rtp_payload;
  ApplyTransport(options, &config);
  config.service = options.service;
  config.pid = pid;
  config.rate = options.rate;
  config.rate_period_ms = options.rate_period_ms;
  config.max_calls = options.max_calls;
  config.default_duration_ms = options.duration_ms;
  config.users = options.users;
  // -l arrives as this agent's share; SIPp's default (3 x duration x rate)
  // is computed by the master on the total and shared out too.
  config.call_limit = options.call_limit;
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
  config.workers = static_cast<int>(std::max<uint32_t>(shard.workers, 1));
  config.call_number_offset = shard.call_number_offset;
  config.call_number_stride = shard.call_number_stride;
  // Each agent draws its own random stream; the seed still makes runs repeatable.
  config.rng_seed = (options.seed ? options.seed : static_cast<uint64_t>(pid)) * 1000003 +
                    shard.call_number_offset;
  config.auth_username = options.auth_username;
  config.auth_password = options.auth_password;
  config.auth_uri = options.auth_uri;
  config.auto_answer = options.auto_answer;
  using OutOfCall = runtime::EngineConfig::OutOfCall;
  config.out_of_call = options.ooc_scenario_name.empty()         ? OutOfCall::kDiscard
                       : options.ooc_scenario_name == "ooc_dummy" ? OutOfCall::kAbsorb
                                                                  : OutOfCall::kAnswer;
  config.dynamic_start = options.dynamic_start;
  config.dynamic_step = options.dynamic_step;
  config.dynamic_max = options.dynamic_max;
  config.set_variables = options.set_variables;
  config.rtt_freq = options.rtt_freq;
  // A master could otherwise run commands on every agent host (issue 6):
  // the agent's own option decides, the caller sets it.
  config.allow_exec = false;
  return config;
}

}  // namespace sipfleet::agent
