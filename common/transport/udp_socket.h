#ifndef SIPFLEET_COMMON_TRANSPORT_UDP_SOCKET_H_
#define SIPFLEET_COMMON_TRANSPORT_UDP_SOCKET_H_

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/transport/socket_address.h"

namespace sipfleet::transport {

// A bound, non-blocking UDP socket (SIPp's -t u1). Thread-safe for sendto
// and recv from several threads (the kernel serialises datagrams); the
// batching helpers below are per-thread objects.
class UdpSocket {
 public:
  // Binds `local`. port 0 = any free port. `buffer_bytes` sets SO_SNDBUF and
  // SO_RCVBUF (-buff_size). Errors: FailedPrecondition when the address is in
  // use (SIPp exit 254), Internal otherwise.
  // With `reuse_port`, several sockets may share the address
  // (SO_REUSEADDR + SO_REUSEPORT): calls sending RTP from the one port their
  // SDP offered.
  static absl::StatusOr<std::unique_ptr<UdpSocket>> Bind(const SocketAddress& local,
                                                         int buffer_bytes,
                                                         bool reuse_port = false);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // SO_BINDTODEVICE (-bind_to_device; needs CAP_NET_RAW).
  absl::Status BindToDevice(const std::string& device);

  int fd() const { return fd_; }
  const SocketAddress& local_address() const { return local_; }

 private:
  UdpSocket(int fd, SocketAddress local) : fd_(fd), local_(local) {}
  int fd_;
  SocketAddress local_;
};

// Received datagrams from one recvmmsg() call. Views stay valid until the
// next Receive().
class ReceiveBatch {
 public:
  static constexpr int kMaxDatagrams = 64;
  static constexpr int kMaxDatagramBytes = 65536;

  // `datagram_bytes`: the largest datagram kept whole; longer ones are
  // reported truncated.
  explicit ReceiveBatch(int datagram_bytes = kMaxDatagramBytes);
  // Reads up to kMaxDatagrams. Returns the count (0 when nothing is ready);
  // errors other than EAGAIN are returned as -errno.
  int Receive(int fd);
  std::string_view datagram(int i) const;
  SocketAddress source(int i) const;
  // True if datagram i was larger than the buffer and got cut.
  bool truncated(int i) const;

 private:
  size_t slot_bytes_;
  std::vector<char> buffer_;
  std::vector<mmsghdr> headers_;
  std::vector<iovec> iovecs_;
  std::vector<sockaddr_storage> sources_;
};

// Outgoing datagrams collected during one loop iteration and sent with one
// sendmmsg() call.
class SendBatch {
 public:
  static constexpr int kMaxDatagrams = 64;
  explicit SendBatch(int fd) : fd_(fd) {}
  // Queues a copy of `data` for `to`; flushes first if the batch is full.
  void Queue(std::string_view data, const SocketAddress& to);
  // Sends everything queued. Returns the number of datagrams the kernel
  // refused (counted by the caller as send errors).
  int Flush();
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    size_t offset;
    size_t length;
    SocketAddress to;
  };
  int fd_;
  std::string bytes_;
  std::vector<Entry> entries_;
  std::vector<mmsghdr> headers_;
  std::vector<iovec> iovecs_;
  int failures_ = 0;
};

}  // namespace sipfleet::transport

#endif  // SIPFLEET_COMMON_TRANSPORT_UDP_SOCKET_H_
