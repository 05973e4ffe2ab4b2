#include "common/runtime/engine.h"

#include <algorithm>
#include <optional>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/base/thread_name.h"

namespace sipfleet::runtime {
namespace {

constexpr uint16_t kSipDefaultPort = 5060;

// Worker `index`'s share of `total` among `count` workers; the shares add up
// to `total`.
uint64_t ShareOf(uint64_t total, int index, int count) {
  return total / count + (static_cast<uint64_t>(index) < total % count ? 1 : 0);
}

absl::StatusOr<std::shared_ptr<transport::UdpSocket>> BindOne(const EngineConfig& config,
                                                              uint16_t port) {
  transport::SocketAddress local = config.local;
  local.set_port(port);
  absl::StatusOr<std::unique_ptr<transport::UdpSocket>> socket = BindSipUdp(config, local);
  if (!socket.ok()) return socket.status();
  return std::shared_ptr<transport::UdpSocket>(std::move(*socket));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(
    const EngineConfig& config, std::shared_ptr<const scenario::Scenario> scenario,
    const base::Clock& clock, EngineResources resources) {
  if (config.workers < 1) return absl::InvalidArgumentError("at least one worker is needed");
  std::unique_ptr<Engine> engine(new Engine());
  engine->shared_.scenario = std::move(scenario);
  engine->shared_.config = config;
  engine->shared_.clock = &clock;
  engine->shared_.traces = resources.traces;
  engine->shared_.injection_files = std::move(resources.injection_files);
  engine->shared_.commands = resources.commands;
  if (absl::Status status = engine->InitVariables(); !status.ok()) return status;
  std::optional<rtp::RtpEcho::BoundPair> echo;
  if (config.rtp_echo) {
    // SIPp moves on to the next port pair while one is in use; [media_port]
    // is the port bound.
    absl::StatusOr<rtp::RtpEcho::BoundPair> pair = rtp::RtpEcho::BindEchoPair(
        config.media_bind_ip(), static_cast<uint16_t>(config.media_port), 100, config.buffer_bytes);
    if (!pair.ok()) return pair.status();
    engine->shared_.config.media_port = pair->port;
    echo = *std::move(pair);
  }

  if (config.transport == EngineConfig::Transport::kTls && config.tls == nullptr) {
    return absl::InvalidArgumentError("TLS transport without a TLS context");
  }
  const bool server = engine->shared_.scenario->mode == scenario::Mode::kServer;
  // Stream transports have no UDP socket: clients connect, servers listen.
  std::vector<std::shared_ptr<transport::UdpSocket>> sockets(config.workers);
  std::vector<std::shared_ptr<transport::UdpSocket>> per_ip;
  if (config.socket_per_ip && server) {
    absl::StatusOr<std::vector<std::shared_ptr<transport::UdpSocket>>> bound =
        engine->BindPerIpSockets();
    if (!bound.ok()) return bound.status();
    per_ip = *std::move(bound);
  } else if (!config.stream()) {
    sockets.clear();
    if (absl::Status status = engine->BindSockets(&sockets); !status.ok()) return status;
  }

  const int count = config.workers;
  engine->shared_.workers.resize(count);
  for (int i = 0; i < count; ++i) {
    // Cluster stripes (config.h): worker i places offset + i + 1, + stride.
    const uint64_t stride = config.call_number_stride > 0 ? config.call_number_stride
                                                          : static_cast<uint64_t>(count);
    auto worker = std::make_unique<Worker>(i, &engine->shared_, sockets[server ? 0 : i], server,
                                           config.call_number_offset + i + 1, stride);
    engine->shared_.workers[i] = worker.get();
    if (config.users > 0) {
      worker->SetUsers(ShareOf(config.users, i, count), static_cast<uint32_t>(i) + 1,
                       static_cast<uint32_t>(count));
    }
    worker->AddSharedUdpSockets(per_ip);
    engine->workers_.push_back(std::move(worker));
  }
  for (auto& worker : engine->workers_) {
    if (absl::Status status = worker->Init(); !status.ok()) return status;
  }
  if (config.stream() && server) {
    if (absl::Status status = engine->Listen(); !status.ok()) return status;
  }
  if (echo.has_value()) {
    if (absl::Status status = engine->workers_[0]->StartRtpEcho(*std::move(echo)); !status.ok()) {
      return status;
    }
  }
  engine->workers_[0]->RunInit();
  engine->rate_ = config.rate;
  engine->users_ = config.users;
  engine->shared_.call_limit.store(config.call_limit, std::memory_order_relaxed);
  return engine;
}

absl::Status Engine::InitVariables() {
  const scenario::Scenario& scenario = *shared_.scenario;
  shared_.globals = std::make_unique<GlobalVariables>(scenario.global_variables.size());
  shared_.dynamic_id.store(0);
  for (const auto& [name, value] : shared_.config.set_variables) {
    auto it = scenario.variables.find(name);
    if (it == scenario.variables.end() || it->second.scope != scenario::VarScope::kGlobal) {
      return absl::InvalidArgumentError(
          base::Cat("-set ", name, ": the scenario has no global variable '", name, "'"));
    }
    shared_.globals->Set(it->second.index, VarValue::String(value));
  }
  return absl::OkStatus();
}

std::optional<ForcedExit> Engine::forced_exit() const {
  int code = shared_.forced_exit_code.load(std::memory_order_acquire);
  if (code < 0) return std::nullopt;
  std::lock_guard<std::mutex> lock(shared_.forced_exit_mutex);
  return ForcedExit{code, shared_.forced_exit_message};
}

absl::Status Engine::BindSockets(std::vector<std::shared_ptr<transport::UdpSocket>>* sockets) {
  const EngineConfig& config = shared_.config;
  const bool server = shared_.scenario->mode == scenario::Mode::kServer;
  // SIPp binds 5060 when no -p is given, and any free port if 5060 is taken.
  uint16_t first_port = config.local_port_given ? config.local.port() : kSipDefaultPort;
  absl::StatusOr<std::shared_ptr<transport::UdpSocket>> first = BindOne(config, first_port);
  if (!first.ok() && !config.local_port_given) first = BindOne(config, 0);
  if (!first.ok()) return first.status();
  sockets->push_back(*first);
  // A server shares its one listening socket; each client worker gets its
  // own socket so responses come back to the worker that owns the call.
  const int own_sockets = server ? 1 : config.workers;
  for (int i = 1; i < own_sockets; ++i) {
    absl::StatusOr<std::shared_ptr<transport::UdpSocket>> socket = BindOne(config, 0);
    if (!socket.ok()) return socket.status();
    sockets->push_back(*socket);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::shared_ptr<transport::UdpSocket>>> Engine::BindPerIpSockets() {
  // -t ui server: one socket per distinct IP of the first -inf file's
  // -ip_field, all on the -p port (SIPp binds them instead of 0.0.0.0).
  const EngineConfig& config = shared_.config;
  if (shared_.injection_files.empty()) {
    return absl::InvalidArgumentError("-t ui needs an -inf file whose -ip_field holds the IPs");
  }
  const injection::InjectionFile& file = *shared_.injection_files[0];
  std::vector<std::string> ips;
  for (size_t line = 0; line < file.line_count(); ++line) {
    std::string ip;
    if (!file.AppendField(line, config.ip_field, &ip) || ip.empty()) {
      return absl::InvalidArgumentError(base::Cat(file.path(), ":", line + 1, ": no IP in field ",
                                                  config.ip_field, " (-ip_field)"));
    }
    if (std::find(ips.begin(), ips.end(), ip) == ips.end()) ips.push_back(ip);
  }
  std::vector<std::shared_ptr<transport::UdpSocket>> sockets;
  uint16_t port = config.local_port_given ? config.local.port() : kSipDefaultPort;
  for (const std::string& ip : ips) {
    absl::StatusOr<transport::SocketAddress> address = transport::SocketAddress::Resolve(ip, port);
    if (!address.ok()) return address.status();
    absl::StatusOr<std::unique_ptr<transport::UdpSocket>> socket = BindSipUdp(config, *address);
    if (!socket.ok()) return socket.status();
    // Every IP shares the first one's port when -p was not given.
    if (port == 0) port = (*socket)->local_address().port();
    sockets.push_back(std::move(*socket));
  }
  return sockets;
}

absl::Status Engine::Listen() {
  const EngineConfig& config = shared_.config;
  transport::SocketAddress address = config.local;
  // As for UDP: 5060 unless -p, any free port if 5060 is taken.
  address.set_port(config.local_port_given ? config.local.port() : kSipDefaultPort);
  absl::Status status = workers_[0]->Listen(address);
  if (!status.ok() && !config.local_port_given) {
    address.set_port(0);
    status = workers_[0]->Listen(address);
  }
  if (!status.ok()) return status;
  // Every worker listens on the same port; the kernel spreads connections.
  address.set_port(workers_[0]->local_address().port());
  for (size_t i = 1; i < workers_.size(); ++i) {
    if (status = workers_[i]->Listen(address); !status.ok()) return status;
  }
  return absl::OkStatus();
}

TimerLateness Engine::Lateness() const {
  TimerLateness all;
  for (const auto& worker : workers_) all.Merge(worker->timer_lateness());
  return all;
}

MediaReport Engine::Media() const {
  MediaReport report;
  for (const auto& worker : workers_) {
    if (const rtp::MediaPlayer* player = worker->media_player(); player != nullptr) {
      report.packets_sent += player->packets_sent();
      report.bytes_sent += player->bytes_sent();
      report.send_errors += player->send_errors();
      report.lateness_us.Merge(player->lateness());
    }
    if (const rtp::RtpEcho* echo = worker->rtp_echo(); echo != nullptr) {
      report.echoed_packets += echo->echoed_packets();
      report.echo_truncated += echo->truncated();
      report.echo_muted += echo->muted();
    }
  }
  return report;
}

std::string Engine::FirstTransportError() const {
  std::lock_guard<std::mutex> lock(shared_.forced_exit_mutex);
  return shared_.first_transport_error;
}

Engine::~Engine() { Join(); }

void Engine::Start(int64_t start_at_micros) {
  // One pacing for all workers, from this instant (pacing.h), or from the
  // cluster's common start (issue 6).
  pacing_.start_us = start_at_micros > 0 ? start_at_micros : shared_.clock->NowMicros();
  pacing_.first_number = 1;
  pacing_.interval_us = RunningInterval();
  for (auto& worker : workers_) worker->SetPacing(pacing_);
  if (shared_.commands != nullptr) shared_.commands->Start(this);  // 3PCC
  for (size_t i = 0; i < workers_.size(); ++i) {
    threads_.emplace_back([w = workers_[i].get(), i] {
      base::SetThreadName(base::Cat("sf-worker-", i));
      w->Run();
    });
  }
}

bool Engine::Done() const {
  const EngineConfig& config = shared_.config;
  bool all_finished = true;
  for (const auto& worker : workers_) all_finished = all_finished && worker->finished();
  if (shared_.scenario->mode == scenario::Mode::kClient || aborting_) return all_finished;
  // Server: done once -m calls have ended, or a requested stop drained.
  if (shared_.stop_new_calls.load(std::memory_order_relaxed)) return OpenCalls() == 0;
  if (config.max_calls == 0) return false;
  uint64_t ended = 0;
  for (const auto& worker : workers_) {
    ended += worker->stats().Get(stats::Counter::kCallsEnded);
  }
  return ended >= config.max_calls && OpenCalls() == 0;
}

double Engine::RunningInterval() const {
  // Under -users the pacing only says running or paused: any positive value.
  return users_mode() ? 1 : IntervalForRate(rate_, shared_.config.rate_period_ms);
}

void Engine::PostPacing() {
  pacing_ = Repace(pacing_, shared_.clock->NowMicros(), paused_ ? 0 : RunningInterval());
  for (auto& worker : workers_) worker->PostPacing(pacing_);
}

void Engine::ApplyPacing(const Pacing& pacing) {
  pacing_ = pacing;
  paused_ = !pacing.running();
  for (auto& worker : workers_) worker->PostPacing(pacing_);
}

void Engine::SetRate(double rate) {
  rate_ = std::max(rate, 0.0);
  if (!users_mode()) PostPacing();
}

void Engine::SetPaused(bool paused) {
  if (paused == paused_) return;
  paused_ = paused;
  PostPacing();
}

void Engine::SetUsers(uint64_t users) {
  if (!users_mode()) return;
  users_ = users;
  const int count = worker_count();
  for (int i = 0; i < count; ++i) workers_[i]->PostUsers(ShareOf(users, i, count));
}

void Engine::SetCallLimit(uint64_t limit) {
  shared_.call_limit.store(limit, std::memory_order_relaxed);
  // -l is one limit for the process, checked against every worker's open
  // calls; wake the workers (same pacing) to place what it now allows.
  if (threads_.empty()) return;
  for (auto& worker : workers_) worker->PostPacing(pacing_);
}

// Thread-safe (the 3PCC relay's thread calls it through TwinLost): touches
// only the atomic flag and the workers' post queues, never threads_ or
// pacing_, which the engine's owner thread changes.
void Engine::StopNewCalls() {
  shared_.stop_new_calls.store(true, std::memory_order_relaxed);
  // Wakes every worker so an idle one, e.g. paused with no call open, sees
  // the stop and reports finished (a worker not started yet runs it first).
  for (auto& worker : workers_) worker->PostWake();
}

void Engine::AbortAll() {
  aborting_ = true;
  StopNewCalls();
  for (auto& worker : workers_) worker->PostAbortAll();
}

void Engine::Join() {
  for (auto& worker : workers_) worker->Stop();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
  // 3PCC: the workers' last commands are written before the channel closes.
  if (shared_.commands != nullptr) shared_.commands->Stop();
}

stats::Snapshot Engine::Snapshot() const {
  stats::Snapshot merged = workers_[0]->stats().TakeSnapshot();
  for (size_t i = 1; i < workers_.size(); ++i) {
    stats::Merge(&merged, workers_[i]->stats().TakeSnapshot());
  }
  return merged;
}

uint64_t Engine::OpenCalls() const {
  uint64_t open = 0;
  for (const auto& worker : workers_) open += worker->open_calls();
  return open;
}

uint64_t Engine::SendErrors() const {
  uint64_t errors = 0;
  for (const auto& worker : workers_) errors += worker->send_errors();
  return errors;
}

const transport::SocketAddress& Engine::local_address() const {
  return workers_[0]->local_address();
}

}  // namespace sipfleet::runtime
