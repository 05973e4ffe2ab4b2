#include "common/rtp/rtp_header.h"

namespace sipfleet::rtp {
namespace {

uint16_t Read16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

uint32_t Read32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

}  // namespace

void WriteRtpHeader(const RtpHeader& header, uint8_t* out) {
  out[0] = 0x80;  // V=2, P=0, X=0, CC=0
  out[1] = static_cast<uint8_t>((header.marker ? 0x80 : 0) | (header.payload_type & 0x7f));
  out[2] = static_cast<uint8_t>(header.sequence >> 8);
  out[3] = static_cast<uint8_t>(header.sequence);
  for (int i = 0; i < 4; ++i) {
    out[4 + i] = static_cast<uint8_t>(header.timestamp >> (24 - 8 * i));
    out[8 + i] = static_cast<uint8_t>(header.ssrc >> (24 - 8 * i));
  }
}

std::optional<RtpHeader> ParseRtpHeader(std::string_view packet, size_t* payload_offset) {
  const auto* p = reinterpret_cast<const uint8_t*>(packet.data());
  if (packet.size() < kRtpHeaderBytes || (p[0] >> 6) != 2) return std::nullopt;
  size_t offset = kRtpHeaderBytes + 4 * size_t{p[0] & 0x0fu};
  if ((p[0] & 0x10) != 0) {  // header extension: 16-bit profile, 16-bit length in words
    if (packet.size() < offset + 4) return std::nullopt;
    offset += 4 + 4 * size_t{Read16(p + offset + 2)};
  }
  if (packet.size() < offset) return std::nullopt;
  if (payload_offset != nullptr) *payload_offset = offset;
  RtpHeader header;
  header.marker = (p[1] & 0x80) != 0;
  header.payload_type = p[1] & 0x7f;
  header.sequence = Read16(p + 2);
  header.timestamp = Read32(p + 4);
  header.ssrc = Read32(p + 8);
  return header;
}

bool LooksLikeRtp(std::string_view packet) {
  std::optional<RtpHeader> header = ParseRtpHeader(packet);
  return header.has_value() && (header->payload_type < 72 || header->payload_type > 76);
}

}  // namespace sipfleet::rtp
