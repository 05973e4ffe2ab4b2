#include "common/rtp/pcap_media.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/rtp/rtp_header.h"

namespace sipfleet::rtp {
namespace {

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr uint8_t kIpProtoUdp = 17;
constexpr size_t kUdpHeaderBytes = 8;

uint16_t Read16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// A bounded view of one captured frame.
struct Bytes {
  const uint8_t* data;
  size_t size;
};

// What one frame held, if it was a usable UDP datagram.
struct UdpDatagram {
  uint16_t dst_port;
  Bytes payload;
};

// The outcome of parsing one frame: skipped (not UDP, fragment, malformed),
// a datagram, or a UDP datagram cut by the snap length.
struct FrameResult {
  enum class Type { kSkip, kUdp, kTruncated } type = Type::kSkip;
  UdpDatagram udp{};
};

// Parses the UDP header at `ip_payload` (bounded by the IP packet length
// `ip_bytes_left`, itself possibly beyond the captured bytes).
FrameResult ParseUdp(Bytes captured, size_t ip_bytes_left) {
  if (ip_bytes_left < kUdpHeaderBytes) return {};
  if (captured.size < kUdpHeaderBytes) return {FrameResult::Type::kTruncated, {}};
  size_t udp_length = Read16(captured.data + 4);
  if (udp_length == 0) udp_length = ip_bytes_left;  // RFC 2675 jumbogram
  if (udp_length < kUdpHeaderBytes || udp_length > ip_bytes_left) return {};
  if (captured.size < udp_length) return {FrameResult::Type::kTruncated, {}};
  return {
      FrameResult::Type::kUdp,
      {Read16(captured.data + 2), {captured.data + kUdpHeaderBytes, udp_length - kUdpHeaderBytes}}};
}

// IPv4 (RFC 791): skips fragments and options.
FrameResult ParseIpv4(Bytes ip) {
  if (ip.size < 20) return {};
  size_t header = size_t{ip.data[0] & 0x0fu} * 4;
  size_t total = Read16(ip.data + 2);
  bool fragment = (Read16(ip.data + 6) & 0x3fff) != 0;  // MF flag or offset
  if (header < 20 || total < header || fragment || ip.data[9] != kIpProtoUdp) return {};
  if (ip.size < header) return {};
  return ParseUdp({ip.data + header, ip.size - header}, total - header);
}

// IPv6 (RFC 8200): walks hop-by-hop, routing, destination options and AH
// headers; skips fragments.
FrameResult ParseIpv6(Bytes ip) {
  if (ip.size < 40) return {};
  size_t left = Read16(ip.data + 4);  // payload length
  uint8_t next = ip.data[6];
  size_t offset = 40;
  while (next != kIpProtoUdp) {
    if (next != 0 && next != 43 && next != 60 && next != 51) return {};  // 44 = fragment
    if (ip.size < offset + 2) return {};
    size_t length =
        next == 51 ? (size_t{ip.data[offset + 1]} + 2) * 4 : (size_t{ip.data[offset + 1]} + 1) * 8;
    if (length > left) return {};
    next = ip.data[offset];
    offset += length;
    left -= length;
  }
  if (ip.size < offset) return {};
  return ParseUdp({ip.data + offset, ip.size - offset}, left);
}

FrameResult ParseIp(Bytes ip) {
  if (ip.size < 1) return {};
  switch (ip.data[0] >> 4) {
    case 4:
      return ParseIpv4(ip);
    case 6:
      return ParseIpv6(ip);
    default:
      return {};
  }
}

FrameResult ParseByEtherType(uint16_t ether_type, Bytes rest) {
  if (ether_type == kEtherTypeIpv4 || ether_type == kEtherTypeIpv6) return ParseIp(rest);
  return {};
}

FrameResult ParseEthernet(Bytes frame) {
  size_t offset = 12;
  while (frame.size >= offset + 2) {
    uint16_t ether_type = Read16(frame.data + offset);
    if (ether_type == 0x8100 || ether_type == 0x88a8 || ether_type == 0x9100) {
      offset += 4;  // 802.1Q / 802.1ad tag
      continue;
    }
    offset += 2;
    return ParseByEtherType(ether_type, {frame.data + offset, frame.size - offset});
  }
  return {};
}

// Returns nullopt for an unsupported link type.
std::optional<FrameResult> ParseFrame(int link_type, Bytes frame) {
  auto skip = [&](size_t n) { return Bytes{frame.data + n, frame.size - n}; };
  switch (link_type) {
    case DLT_EN10MB:
      return ParseEthernet(frame);
    case DLT_LINUX_SLL:  // 16-byte header, protocol last
      if (frame.size < 16) return FrameResult{};
      return ParseByEtherType(Read16(frame.data + 14), skip(16));
    case DLT_LINUX_SLL2:  // 20-byte header, protocol first
      if (frame.size < 20) return FrameResult{};
      return ParseByEtherType(Read16(frame.data), skip(20));
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
      return ParseIp(frame);
    case DLT_NULL:  // 4-byte address family; the IP version says the rest
    case DLT_LOOP:
      if (frame.size < 4) return FrameResult{};
      return ParseIp(skip(4));
    default:
      return std::nullopt;
  }
}

absl::Status Invalid(const std::string& path, std::string_view what) {
  return absl::InvalidArgumentError(base::Cat(path, ": ", what));
}

// A payload before the views are built: where it sits in the byte buffer.
struct PendingPacket {
  int64_t offset_us;
  uint16_t dst_port;
  size_t start;
  size_t length;
};

// The UDP payloads of a capture, read but not yet turned into PcapPackets.
struct RawCapture {
  std::string bytes;
  std::vector<PendingPacket> packets;
};

struct PcapCloser {
  void operator()(pcap_t* pcap) const { pcap_close(pcap); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

absl::StatusOr<PcapHandle> OpenCapture(const std::string& path) {
  FILE* file = fopen(path.c_str(), "rb");
  if (file == nullptr) return Invalid(path, base::Cat("cannot open: ", strerror(errno)));
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap =
      pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (pcap == nullptr) {
    fclose(file);
    return Invalid(path, base::Cat("not a pcap or pcapng capture (", errbuf, ")"));
  }
  return PcapHandle(pcap);  // pcap_close() also closes `file`
}

// Appends the UDP payload of a frame captured at `time_us` to `capture`.
void AddDatagram(const UdpDatagram& udp, int64_t time_us, int64_t* first_us, RawCapture* capture) {
  if (capture->packets.empty()) *first_us = time_us;
  int64_t offset = time_us - *first_us;
  if (!capture->packets.empty()) offset = std::max(offset, capture->packets.back().offset_us);
  capture->packets.push_back({offset, udp.dst_port, capture->bytes.size(), udp.payload.size});
  capture->bytes.append(reinterpret_cast<const char*>(udp.payload.data), udp.payload.size);
}

absl::Status ReadFrames(pcap_t* pcap, const std::string& path, RawCapture* capture) {
  const int link_type = pcap_datalink(pcap);
  int64_t first_us = 0;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc;
  for (size_t frame = 1; (rc = pcap_next_ex(pcap, &header, &data)) == 1; ++frame) {
    std::optional<FrameResult> result = ParseFrame(link_type, {data, header->caplen});
    if (!result.has_value()) {
      return Invalid(path, base::Cat("unsupported link type ", link_type, " (",
                                     pcap_datalink_val_to_name(link_type), ")"));
    }
    if (result->type == FrameResult::Type::kTruncated) {
      return Invalid(
          path, base::Cat("UDP packet in frame ", frame, " is cut by the capture's snap length"));
    }
    if (result->type != FrameResult::Type::kUdp) continue;
    AddDatagram(result->udp, int64_t{header->ts.tv_sec} * 1'000'000 + header->ts.tv_usec, &first_us,
                capture);
  }
  if (rc == -1) return Invalid(path, base::Cat("read error: ", pcap_geterr(pcap)));
  if (capture->packets.empty()) return Invalid(path, "no UDP packets");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const PcapMedia>> PcapMedia::Load(const std::string& path,
                                                                 Kind kind) {
  absl::StatusOr<PcapHandle> pcap = OpenCapture(path);
  if (!pcap.ok()) return pcap.status();
  RawCapture capture;
  if (absl::Status s = ReadFrames(pcap->get(), path, &capture); !s.ok()) return s;

  std::shared_ptr<PcapMedia> media(new PcapMedia());
  media->bytes_ = std::move(capture.bytes);  // final home: the views below stay valid
  uint16_t base = UINT16_MAX;
  for (const PendingPacket& p : capture.packets) base = std::min(base, p.dst_port);
  media->base_port_ = base;
  media->packets_.reserve(capture.packets.size());
  bool any_rtp = false;
  for (const PendingPacket& p : capture.packets) {
    std::string_view payload(media->bytes_.data() + p.start, p.length);
    any_rtp = any_rtp || LooksLikeRtp(payload);
    media->packets_.push_back({p.offset_us, static_cast<uint16_t>(p.dst_port - base), payload});
  }
  if (kind == Kind::kRtp && !any_rtp) return Invalid(path, "no RTP packets");
  return std::shared_ptr<const PcapMedia>(std::move(media));
}

absl::StatusOr<std::shared_ptr<const PcapMedia>> PcapMedia::FromPackets(
    const std::vector<PcapPacket>& packets, uint16_t base_port) {
  std::shared_ptr<PcapMedia> media(new PcapMedia());
  size_t total = 0;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (i > 0 && packets[i].offset_us < packets[i - 1].offset_us) {
      return absl::InvalidArgumentError("packet offsets must not decrease");
    }
    total += packets[i].payload.size();
  }
  media->bytes_.reserve(total);  // no reallocation: the views below stay valid
  media->base_port_ = base_port;
  for (const PcapPacket& p : packets) {
    size_t start = media->bytes_.size();
    media->bytes_.append(p.payload);
    media->packets_.push_back({p.offset_us, p.dst_port_offset,
                               std::string_view(media->bytes_.data() + start, p.payload.size())});
  }
  return std::shared_ptr<const PcapMedia>(std::move(media));
}

}  // namespace sipfleet::rtp
