#include "common/transport/udp_socket.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::transport {

absl::StatusOr<std::unique_ptr<UdpSocket>> UdpSocket::Bind(const SocketAddress& local,
                                                           int buffer_bytes, bool reuse_port) {
  int fd = socket(local.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(base::Cat("socket(): ", strerror(errno)));
  if (reuse_port) {
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  }
  if (buffer_bytes > 0) {
    // SO_*BUFFORCE lifts the rmem_max cap when we are privileged; fall back.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer_bytes, sizeof(buffer_bytes)) != 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof(buffer_bytes));
    }
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buffer_bytes, sizeof(buffer_bytes)) != 0) {
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof(buffer_bytes));
    }
  }
  if (bind(fd, local.sockaddr_ptr(), local.length()) != 0) {
    int err = errno;
    close(fd);
    std::string what =
        base::Cat("cannot bind UDP ", local.ip_for_uri(), ":", local.port(), ": ", strerror(err));
    if (err == EADDRINUSE || err == EACCES) return absl::FailedPreconditionError(what);
    return absl::InternalError(what);
  }
  SocketAddress bound = local;
  socklen_t len = SocketAddress::kCapacity;
  getsockname(fd, bound.mutable_sockaddr(), &len);
  bound.set_length(len);
  return std::unique_ptr<UdpSocket>(new UdpSocket(fd, bound));
}

UdpSocket::~UdpSocket() { close(fd_); }

absl::Status UdpSocket::BindToDevice(const std::string& device) {
  if (setsockopt(fd_, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(),
                 static_cast<socklen_t>(device.size())) != 0) {
    return absl::InvalidArgumentError(
        base::Cat("-bind_to_device ", device, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

ReceiveBatch::ReceiveBatch(int datagram_bytes)
    : slot_bytes_(static_cast<size_t>(datagram_bytes)),
      buffer_(static_cast<size_t>(kMaxDatagrams) * slot_bytes_),
      headers_(kMaxDatagrams),
      iovecs_(kMaxDatagrams),
      sources_(kMaxDatagrams) {}

int ReceiveBatch::Receive(int fd) {
  for (int i = 0; i < kMaxDatagrams; ++i) {
    iovecs_[i] = {buffer_.data() + static_cast<size_t>(i) * slot_bytes_, slot_bytes_};
    msghdr& h = headers_[i].msg_hdr;
    h = {};
    h.msg_name = &sources_[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &iovecs_[i];
    h.msg_iovlen = 1;
  }
  int n = recvmmsg(fd, headers_.data(), kMaxDatagrams, MSG_DONTWAIT, nullptr);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -errno;
  return n;
}

std::string_view ReceiveBatch::datagram(int i) const {
  return std::string_view(static_cast<const char*>(iovecs_[i].iov_base),
                          std::min<size_t>(headers_[i].msg_len, slot_bytes_));
}

SocketAddress ReceiveBatch::source(int i) const {
  return SocketAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&sources_[i]),
                                     headers_[i].msg_hdr.msg_namelen);
}

bool ReceiveBatch::truncated(int i) const { return headers_[i].msg_hdr.msg_flags & MSG_TRUNC; }

void SendBatch::Queue(std::string_view data, const SocketAddress& to) {
  if (entries_.size() >= kMaxDatagrams) failures_ += Flush();
  entries_.push_back(Entry{bytes_.size(), data.size(), to});
  bytes_.append(data);
}

int SendBatch::Flush() {
  int failures = failures_;
  failures_ = 0;
  if (entries_.empty()) return failures;
  size_t n = entries_.size();
  headers_.resize(n);
  iovecs_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    iovecs_[i] = {bytes_.data() + entries_[i].offset, entries_[i].length};
    msghdr& h = headers_[i].msg_hdr;
    h = {};
    h.msg_name = const_cast<sockaddr*>(entries_[i].to.sockaddr_ptr());
    h.msg_namelen = entries_[i].to.length();
    h.msg_iov = &iovecs_[i];
    h.msg_iovlen = 1;
  }
  size_t sent = 0;
  while (sent < n) {
    int rc = sendmmsg(fd_, headers_.data() + sent, static_cast<unsigned>(n - sent), 0);
    if (rc < 0) {
      if (errno == EINTR) continue;
      // Skip the datagram the kernel refused (EAGAIN: buffer full; others:
      // unreachable peer) and carry on with the rest.
      ++failures;
      ++sent;
      continue;
    }
    sent += static_cast<size_t>(rc);
  }
  entries_.clear();
  bytes_.clear();
  return failures;
}

}  // namespace sipfleet::transport
