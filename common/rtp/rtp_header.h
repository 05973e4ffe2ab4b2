#ifndef SIPFLEET_COMMON_RTP_RTP_HEADER_H_
#define SIPFLEET_COMMON_RTP_RTP_HEADER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sipfleet::rtp {

// The fixed RTP header (RFC 3550 §5.1) as sipfleet writes it: version 2, no
// padding, no extension, no CSRC, so always kRtpHeaderBytes long.
inline constexpr size_t kRtpHeaderBytes = 12;

struct RtpHeader {
  uint8_t payload_type = 0;  // 0..127
  bool marker = false;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
};

// Writes `header` into out[0..11] in network byte order.
void WriteRtpHeader(const RtpHeader& header, uint8_t* out);

// Parses the header of an RTP packet. Returns nullopt unless `packet` is a
// version-2 packet long enough for its CSRC list and extension (RFC 3550
// §5.1, §5.3.1). On success *payload_offset (if given) is where the payload
// starts; padding (P bit) is not removed.
std::optional<RtpHeader> ParseRtpHeader(std::string_view packet, size_t* payload_offset = nullptr);

// True if `packet` looks like an RTP data packet: parses as above and its
// payload type is not in 72..76, the range RTCP packet types 200..204 fall
// into when read as a marker bit plus payload type (RFC 5761 §4).
bool LooksLikeRtp(std::string_view packet);

}  // namespace sipfleet::rtp

#endif  // SIPFLEET_COMMON_RTP_RTP_HEADER_H_
