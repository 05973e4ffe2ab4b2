#include "common/rtp/rtp_echo.h"

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/transport/socket_address.h"

namespace sipfleet::rtp {

using transport::SocketAddress;
using transport::UdpSocket;

absl::StatusOr<RtpEcho::BoundPair> RtpEcho::BindEchoPair(const std::string& ip, uint16_t first_port,
                                                         int tries, int buffer_bytes) {
  if (tries < 1) return absl::InvalidArgumentError("BindEchoPair: tries must be >= 1");
  absl::StatusOr<SocketAddress> address = SocketAddress::Resolve(ip, 0);
  if (!address.ok()) return address.status();
  absl::Status last = absl::OkStatus();
  for (int attempt = 0; attempt < tries; ++attempt) {
    // With first_port 0 every try draws a new ephemeral port.
    const uint32_t port = first_port == 0 ? 0 : first_port + 2u * static_cast<uint32_t>(attempt);
    if (port + 2 > UINT16_MAX) break;
    address->set_port(static_cast<uint16_t>(port));
    absl::StatusOr<std::unique_ptr<UdpSocket>> media = UdpSocket::Bind(*address, buffer_bytes);
    if (!media.ok()) {
      last = media.status();
      if (last.code() != absl::StatusCode::kFailedPrecondition) return last;
      continue;
    }
    const uint16_t bound = (*media)->local_address().port();
    if (bound > UINT16_MAX - 2) continue;  // an ephemeral port without room for +2
    address->set_port(static_cast<uint16_t>(bound + 2));
    absl::StatusOr<std::unique_ptr<UdpSocket>> plus_2 = UdpSocket::Bind(*address, buffer_bytes);
    if (!plus_2.ok()) {
      last = plus_2.status();
      if (last.code() != absl::StatusCode::kFailedPrecondition) return last;
      continue;
    }
    return BoundPair{*std::move(media), *std::move(plus_2), bound};
  }
  return absl::FailedPreconditionError(
      base::Cat("no free RTP echo port pair on ", ip, " from port ", first_port, " after ", tries,
                " tries", last.ok() ? "" : ": ", last.ok() ? "" : std::string(last.message())));
}

RtpEcho::RtpEcho(std::vector<std::unique_ptr<UdpSocket>> sockets, size_t buffer_bytes)
    : sockets_(std::move(sockets)),
      buffer_bytes_(std::max<size_t>(buffer_bytes, 1)),
      buffer_(static_cast<size_t>(kBatch) * buffer_bytes_),
      in_(kBatch),
      out_(kBatch),
      in_iov_(kBatch),
      out_iov_(kBatch),
      sources_(kBatch) {}

RtpEcho::RtpEcho(BoundPair pair, size_t buffer_bytes)
    : RtpEcho(
          [&pair] {
            std::vector<std::unique_ptr<UdpSocket>> sockets;
            sockets.push_back(std::move(pair.media));
            sockets.push_back(std::move(pair.media_plus_2));
            return sockets;
          }(),
          buffer_bytes) {}

void RtpEcho::Mute(const transport::SocketAddress& source) {
  if (std::find(muted_sources_.begin(), muted_sources_.end(), source) == muted_sources_.end()) {
    muted_sources_.push_back(source);
  }
}

void RtpEcho::Unmute(const transport::SocketAddress& source) {
  muted_sources_.erase(std::remove(muted_sources_.begin(), muted_sources_.end(), source),
                       muted_sources_.end());
}

std::vector<int> RtpEcho::fds() const {
  std::vector<int> fds;
  for (const auto& socket : sockets_) fds.push_back(socket->fd());
  return fds;
}

void RtpEcho::OnEvents(uint32_t /*epoll_events*/) {
  for (const auto& socket : sockets_) {
    for (int batch = 0; batch < kMaxBatchesPerEvent; ++batch) {
      if (EchoBatch(socket->fd()) < kBatch) break;
    }
  }
}

int RtpEcho::EchoBatch(int fd) {
  const size_t slot = buffer_bytes_;
  for (int i = 0; i < kBatch; ++i) {
    in_iov_[i] = {buffer_.data() + static_cast<size_t>(i) * slot, buffer_bytes_};
    msghdr& h = in_[i].msg_hdr;
    h = {};
    h.msg_name = &sources_[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &in_iov_[i];
    h.msg_iovlen = 1;
  }
  int n = recvmmsg(fd, in_.data(), kBatch, MSG_DONTWAIT, nullptr);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ++receive_errors_;
    return 0;
  }
  int out = 0;
  for (int i = 0; i < n; ++i) {
    const msghdr& h = in_[i].msg_hdr;
    if ((h.msg_flags & MSG_TRUNC) != 0) {
      ++truncated_;
      continue;
    }
    if (!muted_sources_.empty() &&
        std::find(muted_sources_.begin(), muted_sources_.end(),
                  transport::SocketAddress::FromSockaddr(
                      reinterpret_cast<const sockaddr*>(&sources_[i]), h.msg_namelen)) !=
            muted_sources_.end()) {
      ++muted_;
      continue;
    }
    out_iov_[out] = {in_iov_[i].iov_base, in_[i].msg_len};
    msghdr& o = out_[out].msg_hdr;
    o = {};
    o.msg_name = &sources_[i];
    o.msg_namelen = h.msg_namelen;
    o.msg_iov = &out_iov_[out];
    o.msg_iovlen = 1;
    out_[out].msg_len = 0;
    ++out;
  }
  for (int done = 0; done < out;) {
    int rc = sendmmsg(fd, out_.data() + done, static_cast<unsigned>(out - done), MSG_DONTWAIT);
    if (rc < 0) {
      if (errno == EINTR) continue;
      ++send_errors_;
      ++done;
      continue;
    }
    for (int i = done; i < done + rc; ++i) {
      ++echoed_packets_;
      echoed_bytes_ += out_[i].msg_len;
    }
    done += rc;
  }
  return n;
}

}  // namespace sipfleet::rtp
