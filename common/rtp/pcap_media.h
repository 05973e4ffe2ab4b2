#ifndef SIPFLEET_COMMON_RTP_PCAP_MEDIA_H_
#define SIPFLEET_COMMON_RTP_PCAP_MEDIA_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sipfleet::rtp {

// One UDP datagram of a capture, as play_pcap_* replays it.
struct PcapPacket {
  // Capture time minus the first UDP packet's, in µs; never decreasing
  // (a capture that goes back in time is flattened to the previous packet).
  int64_t offset_us = 0;
  // Original destination port minus PcapMedia::base_port(): the packet goes
  // to the peer's SDP port + this, so RTP and RTCP keep their spacing.
  uint16_t dst_port_offset = 0;
  // The UDP payload (RTP header included), a view into the PcapMedia.
  std::string_view payload;
};

// The UDP payloads of a pcap file, loaded once and shared read-only by every
// call (and worker thread) that plays it: immutable after Load(), so
// thread-safe. This is SIPp's play_pcap_audio/video/image media source.
class PcapMedia {
 public:
  // What the capture must contain.
  enum class Kind {
    kRtp,  // play_pcap_audio / play_pcap_video: at least one RTP v2 packet
    kAny,  // play_pcap_image (UDPTL/T.38) and other raw UDP: any UDP payload
  };

  // Reads `path` with libpcap (pcap or pcapng). Link types: Ethernet (with
  // 802.1Q/802.1ad tags), Linux cooked SLL and SLL2, raw IP, IPv4, IPv6 and
  // BSD loopback/null. IPv4 and IPv6 (extension headers skipped); only UDP
  // is kept, IP fragments are skipped. Every UDP payload is kept in capture
  // order, including non-RTP ones (SIPp replays them all).
  // Errors, all InvalidArgument with a message starting with `path`: the
  // file is unreadable, is not a capture, has an unsupported link type,
  // holds a UDP packet cut by the capture's snap length, has no UDP packet,
  // or (Kind::kRtp) has "no RTP packets".
  static absl::StatusOr<std::shared_ptr<const PcapMedia>> Load(const std::string& path,
                                                               Kind kind = Kind::kRtp);

  // Builds a media from packets whose payload views may point anywhere;
  // the payloads are copied. Offsets must not decrease (InvalidArgument).
  // For tests and generated media.
  static absl::StatusOr<std::shared_ptr<const PcapMedia>> FromPackets(
      const std::vector<PcapPacket>& packets, uint16_t base_port);

  PcapMedia(const PcapMedia&) = delete;
  PcapMedia& operator=(const PcapMedia&) = delete;

  const std::vector<PcapPacket>& Packets() const { return packets_; }
  // The smallest original UDP destination port.
  uint16_t base_port() const { return base_port_; }
  // Offset of the last packet (the playback length), µs.
  int64_t duration_us() const { return packets_.empty() ? 0 : packets_.back().offset_us; }
  // Sum of the payload sizes.
  size_t payload_bytes() const { return bytes_.size(); }

 private:
  PcapMedia() = default;
  std::string bytes_;  // every payload, back to back
  std::vector<PcapPacket> packets_;
  uint16_t base_port_ = 0;
};

}  // namespace sipfleet::rtp

#endif  // SIPFLEET_COMMON_RTP_PCAP_MEDIA_H_
