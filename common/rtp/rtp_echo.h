#ifndef SIPFLEET_COMMON_RTP_RTP_ECHO_H_
#define SIPFLEET_COMMON_RTP_RTP_ECHO_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/transport/event_loop.h"
#include "common/transport/udp_socket.h"

namespace sipfleet::rtp {

// SIPp's -rtp_echo: every UDP datagram received on the media port, and on
// the media port + 2 (SIPp's video port), is sent back to its source from
// the socket it arrived on. Register each of fds() with the worker's event
// loop (EPOLLIN) and this handler; any event drains all the sockets, each in
// a bounded number of recvmmsg batches (level-triggered epoll calls again if
// more is pending), so one flood cannot starve the loop. Single-threaded:
// used on the loop thread only.
class RtpEcho final : public transport::FdHandler {
 public:
  static constexpr size_t kDefaultBufferBytes = 2048;  // SIPp's -mb default
  static constexpr int kBatch = 32;                    // datagrams per recvmmsg
  static constexpr int kMaxBatchesPerEvent = 16;

  // The two bound echo sockets and the media port they were bound at.
  struct BoundPair {
    std::unique_ptr<transport::UdpSocket> media;         // port
    std::unique_ptr<transport::UdpSocket> media_plus_2;  // port + 2
    uint16_t port = 0;
  };

  // Binds `ip`:port and `ip`:port+2, trying port = first_port, first_port+2,
  // ... up to `tries` times while either is in use (SIPp moves on to the
  // next port pair too). first_port 0 = any free port for the first socket.
  // `buffer_bytes` sets SO_RCVBUF/SO_SNDBUF (0 = system default).
  // Errors: InvalidArgument (bad ip, tries < 1), FailedPrecondition (every
  // pair in use), Internal.
  static absl::StatusOr<BoundPair> BindEchoPair(const std::string& ip, uint16_t first_port,
                                                int tries, int buffer_bytes = 0);

  // Echoes on `sockets` (owned). `buffer_bytes` is -mb: a datagram larger
  // than that is counted in truncated() and not echoed.
  explicit RtpEcho(std::vector<std::unique_ptr<transport::UdpSocket>> sockets,
                   size_t buffer_bytes = kDefaultBufferBytes);
  // Convenience: echoes on both sockets of `pair`.
  explicit RtpEcho(BoundPair pair, size_t buffer_bytes = kDefaultBufferBytes);
  RtpEcho(const RtpEcho&) = delete;
  RtpEcho& operator=(const RtpEcho&) = delete;

  // transport::FdHandler: drains every socket and echoes what it read.
  void OnEvents(uint32_t epoll_events) override;

  std::vector<int> fds() const;

  // SIPp's per-call <rtp_echo value="0|1"/>: datagrams from `source` (the
  // address a call's SDP announced; symmetric RTP) are dropped, not echoed,
  // until Unmute. Counted in muted().
  void Mute(const transport::SocketAddress& source);
  void Unmute(const transport::SocketAddress& source);
  uint64_t muted() const { return muted_; }
  uint64_t echoed_packets() const { return echoed_packets_; }
  uint64_t echoed_bytes() const { return echoed_bytes_; }
  uint64_t truncated() const { return truncated_; }
  uint64_t send_errors() const { return send_errors_; }
  uint64_t receive_errors() const { return receive_errors_; }

 private:
  // One recvmmsg + sendmmsg round on `fd`; returns the datagrams read.
  int EchoBatch(int fd);

  std::vector<std::unique_ptr<transport::UdpSocket>> sockets_;
  size_t buffer_bytes_;
  std::vector<char> buffer_;  // kBatch slots of buffer_bytes_
  std::vector<mmsghdr> in_;
  std::vector<mmsghdr> out_;
  std::vector<iovec> in_iov_;
  std::vector<iovec> out_iov_;
  std::vector<sockaddr_storage> sources_;
  uint64_t echoed_packets_ = 0;
  uint64_t echoed_bytes_ = 0;
  uint64_t truncated_ = 0;
  uint64_t send_errors_ = 0;
  uint64_t receive_errors_ = 0;
  uint64_t muted_ = 0;
  std::vector<transport::SocketAddress> muted_sources_;  // few: scanned per datagram
};

}  // namespace sipfleet::rtp

#endif  // SIPFLEET_COMMON_RTP_RTP_ECHO_H_
