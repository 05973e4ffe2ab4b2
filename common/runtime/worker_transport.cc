// How a worker's calls reach the network: the shared UDP socket (u1),
// per-call UDP sockets (un), one stream connection per worker (t1/l1) or per
// call (tn/ln), and, in server mode, accepted connections. SIPp's semantics
// (SIPP_NOTES §2.3), without its bind-before-connect (IP_BIND_ADDRESS_NO_PORT
// is set by StreamConnection).

#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/base/strings.h"
#include "common/runtime/worker.h"
#include "common/runtime/worker_endpoint.h"

namespace sipfleet::runtime {
namespace {

using stats::Counter;
using transport::CloseReason;

Counter CounterFor(CloseReason reason) {
  switch (reason) {
    case CloseReason::kConnectFailed:
      return Counter::kConnectFailures;
    case CloseReason::kTlsHandshake:
      return Counter::kTlsHandshakeFailures;
    case CloseReason::kTlsVerify:
      return Counter::kTlsVerifyFailures;
    case CloseReason::kFraming:
      return Counter::kFramingErrors;
    case CloseReason::kReadTimeout:
      return Counter::kStreamReadTimeouts;
    default:
      return Counter::kConnectionResets;
  }
}

bool IsFailure(CloseReason reason) {
  return reason != CloseReason::kPeerClosed && reason != CloseReason::kLocalClose;
}

}  // namespace

absl::StatusOr<std::unique_ptr<transport::UdpSocket>> BindSipUdp(
    const EngineConfig& config, const transport::SocketAddress& local) {
  absl::StatusOr<std::unique_ptr<transport::UdpSocket>> socket =
      transport::UdpSocket::Bind(local, config.buffer_bytes);
  if (!socket.ok() || config.bind_to_device.empty()) return socket;
  if (absl::Status status = (*socket)->BindToDevice(config.bind_to_device); !status.ok()) {
    return status;
  }
  return socket;
}

absl::Status Worker::InitTransport() {
  endpoints_.push_back(std::make_unique<Endpoint>());  // [0]: the main socket
  endpoints_[0]->in_use = true;
  reconnects_left_ = config_.max_reconnect;
  // A socket every worker shares (the server's, or -t ui's per-IP ones) is
  // read by worker 0 alone, which hands each datagram to the worker owning
  // its Call-ID in arrival order: a call's messages are never reordered.
  // (Reads spread over workers let a BYE read by its owner overtake the ACK
  // another worker was still handing over.) Every worker sends through it.
  const uint32_t shared_events = index_ == 0 ? uint32_t{EPOLLIN} : 0u;
  for (auto& socket : shared_udp_) {  // ui server: endpoints 1..n on every worker
    uint32_t index = AddUdpEndpoint(socket, shared_events);
    if (index == kNoEndpoint) return absl::InternalError("cannot watch a -t ui socket");
    Endpoint& endpoint = *endpoints_[index];
    endpoint.ip = socket->local_address().ip_for_uri();
    endpoint.shared = true;
    endpoint.refs = 1;  // for the whole run
  }
  if (socket_ != nullptr) {
    local_address_ = socket_->local_address();
    if (shared_socket_ && index_ != 0) return absl::OkStatus();  // worker 0 reads it
    return loop_.Watch(socket_->fd(), EPOLLIN, this);
  }
  if (!shared_udp_.empty()) {
    local_address_ = shared_udp_[0]->local_address();
    run_values_.local_port = base::Cat(local_address_.port());
  }
  return absl::OkStatus();
}

absl::Status Worker::Listen(const transport::SocketAddress& address) {
  absl::StatusOr<std::unique_ptr<transport::StreamListener>> listener =
      transport::StreamListener::Listen(
          loop_, address, /*reuse_port=*/true,
          [this](int fd, const transport::SocketAddress& peer) { OnAccept(fd, peer); });
  if (!listener.ok()) return listener.status();
  listener_ = *std::move(listener);
  local_address_ = listener_->local_address();
  run_values_.local_port = base::Cat(local_address_.port());
  return absl::OkStatus();
}

uint32_t Worker::AllocateEndpoint() {
  uint32_t index;
  if (!free_endpoints_.empty()) {
    index = free_endpoints_.back();
    free_endpoints_.pop_back();
  } else {
    index = static_cast<uint32_t>(endpoints_.size());
    endpoints_.push_back(std::make_unique<Endpoint>());
  }
  endpoints_[index]->in_use = true;
  return index;
}

transport::StreamConnection::Options Worker::StreamOptions() const {
  transport::StreamConnection::Options options;
  options.local = config_.bind_source ? &config_.local : nullptr;
  options.bind_to_device = config_.bind_to_device;
  options.secure = config_.transport == EngineConfig::Transport::kTls ? config_.tls : nullptr;
  options.max_message_bytes = config_.max_message_bytes;
  return options;
}

uint32_t Worker::OpenStreamEndpoint() {
  absl::StatusOr<std::unique_ptr<transport::StreamConnection>> connection =
      transport::StreamConnection::Connect(loop_, config_.remote, StreamOptions(), *this);
  if (!connection.ok()) {
    stats_.Increment(Counter::kConnectFailures);
    shared_->RecordTransportError(base::Cat("cannot connect to ", config_.remote.ip_for_uri(), ":",
                                            config_.remote.port(), ": ",
                                            connection.status().message()));
    return kNoEndpoint;
  }
  uint32_t index = AllocateEndpoint();
  (*connection)->tag = index;
  endpoints_[index]->stream = *std::move(connection);
  ArmStreamSweep();
  return index;
}

void Worker::ArmStreamSweep() {
  if (stream_sweep_armed_ || config_.msg_read_timeout_ms <= 0) return;
  stream_sweep_armed_ = true;
  // A tenth of the bound (at least 100 ms, at most 1 s): a connection is
  // closed between 1x and 1.1x the bound after its message began.
  const int64_t period = std::clamp<int64_t>(config_.msg_read_timeout_ms / 10, 100, 1000);
  loop_.timers().Schedule(clock_.NowMillis() + period, kStreamSweepToken);
}

void Worker::SweepStreams() {
  stream_sweep_armed_ = false;
  const int64_t deadline_us = clock_.NowMicros() - config_.msg_read_timeout_ms * 1000;
  bool any_stream = false;
  // Closing reports OnStreamClosed, which may replace endpoints_[i] (the
  // connection itself is destroyed later): index, never iterator.
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    transport::StreamConnection* stream = endpoints_[i]->stream.get();
    if (stream == nullptr || stream->closed()) continue;
    any_stream = true;
    const int64_t since = stream->incomplete_since_us();
    if (since != 0 && since <= deadline_us) {
      stream->ExpireIncomplete(base::Cat(stream->ready() ? "message" : "TLS handshake",
                                         " unfinished after -msg_read_timeout (",
                                         config_.msg_read_timeout_ms, " ms)"));
    }
  }
  if (any_stream) ArmStreamSweep();
}

uint32_t Worker::OpenUdpEndpoint() {
  transport::SocketAddress local = config_.local;
  local.set_port(0);
  absl::StatusOr<std::unique_ptr<transport::UdpSocket>> socket = BindSipUdp(config_, local);
  if (!socket.ok()) {
    shared_->RecordTransportError(base::Cat("cannot open a UDP socket: ", socket.status().message()));
    return kNoEndpoint;
  }
  return AddUdpEndpoint(*std::move(socket), EPOLLIN);
}

uint32_t Worker::AddUdpEndpoint(std::shared_ptr<transport::UdpSocket> socket, uint32_t events) {
  uint32_t index = AllocateEndpoint();
  Endpoint& endpoint = *endpoints_[index];
  endpoint.udp = std::move(socket);
  endpoint.udp_handler = std::make_unique<UdpEndpointHandler>(this, index);
  if (!loop_.Watch(endpoint.udp->fd(), events, endpoint.udp_handler.get()).ok()) {
    endpoint.udp_handler->closed = true;
    DiscardEndpoint(index);
    return kNoEndpoint;
  }
  return index;
}

void Worker::DiscardEndpoint(uint32_t index) {
  closing_.push_back(std::move(endpoints_[index]));
  endpoints_[index] = std::make_unique<Endpoint>();
  free_endpoints_.push_back(index);
}

uint32_t Worker::EndpointForIp(const std::string& ip) {
  if (auto it = ip_endpoints_.find(ip); it != ip_endpoints_.end()) return it->second;
  absl::StatusOr<transport::SocketAddress> local = transport::SocketAddress::Resolve(ip, 0);
  if (!local.ok()) {
    shared_->RecordTransportError(base::Cat("-t ui: bad local IP '", ip, "' in the -inf file"));
    return kNoEndpoint;
  }
  absl::StatusOr<std::unique_ptr<transport::UdpSocket>> socket = BindSipUdp(config_, *local);
  if (!socket.ok()) {
    shared_->RecordTransportError(
        base::Cat("-t ui: cannot bind ", ip, ": ", socket.status().message()));
    return kNoEndpoint;
  }
  uint32_t index = AddUdpEndpoint(*std::move(socket), EPOLLIN);
  if (index == kNoEndpoint) return kNoEndpoint;
  Endpoint& endpoint = *endpoints_[index];
  endpoint.ip = endpoint.udp->local_address().ip_for_uri();
  endpoint.refs = 1;  // kept for the run: later calls from this IP reuse it
  ip_endpoints_.emplace(ip, index);
  return index;
}

std::string_view Worker::ServerIp(const Call& call) const {
  if (call.endpoint == kMainSocket || call.endpoint >= endpoints_.size()) return {};
  return endpoints_[call.endpoint]->ip;
}

uint32_t Worker::EndpointForNewCall(Call& call) {
  if (config_.socket_per_ip) {
    std::string ip;
    if (call.extras == nullptr || call.extras->injection_lines.empty() ||
        !shared_->injection_files[0]->AppendField(call.extras->injection_lines[0],
                                                  config_.ip_field, &ip) ||
        ip.empty()) {
      shared_->RecordTransportError(
          base::Cat("-t ui: no IP in field ", config_.ip_field, " of the -inf file"));
      return kNoEndpoint;
    }
    return EndpointForIp(ip);
  }
  if (!config_.stream() && !config_.socket_per_call) return kMainSocket;
  if (config_.stream() && !config_.socket_per_call) return kPrimary;
  // -max_socket is for the process: each worker takes its share.
  const int workers = static_cast<int>(shared_->workers.size());
  const uint32_t share = static_cast<uint32_t>(std::max(1, config_.max_socket / std::max(workers, 1)));
  if (open_sockets_ >= share) {
    // -max_socket reached: new calls share the sockets already open.
    for (size_t tries = 0; tries < endpoints_.size(); ++tries) {
      share_cursor_ = share_cursor_ + 1 < endpoints_.size() ? share_cursor_ + 1 : 1;
      Endpoint& endpoint = *endpoints_[share_cursor_];
      bool live = endpoint.in_use && ((endpoint.stream && !endpoint.stream->closed()) ||
                                      endpoint.udp != nullptr);
      if (live) return share_cursor_;
    }
  }
  uint32_t index = config_.stream() ? OpenStreamEndpoint() : OpenUdpEndpoint();
  if (index != kNoEndpoint) ++open_sockets_;
  return index;
}

void Worker::AcquireEndpoint(uint32_t endpoint) {
  if (endpoint == kMainSocket || endpoint == kPrimary || endpoint == kNoEndpoint) return;
  ++endpoints_[endpoint]->refs;
}

void Worker::ReleaseEndpoint(uint32_t index) {
  if (index == kMainSocket || index == kPrimary || index == kNoEndpoint) return;
  Endpoint& endpoint = *endpoints_[index];
  if (endpoint.refs > 0 && --endpoint.refs > 0) return;
  if (endpoint.stream) endpoint.stream->Close();
  if (endpoint.udp_handler) {
    endpoint.udp_handler->closed = true;
    loop_.Unwatch(endpoint.udp->fd());
  }
  if (index != primary_ && scenario_.mode == scenario::Mode::kClient && open_sockets_ > 0) {
    --open_sockets_;
  }
  DiscardEndpoint(index);
}

uint16_t Worker::EndpointLocalPort(uint32_t index) const {
  if (index == kPrimary) index = primary_;
  if (index == kMainSocket || index == kNoEndpoint || index >= endpoints_.size()) {
    return local_address_.port();
  }
  const Endpoint& endpoint = *endpoints_[index];
  if (endpoint.stream) return endpoint.stream->local().port();
  if (endpoint.udp) return endpoint.udp->local_address().port();
  return local_address_.port();
}

void Worker::SendVia(uint32_t index, std::string_view bytes, const transport::SocketAddress& to) {
  if (index == kMainSocket) {
    send_.Queue(bytes, to);
    return;
  }
  if (index == kPrimary) {
    if (primary_ == 0) {  // reconnecting: sent once the new connection is up
      primary_backlog_.append(bytes);
      return;
    }
    index = primary_;
  }
  if (index == kNoEndpoint || index >= endpoints_.size()) {
    send_errors_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  Endpoint& endpoint = *endpoints_[index];
  if (endpoint.stream) {
    if (!endpoint.stream->Send(bytes)) send_errors_.fetch_add(1, std::memory_order_relaxed);
  } else if (endpoint.udp) {
    if (sendto(endpoint.udp->fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL, to.sockaddr_ptr(),
               to.length()) < 0) {
      send_errors_.fetch_add(1, std::memory_order_relaxed);
    }
  } else {
    send_errors_.fetch_add(1, std::memory_order_relaxed);
  }
}

void Worker::OnUdpEndpointReadable(uint32_t index) {
  for (int round = 0; round < 4; ++round) {
    if (index >= endpoints_.size() || !endpoints_[index]->udp) return;
    int n = receive_.Receive(endpoints_[index]->udp->fd());
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      if (receive_.truncated(i)) {
        stats_.Increment(Counter::kOversizedDatagrams);
        continue;
      }
      // A shared (ui server) socket is read by every worker: the owner of
      // the Call-ID gets it, as on the main socket.
      HandleDatagram(receive_.datagram(i), receive_.source(i),
                     /*forwarded=*/!endpoints_[index]->shared, index);
    }
    if (n < transport::ReceiveBatch::kMaxDatagrams) return;
  }
}

void Worker::OnAccept(int fd, const transport::SocketAddress& peer) {
  absl::StatusOr<std::unique_ptr<transport::StreamConnection>> connection =
      transport::StreamConnection::Adopt(loop_, fd, peer, StreamOptions(), *this);
  if (!connection.ok()) {
    stats_.Increment(Counter::kConnectFailures);
    return;
  }
  uint32_t index = AllocateEndpoint();
  (*connection)->tag = index;
  endpoints_[index]->stream = *std::move(connection);
  endpoints_[index]->refs = 1;  // held until the peer closes it
  endpoints_[index]->was_ready = endpoints_[index]->stream->ready();
  ArmStreamSweep();
}

void Worker::ConnectPrimary() {
  primary_ = 0;
  uint32_t index = OpenStreamEndpoint();
  if (index == kNoEndpoint) {
    RequestExit(255, "the TCP/TLS connection to the remote host cannot be opened");
    return;
  }
  primary_ = index;
  if (!primary_backlog_.empty()) {
    endpoints_[index]->stream->Send(primary_backlog_);
    primary_backlog_.clear();
  }
}

void Worker::OnStreamReady(transport::StreamConnection& connection) {
  endpoints_[connection.tag]->was_ready = true;
}

void Worker::OnStreamMessage(transport::StreamConnection& connection, std::string_view message) {
  HandleDatagram(message, connection.peer(), /*forwarded=*/true,
                 static_cast<uint32_t>(connection.tag));
}

void Worker::OnStreamClosed(transport::StreamConnection& connection, transport::CloseReason reason,
                            std::string_view detail) {
  const uint32_t index = static_cast<uint32_t>(connection.tag);
  Endpoint* endpoint = endpoints_[index].get();
  const bool was_ready = endpoint->was_ready;
  if (IsFailure(reason)) {
    stats_.Increment(CounterFor(reason));
    TraceTransportError(connection, reason, detail);
  }
  const Counter call_failure = was_ready ? Counter::kFailedTcpClosed : Counter::kFailedTcpConnect;
  if (index == primary_ && scenario_.mode == scenario::Mode::kClient) {
    if (config_.reconnect_close || !was_ready) FailCallsOn(kPrimary, call_failure);
    ReleaseEndpoint(index);
    primary_ = 0;
    if (reconnects_left_ > 0) {
      --reconnects_left_;
      loop_.timers().Schedule(clock_.NowMillis() + config_.reconnect_sleep_ms, kReconnectToken);
    } else if (!shared_->stop_new_calls.load(std::memory_order_relaxed) ||
               open_calls_.load(std::memory_order_relaxed) > 0) {
      RequestExit(255, base::Cat("the ", config_.transport_name(), " connection to ",
                                 config_.remote.ip_for_uri(), ":", config_.remote.port(),
                                 " ended (", transport::CloseReasonName(reason),
                                 detail.empty() ? "" : ": ", detail, ")"));
    }
    return;
  }
  FailCallsOn(index, call_failure);
  // An accepted connection holds one reference of its own (a client's
  // per-call endpoint was freed with its last call above).
  if (endpoints_[index].get() == endpoint && endpoint->refs > 0) ReleaseEndpoint(index);
}

bool Worker::EndpointClosed(uint32_t index) const {
  if (index == kPrimary) return false;  // reconnects, or the run ends
  if (index == kMainSocket || index == kNoEndpoint || index >= endpoints_.size()) return false;
  const Endpoint& endpoint = *endpoints_[index];
  return endpoint.stream != nullptr && endpoint.stream->closed();
}

void Worker::FailCallsOn(uint32_t endpoint, Counter reason) {
  for (Call& call : calls_) {
    if (call.state == Call::State::kDone || call.endpoint != endpoint) continue;
    // A pausing call (a UAS in its timewait) may not need the connection
    // again; it fails only if it sends or waits for a message.
    if (call.state == Call::State::kPaused && endpoint != kPrimary) continue;
    FailCall(call, reason);  // the connection is gone: no BYE/CANCEL
  }
}

void Worker::TraceTransportError(const transport::StreamConnection& connection,
                                 transport::CloseReason reason, std::string_view detail) {
  std::string text = base::Cat(config_.transport_name(), " connection with ",
                               connection.peer().ip_for_uri(), ":", connection.peer().port(), ": ",
                               transport::CloseReasonName(reason),
                               detail.empty() ? "" : ": ", detail);
  shared_->RecordTransportError(text);
  TraceError(base::Cat("sipfleet: ", text));
}

}  // namespace sipfleet::runtime
