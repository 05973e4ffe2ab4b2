#ifndef SIPFLEET_COMMON_RTP_RTP_TEST_UTIL_H_
#define SIPFLEET_COMMON_RTP_RTP_TEST_UTIL_H_

// Test-only helpers for sipfleet_rtp: SIPp's pcaps, audio files, frame
// builders for synthetic captures, and a loopback UDP receiver.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/transport/socket_address.h"
#include "common/transport/udp_socket.h"

namespace sipfleet::rtp::testing {

// One of SIPp's pcaps as Debian's sip-tester installs them
// (SIPFLEET_SIP_TESTER_DIR + "/" + name: "g711a.pcap", "dtmf_2833_1.pcap"...).
std::string SipTesterPcap(std::string_view name);
// A raw audio file of `bytes` bytes (a repeating ramp, deterministic) under
// the test temporary directory, standing in for SIPp's
// media/beep_1sec_50x160b.* files (1 s of A-law is 8000 bytes).
std::string MakeAudioFile(std::string_view name, size_t bytes);
// A fresh path under the test temporary directory.
std::string TempPath(std::string_view name);
void WriteFile(const std::string& path, std::string_view contents);

// A minimal RTP packet: version 2, `payload_type`, `sequence`, then `payload`.
std::string MakeRtp(uint8_t payload_type, uint16_t sequence, std::string_view payload);

// Link-layer-less IP packets carrying one UDP datagram.
std::string Ipv4Udp(uint16_t src_port, uint16_t dst_port, std::string_view payload,
                    uint16_t fragment_field = 0);
std::string Ipv6Udp(uint16_t src_port, uint16_t dst_port, std::string_view payload,
                    bool with_hop_by_hop = false);
// Link headers.
std::string Ethernet(std::string_view ip_packet, bool vlan_tag = false);
std::string LinuxSll(std::string_view ip_packet);
std::string LinuxSll2(std::string_view ip_packet);
std::string BsdNull(std::string_view ip_packet);

struct Frame {
  int64_t time_us;
  std::string bytes;
  uint32_t original_length = 0;  // 0 = bytes.size(); larger = cut by snaplen
};
// Writes `frames` with libpcap (pcap_open_dead + pcap_dump) for `link_type`.
void WritePcap(const std::string& path, int link_type, const std::vector<Frame>& frames);

// A bound loopback UDP socket that collects what arrives.
class Receiver {
 public:
  explicit Receiver(bool ipv6 = false, uint16_t port = 0);
  bool ok() const { return socket_ != nullptr; }
  const transport::SocketAddress& address() const { return socket_->local_address(); }
  int fd() const { return socket_->fd(); }
  // Appends every datagram already queued to `datagrams` and returns how many.
  int Drain();
  // Drains until `count` datagrams were received in total, waiting with poll()
  // up to 2 s for each one. Returns the total.
  size_t WaitFor(size_t count);
  std::vector<std::string> datagrams;
  std::vector<transport::SocketAddress> sources;

 private:
  std::unique_ptr<transport::UdpSocket> socket_;
};

}  // namespace sipfleet::rtp::testing

#endif  // SIPFLEET_COMMON_RTP_RTP_TEST_UTIL_H_
