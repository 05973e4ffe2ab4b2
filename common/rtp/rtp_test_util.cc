#include "common/rtp/rtp_test_util.h"

#include <pcap/pcap.h>
#include <poll.h>
#include <unistd.h>

#include <fstream>

#include "gtest/gtest.h"

namespace sipfleet::rtp::testing {
namespace {

void Put16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

std::string UdpHeader(uint16_t src_port, uint16_t dst_port, std::string_view payload) {
  std::string udp;
  Put16(&udp, src_port);
  Put16(&udp, dst_port);
  Put16(&udp, static_cast<uint16_t>(8 + payload.size()));
  Put16(&udp, 0);  // checksum: optional over IPv4, not verified by the reader
  udp.append(payload);
  return udp;
}

}  // namespace

std::string SipTesterPcap(std::string_view name) {
  return std::string(SIPFLEET_SIP_TESTER_DIR) + "/" + std::string(name);
}

std::string MakeAudioFile(std::string_view name, size_t bytes) {
  std::string audio(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) audio[i] = static_cast<char>((i * 7) % 251);
  std::string path = TempPath(name);
  WriteFile(path, audio);
  return path;
}

std::string TempPath(std::string_view name) {
  return ::testing::TempDir() + "sipfleet_rtp_" + std::to_string(getpid()) + "_" +
         std::string(name);
}

void WriteFile(const std::string& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
}

std::string MakeRtp(uint8_t payload_type, uint16_t sequence, std::string_view payload) {
  std::string rtp = {'\x80', static_cast<char>(payload_type)};
  Put16(&rtp, sequence);
  rtp.append(8, '\x11');  // timestamp and SSRC
  rtp.append(payload);
  return rtp;
}

std::string Ipv4Udp(uint16_t src_port, uint16_t dst_port, std::string_view payload,
                    uint16_t fragment_field) {
  std::string udp = UdpHeader(src_port, dst_port, payload);
  std::string ip = {'\x45', '\0'};
  Put16(&ip, static_cast<uint16_t>(20 + udp.size()));
  Put16(&ip, 0x1234);  // identification
  Put16(&ip, fragment_field);
  ip += {'\x40', '\x11', '\0', '\0'};  // TTL 64, UDP, checksum
  ip += {'\x7f', '\0', '\0', '\x01'};  // 127.0.0.1
  ip += {'\x7f', '\0', '\0', '\x02'};  // 127.0.0.2
  return ip + udp;
}

std::string Ipv6Udp(uint16_t src_port, uint16_t dst_port, std::string_view payload,
                    bool with_hop_by_hop) {
  std::string next = UdpHeader(src_port, dst_port, payload);
  char next_header = 17;
  if (with_hop_by_hop) {
    std::string hop = {'\x11', '\0', '\x01', '\x04', '\0', '\0', '\0', '\0'};  // PadN
    next = hop + next;
    next_header = 0;
  }
  std::string ip = {'\x60', '\0', '\0', '\0'};
  Put16(&ip, static_cast<uint16_t>(next.size()));
  ip += {next_header, '\x40'};
  ip.append(15, '\0');
  ip.push_back('\x01');  // ::1
  ip.append(15, '\0');
  ip.push_back('\x02');  // ::2
  return ip + next;
}

std::string Ethernet(std::string_view ip_packet, bool vlan_tag) {
  std::string frame(12, '\x02');
  if (vlan_tag) frame += {'\x81', '\0', '\0', '\x05'};
  Put16(&frame, (ip_packet[0] >> 4) == 6 ? 0x86dd : 0x0800);
  return frame + std::string(ip_packet);
}

std::string LinuxSll(std::string_view ip_packet) {
  std::string frame(14, '\0');
  Put16(&frame, (ip_packet[0] >> 4) == 6 ? 0x86dd : 0x0800);
  return frame + std::string(ip_packet);
}

std::string LinuxSll2(std::string_view ip_packet) {
  std::string frame;
  Put16(&frame, (ip_packet[0] >> 4) == 6 ? 0x86dd : 0x0800);
  frame.append(18, '\0');
  return frame + std::string(ip_packet);
}

std::string BsdNull(std::string_view ip_packet) {
  std::string frame = {'\x02', '\0', '\0', '\0'};  // AF_INET, host order (LE)
  return frame + std::string(ip_packet);
}

void WritePcap(const std::string& path, int link_type, const std::vector<Frame>& frames) {
  pcap_t* dead = pcap_open_dead(link_type, 65535);
  ASSERT_NE(dead, nullptr);
  pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
  ASSERT_NE(dumper, nullptr) << pcap_geterr(dead);
  for (const Frame& frame : frames) {
    pcap_pkthdr header{};
    header.ts.tv_sec = frame.time_us / 1'000'000;
    header.ts.tv_usec = frame.time_us % 1'000'000;
    header.caplen = static_cast<uint32_t>(frame.bytes.size());
    header.len = frame.original_length != 0 ? frame.original_length : header.caplen;
    pcap_dump(reinterpret_cast<u_char*>(dumper), &header,
              reinterpret_cast<const u_char*>(frame.bytes.data()));
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
}

Receiver::Receiver(bool ipv6, uint16_t port) {
  auto address = transport::SocketAddress::Resolve(ipv6 ? "::1" : "127.0.0.1", port);
  if (!address.ok()) return;
  auto socket = transport::UdpSocket::Bind(*address, 4 << 20);
  if (socket.ok()) socket_ = *std::move(socket);
}

int Receiver::Drain() {
  int n = 0;
  char buffer[65536];
  while (true) {
    sockaddr_storage from{};
    socklen_t from_len = sizeof(from);
    ssize_t len = recvfrom(socket_->fd(), buffer, sizeof(buffer), MSG_DONTWAIT,
                           reinterpret_cast<sockaddr*>(&from), &from_len);
    if (len < 0) return n;
    datagrams.emplace_back(buffer, static_cast<size_t>(len));
    sources.push_back(
        transport::SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&from), from_len));
    ++n;
  }
}

size_t Receiver::WaitFor(size_t count) {
  Drain();
  while (datagrams.size() < count) {
    pollfd p{socket_->fd(), POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) break;
    Drain();
  }
  return datagrams.size();
}

}  // namespace sipfleet::rtp::testing
