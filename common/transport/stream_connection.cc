#include "common/transport/stream_connection.h"

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "common/base/strings.h"

namespace sipfleet::transport {
namespace {

// One read() takes at most this much; DoRead loops at most kMaxReadsPerEvent
// times per event so that one busy connection cannot starve the others on
// the loop (level-triggered epoll reports the rest next iteration).
constexpr size_t kReadBufferBytes = 64 * 1024;
constexpr int kMaxReadsPerEvent = 16;
// Sent bytes are dropped from the front of out_ once this many are done
// and they are at least half of it (amortised O(1) per byte).
constexpr size_t kCompactOutputBytes = 64 * 1024;
constexpr int kListenBacklog = 4096;
constexpr int kMaxAcceptsPerEvent = 64;

constexpr std::string_view kPeerClosedText = "connection closed by peer";
constexpr std::string_view kMidMessageText = "connection closed in the middle of a message";

void SetIntOption(int fd, int level, int name, int value) {
  setsockopt(fd, level, name, &value, sizeof(value));
}

// TCP_NODELAY (SIP messages are written whole; Nagle only adds latency),
// SO_BINDTODEVICE and the buffer sizes. Errors: a device that cannot be
// bound (unknown name, no CAP_NET_RAW).
absl::Status ApplyOptions(int fd, const StreamConnection::Options& options) {
  SetIntOption(fd, IPPROTO_TCP, TCP_NODELAY, 1);
  if (!options.bind_to_device.empty() &&
      setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, options.bind_to_device.c_str(),
                 static_cast<socklen_t>(options.bind_to_device.size() + 1)) != 0) {
    return absl::FailedPreconditionError(
        base::Cat("cannot bind to device '", options.bind_to_device, "': ", strerror(errno)));
  }
  if (options.buffer_bytes > 0) {
    SetIntOption(fd, SOL_SOCKET, SO_SNDBUF, options.buffer_bytes);
    SetIntOption(fd, SOL_SOCKET, SO_RCVBUF, options.buffer_bytes);
  }
  return absl::OkStatus();
}

// Binds the source address. With port 0, IP_BIND_ADDRESS_NO_PORT defers the
// port choice to connect(), which picks one unique for the 4-tuple instead of
// reserving a port for every socket at bind() time.
absl::Status BindLocal(int fd, const SocketAddress& local) {
  if (local.port() == 0) SetIntOption(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1);
  if (bind(fd, local.sockaddr_ptr(), local.length()) == 0) return absl::OkStatus();
  int error = errno;
  std::string what = base::Cat("cannot bind TCP source ", local.ip_for_uri(), ":", local.port(),
                               ": ", strerror(error));
  if (error == EADDRINUSE || error == EADDRNOTAVAIL || error == EACCES) {
    return absl::FailedPreconditionError(what);
  }
  return absl::InternalError(what);
}

SocketAddress LocalAddress(int fd) {
  SocketAddress address;
  socklen_t length = SocketAddress::kCapacity;
  if (getsockname(fd, address.mutable_sockaddr(), &length) == 0) address.set_length(length);
  return address;
}

// The pending error of a connecting socket (SO_ERROR), 0 when connected.
int SocketError(int fd) {
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

// Registers `wanted` for `fd` unless it is already the current interest.
void SetInterest(EventLoop& loop, int fd, FdHandler* handler, uint32_t wanted, uint32_t* current) {
  if (wanted == *current) return;
  // Modify() fails only for a bad fd or ENOMEM; the old interest then stays.
  if (loop.Modify(fd, wanted, handler).ok()) *current = wanted;
}

// One read. kDone with *read > 0; kWantRead when drained (or kWantWrite for
// TLS); kClosed at an orderly EOF; kError with *error = errno (0 for TLS).
IoResult ReadSome(int fd, SecureChannel* secure, char* buffer, size_t capacity, size_t* read,
                  int* error) {
  if (secure != nullptr) return secure->Read(buffer, capacity, read);
  while (true) {
    ssize_t n = recv(fd, buffer, capacity, 0);
    if (n > 0) {
      *read = static_cast<size_t>(n);
      return IoResult::kDone;
    }
    if (n == 0) return IoResult::kClosed;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult::kWantRead;
    *error = errno;
    return IoResult::kError;
  }
}

// Writes as much of [data, data + size) as the socket takes. *written is the
// count taken. kDone: everything; kWantWrite/kWantRead: blocked, retry the
// rest (for TLS with the same bytes, never fewer); kError/kClosed: fatal,
// *error = errno (0 for TLS). Plain TCP uses MSG_NOSIGNAL: no SIGPIPE.
IoResult WriteSome(int fd, SecureChannel* secure, const char* data, size_t size, size_t* written,
                   int* error) {
  *written = 0;
  while (*written < size) {
    size_t left = size - *written;
    if (secure != nullptr) {
      size_t n = 0;
      IoResult result = secure->Write(data + *written, left, &n);
      if (result != IoResult::kDone) return result;
      if (n == 0) return IoResult::kWantWrite;
      *written += n;
      continue;
    }
    ssize_t n = send(fd, data + *written, left, MSG_NOSIGNAL);
    if (n >= 0) {
      *written += static_cast<size_t>(n);
      // A short write means the send buffer is full: skip the EAGAIN call.
      if (static_cast<size_t>(n) < left) return IoResult::kWantWrite;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult::kWantWrite;
    *error = errno;
    return IoResult::kError;
  }
  return IoResult::kDone;
}

// Human-readable text of a failed I/O step.
std::string ErrorDetail(const SecureChannel* secure, int error) {
  if (error != 0) return strerror(error);
  if (secure != nullptr) return secure->ErrorText();
  return "I/O error";
}

}  // namespace

std::string_view CloseReasonName(CloseReason reason) {
  switch (reason) {
    case CloseReason::kPeerClosed:
      return "peer closed";
    case CloseReason::kReset:
      return "reset";
    case CloseReason::kConnectFailed:
      return "connect failed";
    case CloseReason::kTlsHandshake:
      return "tls handshake";
    case CloseReason::kTlsVerify:
      return "tls verify";
    case CloseReason::kFraming:
      return "framing";
    case CloseReason::kLocalClose:
      return "local close";
    case CloseReason::kReadTimeout:
      return "read timeout";
  }
  return "unknown";
}

StreamConnection::StreamConnection(EventLoop& loop, int fd, const SocketAddress& peer,
                                   const Options& options, StreamEvents& events)
    : loop_(loop),
      fd_(fd),
      peer_(peer),
      events_(events),
      secure_factory_(options.secure),
      framer_(options.max_message_bytes) {}

absl::StatusOr<std::unique_ptr<StreamConnection>> StreamConnection::Connect(
    EventLoop& loop, const SocketAddress& remote, const Options& options, StreamEvents& events) {
  int fd = socket(remote.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(base::Cat("socket(): ", strerror(errno)));
  // From here on the connection owns fd: every error path closes it.
  std::unique_ptr<StreamConnection> connection(
      new StreamConnection(loop, fd, remote, options, events));
  if (absl::Status status = ApplyOptions(fd, options); !status.ok()) return status;
  if (options.local != nullptr) {
    if (absl::Status status = BindLocal(fd, *options.local); !status.ok()) return status;
  }
  if (connect(fd, remote.sockaddr_ptr(), remote.length()) != 0 && errno != EINPROGRESS) {
    // Refused at once (no route, no free source port...): nothing to wait for.
    return absl::UnavailableError(base::Cat("cannot connect to ", remote.ip_for_uri(), ":",
                                            remote.port(), ": ", strerror(errno)));
  }
  // The port is assigned by connect() even with IP_BIND_ADDRESS_NO_PORT.
  connection->local_ = LocalAddress(fd);
  // Even an immediate success is reported through EPOLLOUT, so that no
  // callback runs before the caller holds the connection.
  connection->state_ = State::kConnecting;
  connection->interest_ = EPOLLOUT;
  if (absl::Status status = loop.Watch(fd, EPOLLOUT, connection.get()); !status.ok()) {
    return status;
  }
  return connection;
}

absl::StatusOr<std::unique_ptr<StreamConnection>> StreamConnection::Adopt(EventLoop& loop, int fd,
                                                                          const SocketAddress& peer,
                                                                          const Options& options,
                                                                          StreamEvents& events) {
  if (fd < 0) return absl::InvalidArgumentError("Adopt() needs an open socket");
  std::unique_ptr<StreamConnection> connection(
      new StreamConnection(loop, fd, peer, options, events));
  if (options.buffer_bytes > 0) {
    SetIntOption(fd, SOL_SOCKET, SO_SNDBUF, options.buffer_bytes);
    SetIntOption(fd, SOL_SOCKET, SO_RCVBUF, options.buffer_bytes);
  }
  connection->local_ = LocalAddress(fd);
  connection->state_ = State::kReady;
  if (options.secure != nullptr) {
    absl::StatusOr<std::unique_ptr<SecureChannel>> channel = options.secure->NewChannel(fd);
    if (!channel.ok()) return channel.status();
    connection->secure_ = *std::move(channel);
    // A server handshake starts by reading the ClientHello: the first
    // EPOLLIN drives DoHandshake(), which never calls back from here.
    connection->state_ = State::kHandshaking;
    connection->incomplete_since_us_ = loop.clock().NowMicros();
  }
  connection->interest_ = EPOLLIN;
  if (absl::Status status = loop.Watch(fd, EPOLLIN, connection.get()); !status.ok()) {
    return status;
  }
  return connection;
}

StreamConnection::~StreamConnection() {
  CancelScheduledFlush();
  if (fd_ < 0) return;
  loop_.Unwatch(fd_);
  close(fd_);
}

bool StreamConnection::resumed_tls() const { return secure_ != nullptr && secure_->Resumed(); }

bool StreamConnection::Send(std::string_view bytes) {
  if (state_ == State::kClosed) return false;
  if (bytes.empty()) return true;
  out_.append(bytes);  // written in order by DoWrite()
  // Before ready, OnConnected() writes; while EPOLLOUT is awaited, the event.
  if (state_ == State::kReady && !flush_scheduled_ && (interest_ & EPOLLOUT) == 0) {
    flush_scheduled_ = true;
    flush_ticket_ = loop_.ScheduleFlush(this);
  }
  return true;
}

void StreamConnection::CancelScheduledFlush() {
  if (!flush_scheduled_) return;
  loop_.CancelFlush(this, flush_ticket_);
  flush_scheduled_ = false;
}

void StreamConnection::FlushDeferred() {
  flush_scheduled_ = false;
  if (state_ == State::kReady && (interest_ & EPOLLOUT) == 0) DoWrite();
}

void StreamConnection::Close(bool notify) {
  if (state_ == State::kClosed) return;
  if (flush_scheduled_) {
    CancelScheduledFlush();
    // What Send() queued in this iteration would have been written at once
    // before deferred writes existed: one attempt, whatever it takes.
    size_t written = 0;
    int error = 0;
    if (state_ == State::kReady && pending_write_bytes() > 0) {
      WriteSome(fd_, secure_.get(), out_.data() + out_offset_, pending_write_bytes(), &written,
                &error);
    }
  }
  loop_.Unwatch(fd_);
  close(fd_);
  fd_ = -1;
  state_ = State::kClosed;
  interest_ = 0;
  out_.clear();
  out_offset_ = 0;
  if (notify) events_.OnStreamClosed(*this, CloseReason::kLocalClose, "closed locally");
}

void StreamConnection::Fail(CloseReason reason, std::string_view detail) {
  if (state_ == State::kClosed) return;
  CancelScheduledFlush();  // no last write on a connection that just failed
  Close(/*notify=*/false);
  events_.OnStreamClosed(*this, reason, detail);
}

void StreamConnection::OnEvents(uint32_t epoll_events) {
  switch (state_) {
    case State::kClosed:
      return;
    case State::kConnecting: {
      // connect(2): a non-blocking connect completes when the socket turns
      // writable; SO_ERROR tells success from failure.
      int error = SocketError(fd_);
      if (error == 0 && (epoll_events & (EPOLLERR | EPOLLHUP)) != 0) error = ECONNABORTED;
      if (error != 0) {
        Fail(CloseReason::kConnectFailed, strerror(error));
      } else if ((epoll_events & EPOLLOUT) != 0) {
        OnConnected();
      }
      return;
    }
    case State::kHandshaking:
      DoHandshake();  // an error or hang-up surfaces as a failed step
      return;
    case State::kReady:
      break;
  }
  const bool readable = (epoll_events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0;
  const bool writable = (epoll_events & EPOLLOUT) != 0;
  const bool tls = secure_ != nullptr;
  // Writes first: DoWrite() may drop EPOLLOUT, and a TLS read that needs
  // the socket writable (SSL_read wanting to write) asks for it again below.
  // A TLS write blocked on kWantRead is retried when readable.
  if (writable || (tls && readable && pending_write_bytes() > 0)) {
    DoWrite();
    if (state_ == State::kClosed) return;
  }
  if (readable || (tls && writable)) DoRead();
}

void StreamConnection::OnConnected() {
  if (secure_factory_ != nullptr && secure_ == nullptr) {
    absl::StatusOr<std::unique_ptr<SecureChannel>> channel = secure_factory_->NewChannel(fd_);
    if (!channel.ok()) {
      Fail(CloseReason::kTlsHandshake, base::FromAbsl(channel.status().message()));
      return;
    }
    secure_ = *std::move(channel);
    state_ = State::kHandshaking;
    incomplete_since_us_ = loop_.clock().NowMicros();
    DoHandshake();
    return;
  }
  state_ = State::kReady;
  incomplete_since_us_ = framer_.buffered() > 0 ? loop_.clock().NowMicros() : 0;
  events_.OnStreamReady(*this);
  if (state_ == State::kClosed) return;
  DoWrite();  // flushes what was queued before ready, and sets the interest
}

void StreamConnection::DoHandshake() {
  switch (secure_->Handshake()) {
    case IoResult::kDone:
      OnConnected();
      return;
    case IoResult::kWantRead:
      SetInterest(loop_, fd_, this, EPOLLIN, &interest_);
      return;
    case IoResult::kWantWrite:
      SetInterest(loop_, fd_, this, EPOLLOUT, &interest_);
      return;
    case IoResult::kClosed:
    case IoResult::kError: {
      std::string detail = secure_->ErrorText();
      if (detail.empty()) detail = "connection closed during the TLS handshake";
      Fail(secure_->VerifyFailed() ? CloseReason::kTlsVerify : CloseReason::kTlsHandshake, detail);
      return;
    }
  }
}

void StreamConnection::DoRead() {
  char buffer[kReadBufferBytes];
  // TLS reads on until kWantRead however long it takes: OpenSSL may hold
  // decrypted bytes that level-triggered epoll would never report again.
  for (int i = 0; secure_ != nullptr || i < kMaxReadsPerEvent; ++i) {
    size_t read = 0;
    int error = 0;
    switch (ReadSome(fd_, secure_.get(), buffer, sizeof(buffer), &read, &error)) {
      case IoResult::kDone:
        break;
      case IoResult::kWantRead:
        return;
      case IoResult::kWantWrite:
        SetInterest(loop_, fd_, this, interest_ | EPOLLOUT, &interest_);
        return;
      case IoResult::kClosed:
        if (framer_.buffered() > 0) {
          Fail(CloseReason::kReset, kMidMessageText);
        } else {
          Fail(CloseReason::kPeerClosed, kPeerClosedText);
        }
        return;
      case IoResult::kError:
        Fail(CloseReason::kReset, ErrorDetail(secure_.get(), error));
        return;
    }
    framer_.Append(std::string_view(buffer, read));
    std::string_view message;
    StreamFramer::Result framed;
    bool completed = false;
    while ((framed = framer_.Next(&message)) == StreamFramer::Result::kMessage) {
      completed = true;
      events_.OnStreamMessage(*this, message);
      if (state_ == State::kClosed) return;  // the owner closed inside the callback
    }
    if (framed == StreamFramer::Result::kError) {
      Fail(CloseReason::kFraming, framer_.error());
      return;
    }
    // What is left began in this read if a message just ended before it.
    if (framer_.buffered() == 0) {
      incomplete_since_us_ = 0;
    } else if (completed || incomplete_since_us_ == 0) {
      incomplete_since_us_ = loop_.clock().NowMicros();
    }
    // A short plain read drained the socket; TLS may still hold decrypted
    // bytes that epoll cannot see, so it reads on until kWantRead.
    if (secure_ == nullptr && read < sizeof(buffer)) return;
  }
}

// TLS channels must accept a retry whose bytes moved in memory but are the
// same and no fewer (OpenSSL: SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER with
// partial writes): out_ only grows at the end and out_offset_ only advances
// by bytes the channel took.
void StreamConnection::DoWrite() {
  if (pending_write_bytes() > 0) {
    size_t written = 0;
    int error = 0;
    IoResult result = WriteSome(fd_, secure_.get(), out_.data() + out_offset_,
                                pending_write_bytes(), &written, &error);
    out_offset_ += written;
    if (out_offset_ == out_.size()) {
      out_.clear();
      out_offset_ = 0;
    } else if (out_offset_ >= kCompactOutputBytes && out_offset_ >= out_.size() / 2) {
      out_.erase(0, out_offset_);
      out_offset_ = 0;
    }
    if (result == IoResult::kError || result == IoResult::kClosed) {
      Fail(CloseReason::kReset, ErrorDetail(secure_.get(), error));
      return;
    }
    if (result == IoResult::kWantRead) {
      // Retried on EPOLLIN; EPOLLOUT would only spin meanwhile.
      SetInterest(loop_, fd_, this, EPOLLIN, &interest_);
      return;
    }
  }
  UpdateInterest();
}

void StreamConnection::UpdateInterest() {
  switch (state_) {
    case State::kConnecting:
      SetInterest(loop_, fd_, this, EPOLLOUT, &interest_);
      return;
    case State::kReady:
      SetInterest(loop_, fd_, this, EPOLLIN | (pending_write_bytes() > 0 ? EPOLLOUT : 0u),
                  &interest_);
      return;
    case State::kHandshaking:  // DoHandshake() picks the interest
    case State::kClosed:
      return;
  }
}

StreamListener::StreamListener(EventLoop& loop, int fd, const SocketAddress& local,
                               AcceptFn on_accept)
    : loop_(loop), fd_(fd), local_(local), on_accept_(std::move(on_accept)) {}

absl::StatusOr<std::unique_ptr<StreamListener>> StreamListener::Listen(EventLoop& loop,
                                                                       const SocketAddress& local,
                                                                       bool reuse_port,
                                                                       AcceptFn on_accept) {
  int fd = socket(local.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(base::Cat("socket(): ", strerror(errno)));
  // From here on the listener owns fd: every error path closes it.
  std::unique_ptr<StreamListener> listener(
      new StreamListener(loop, fd, local, std::move(on_accept)));
  SetIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  if (reuse_port) SetIntOption(fd, SOL_SOCKET, SO_REUSEPORT, 1);
  if (bind(fd, local.sockaddr_ptr(), local.length()) != 0) {
    int error = errno;
    std::string what = base::Cat("cannot listen on TCP ", local.ip_for_uri(), ":", local.port(),
                                 ": ", strerror(error));
    if (error == EADDRINUSE)
      return absl::FailedPreconditionError(base::Cat("address in use: ", what));
    if (error == EACCES) return absl::FailedPreconditionError(what);
    return absl::InternalError(what);
  }
  if (listen(fd, kListenBacklog) != 0) {
    return absl::InternalError(base::Cat("listen(): ", strerror(errno)));
  }
  listener->local_ = LocalAddress(fd);  // the real port when `local` asked for 0
  if (absl::Status status = loop.Watch(fd, EPOLLIN, listener.get()); !status.ok()) return status;
  return listener;
}

StreamListener::~StreamListener() {
  loop_.Unwatch(fd_);
  close(fd_);
}

void StreamListener::OnEvents(uint32_t epoll_events) {
  for (int i = 0; i < kMaxAcceptsPerEvent; ++i) {
    sockaddr_storage storage;
    socklen_t length = sizeof(storage);
    int fd =
        accept4(fd_, reinterpret_cast<sockaddr*>(&storage), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // A connection that died in the backlog is skipped; anything else
      // (EAGAIN, EMFILE...) waits for the next event.
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
      return;
    }
    SetIntOption(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    on_accept_(fd,
               SocketAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&storage), length));
  }
}

}  // namespace sipfleet::transport
