#ifndef SIPFLEET_COMMON_TRANSPORT_STREAM_CONNECTION_H_
#define SIPFLEET_COMMON_TRANSPORT_STREAM_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/transport/event_loop.h"
#include "common/transport/secure_channel.h"
#include "common/transport/socket_address.h"
#include "common/transport/stream_framer.h"

namespace sipfleet::transport {

class StreamConnection;

// Why a stream connection ended (each maps to its own counter).
enum class CloseReason : uint8_t {
  kPeerClosed,      // orderly FIN between messages
  kReset,           // ECONNRESET/EPIPE, or FIN in the middle of a message
  kConnectFailed,   // the non-blocking connect() failed (refused, unreachable)
  kTlsHandshake,    // TLS handshake failed (not a certificate problem)
  kTlsVerify,       // the peer's certificate did not verify (wrong CA...)
  kFraming,         // bad or missing Content-Length, message over the size limit
  kLocalClose,      // Close() was called
  kReadTimeout,     // a message or TLS handshake left unfinished too long (ExpireIncomplete)
};
std::string_view CloseReasonName(CloseReason reason);

// What a connection reports to its owner, on the loop thread.
class StreamEvents {
 public:
  virtual ~StreamEvents() = default;
  // The connection is usable (TCP connected, TLS handshake done). Bytes
  // queued with Send() before this are written now.
  virtual void OnStreamReady(StreamConnection& connection) {}
  // One complete SIP message framed by Content-Length (RFC 3261 §18.3).
  // The view is valid only during the call.
  virtual void OnStreamMessage(StreamConnection& connection, std::string_view message) = 0;
  // The connection is closed (fd closed, unwatched) and will report
  // nothing more. `detail` is human-readable (errno text, OpenSSL reason).
  virtual void OnStreamClosed(StreamConnection& connection, CloseReason reason,
                              std::string_view detail) = 0;
};

// A non-blocking TCP connection, optionally with TLS, driven by one event
// loop. Partial and coalesced reads are framed into whole messages; writes
// that the kernel does not take at once are buffered and finished on
// EPOLLOUT.
//
// Lifetime: the owner must not destroy a connection inside one of its
// callbacks, nor during the event loop's socket dispatch; it calls Close()
// (idempotent) and destroys the object later, e.g. at the loop's iteration
// end. After Close() or OnStreamClosed the connection ignores events.
class StreamConnection final : public FdHandler, private DeferredFlush {
 public:
  struct Options {
    // Source address: nullptr = kernel's choice. With port 0 the port is
    // picked at connect() time (IP_BIND_ADDRESS_NO_PORT): no bind-time
    // ephemeral port search, the reason SIPp's -t tn stalls.
    const SocketAddress* local = nullptr;
    std::string bind_to_device;                // SO_BINDTODEVICE, "" = none
    SecureChannelFactory* secure = nullptr;    // TLS when set
    size_t max_message_bytes = 1 << 20;        // larger messages close with kFraming
    int buffer_bytes = 0;                      // SO_SNDBUF/SO_RCVBUF, 0 = default
  };

  // Starts connecting to `remote`. Errors are immediate failures (no fd,
  // bad bind); an asynchronous failure arrives as OnStreamClosed
  // (kConnectFailed).
  static absl::StatusOr<std::unique_ptr<StreamConnection>> Connect(EventLoop& loop,
                                                                   const SocketAddress& remote,
                                                                   const Options& options,
                                                                   StreamEvents& events);
  // Takes an accepted socket (server side); the TLS handshake, if any,
  // starts at once.
  static absl::StatusOr<std::unique_ptr<StreamConnection>> Adopt(EventLoop& loop, int fd,
                                                                 const SocketAddress& peer,
                                                                 const Options& options,
                                                                 StreamEvents& events);
  ~StreamConnection() override;
  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  // Queues `bytes` (one or more whole messages). Returns false if the
  // connection is closed. The bytes go out at the end of the loop's
  // iteration, with everything else sent in it (one write, not one per
  // message); a failure is reported from there, never from inside Send().
  bool Send(std::string_view bytes);
  // Closes now (one last attempt to write what Send() queued in this
  // iteration); reports OnStreamClosed(kLocalClose) only if `notify`.
  void Close(bool notify = false);

  bool ready() const { return state_ == State::kReady; }
  bool closed() const { return state_ == State::kClosed; }
  bool resumed_tls() const;
  const SocketAddress& peer() const { return peer_; }
  const SocketAddress& local() const { return local_; }
  size_t pending_write_bytes() const { return out_.size() - out_offset_; }

  // Since when (the loop clock's micros) the connection has held the start
  // of a message it has not completed, or has been in its TLS handshake; 0
  // when nothing is unfinished. A peer that sends half a message and stops
  // would otherwise hold the connection forever: the owner bounds this.
  int64_t incomplete_since_us() const { return incomplete_since_us_; }
  // Closes now and reports OnStreamClosed(kReadTimeout, detail). Not to be
  // called from inside this connection's own callbacks.
  void ExpireIncomplete(std::string_view detail) { Fail(CloseReason::kReadTimeout, detail); }

  // Owner's tag (a call slot, a connection index...).
  uint64_t tag = 0;

  void OnEvents(uint32_t epoll_events) override;

 private:
  enum class State : uint8_t { kConnecting, kHandshaking, kReady, kClosed };
  StreamConnection(EventLoop& loop, int fd, const SocketAddress& peer, const Options& options,
                   StreamEvents& events);
  void OnConnected();
  void DoHandshake();
  void DoRead();
  void DoWrite();
  void UpdateInterest();
  void Fail(CloseReason reason, std::string_view detail);
  void FlushDeferred() override;
  void CancelScheduledFlush();

  EventLoop& loop_;
  int fd_;
  SocketAddress peer_;
  SocketAddress local_;
  StreamEvents& events_;
  SecureChannelFactory* secure_factory_;
  std::unique_ptr<SecureChannel> secure_;
  StreamFramer framer_;
  State state_ = State::kConnecting;
  uint32_t interest_ = 0;
  std::string out_;
  size_t out_offset_ = 0;
  bool flush_scheduled_ = false;  // loop_.ScheduleFlush(this) pending
  size_t flush_ticket_ = 0;       // its ticket for CancelFlush()
  int64_t incomplete_since_us_ = 0;
};

// A listening TCP socket. Each accepted socket is handed to `on_accept`
// (non-blocking, CLOEXEC, TCP_NODELAY set) on the loop thread.
class StreamListener final : public FdHandler {
 public:
  using AcceptFn = absl::AnyInvocable<void(int fd, const SocketAddress& peer)>;
  // Binds and listens on `local` (port 0 = any). With `reuse_port`, several
  // listeners (one per worker) may share the address (SO_REUSEPORT) and the
  // kernel spreads connections over them. Errors: FailedPrecondition when
  // the address is in use (SIPp exit 254).
  static absl::StatusOr<std::unique_ptr<StreamListener>> Listen(EventLoop& loop,
                                                                const SocketAddress& local,
                                                                bool reuse_port, AcceptFn on_accept);
  ~StreamListener() override;
  const SocketAddress& local_address() const { return local_; }
  void OnEvents(uint32_t epoll_events) override;

 private:
  StreamListener(EventLoop& loop, int fd, const SocketAddress& local, AcceptFn on_accept);
  EventLoop& loop_;
  int fd_;
  SocketAddress local_;
  AcceptFn on_accept_;
};

}  // namespace sipfleet::transport

#endif  // SIPFLEET_COMMON_TRANSPORT_STREAM_CONNECTION_H_
