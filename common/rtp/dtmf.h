#ifndef SIPFLEET_COMMON_RTP_DTMF_H_
#define SIPFLEET_COMMON_RTP_DTMF_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sipfleet::rtp {

// RFC 4733 (which obsoletes RFC 2833) telephone-event packets, as SIPp's
// play_dtmf="digits[,duration_ms]" sends them.

inline constexpr int kDefaultDtmfDurationMs = 200;
inline constexpr int kMinDtmfDurationMs = 50;
inline constexpr int kMaxDtmfDurationMs = 2000;
// The payload type SIPp's play_dtmf uses; the SDP must map it to
// telephone-event/8000.
inline constexpr int kDefaultDtmfPayloadType = 96;
// Spacing of the packets of one event ("the interval used by the source for
// updates", RFC 4733 §2.5.1.2), of the end retransmissions, and silence
// between the end of one event's nominal duration and the next event.
inline constexpr int64_t kDtmfPacketIntervalUs = 20'000;
inline constexpr int64_t kDtmfInterDigitGapUs = 60'000;
// Telephone events use an 8 kHz RTP clock (RFC 4733 §7.1.1).
inline constexpr int kDtmfClockRate = 8000;
inline constexpr uint8_t kDtmfVolume = 10;  // -10 dBm0 (RFC 4733 §2.3.4)
// The number of times the final packet of an event is sent (§2.5.1.4).
inline constexpr int kDtmfEndPacketCopies = 3;

// A parsed play_dtmf attribute.
struct DtmfRequest {
  std::string digits;  // upper case, each one of 0-9 * # A-D
  int duration_ms = kDefaultDtmfDurationMs;
};

// Parses "digits[,duration_ms]" (keywords already expanded). Digits a-d are
// taken as A-D. Errors (InvalidArgument): no digits, a character outside
// 0-9*#A-D, or a duration that is not an integer in 50..2000.
absl::StatusOr<DtmfRequest> ParseDtmfAttribute(std::string_view value);

// The RFC 4733 §3.2 event code of `digit` (0-9 → 0-9, * → 10, # → 11,
// A-D → 12-15, a-d too); nullopt for anything else.
std::optional<uint8_t> DtmfEventCode(char digit);
// The inverse, for event codes 0..15; '?' otherwise.
char DtmfDigit(uint8_t event);

// One packet of a DTMF playback, before its RTP header is written.
struct DtmfPacket {
  int64_t offset_us = 0;             // send time from the start of the playback
  uint32_t timestamp_offset = 0;     // RTP timestamp from the playback's start (8 kHz)
  bool marker = false;               // first packet of an event (§2.5.1.3)
  std::array<uint8_t, 4> payload{};  // event, E|R|volume, duration (§2.3)
};

// The packet schedule for `digits`, each lasting `duration_ms`. Per event,
// starting at its onset T: ceil(duration/20 ms) packets at T, T+20 ms, ...
// all carrying T as RTP timestamp, volume 10 and a growing duration
// ((i+1)*160 samples, the last one capped to duration_ms*8). The last one has
// the end bit and is sent kDtmfEndPacketCopies times 20 ms apart. The next
// event's onset is T + duration + 60 ms. Only the first packet of an event
// has the marker bit. Errors: as ParseDtmfAttribute.
absl::StatusOr<std::vector<DtmfPacket>> BuildDtmfSchedule(std::string_view digits, int duration_ms);

// A decoded telephone-event payload (RFC 4733 §2.3).
struct DtmfEvent {
  uint8_t event = 0;
  bool end = false;
  uint8_t volume = 0;
  uint16_t duration = 0;  // in RTP timestamp units (8 kHz: 1/8 ms)
};

// Decodes the 4-byte event payload (the bytes after the RTP header). Returns
// nullopt when it is shorter than 4 bytes. Extra bytes (redundancy) are
// ignored.
std::optional<DtmfEvent> DecodeDtmfPayload(std::string_view payload);
// The same from a whole RTP packet (header parsed and skipped).
std::optional<DtmfEvent> DecodeDtmfRtpPacket(std::string_view packet);

}  // namespace sipfleet::rtp

#endif  // SIPFLEET_COMMON_RTP_DTMF_H_
