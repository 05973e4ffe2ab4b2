#ifndef SIPFLEET_COMMON_RTP_SDP_H_
#define SIPFLEET_COMMON_RTP_SDP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipfleet::rtp {

// Where the peer wants its media (RFC 4566 / RFC 8866 c= and m= lines).
struct SdpMedia {
  std::string ip;           // the connection address, without TTL or count suffix
  bool ipv6 = false;        // "IN IP6"
  uint16_t audio_port = 0;  // first m=audio port; 0 = none or rejected
  uint16_t video_port = 0;  // first m=video port
  uint16_t image_port = 0;  // first m=image port (T.38, RFC 3362)
};

// Extracts the media address and ports from an SDP body (lines end in CRLF
// or LF; blanks around a line are ignored). The address is the audio
// section's own c= line if it has one (RFC 8866 §5.7: media level overrides
// session level), else the session-level c=, else the first media-level c=.
// Only the first m= line of each media type counts; a port's "/count"
// suffix is dropped. Lines are scanned wherever they are, so an SDP part
// inside a multipart body also parses. Returns nullopt when there is no
// usable "c=IN IP4|IP6 <address>" line or no m=audio/video/image line.
std::optional<SdpMedia> ParseSdp(std::string_view body);

}  // namespace sipfleet::rtp

#endif  // SIPFLEET_COMMON_RTP_SDP_H_
