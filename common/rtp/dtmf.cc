#include "common/rtp/dtmf.h"

#include <algorithm>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/rtp/rtp_header.h"

namespace sipfleet::rtp {
namespace {

constexpr std::string_view kDigits = "0123456789*#ABCD";
constexpr uint32_t kSamplesPerPacket =
    static_cast<uint32_t>(kDtmfPacketIntervalUs * kDtmfClockRate / 1'000'000);

absl::Status CheckDigits(std::string_view digits) {
  if (digits.empty()) return absl::InvalidArgumentError("play_dtmf: no digits");
  for (char c : digits) {
    if (!DtmfEventCode(c).has_value()) {
      return absl::InvalidArgumentError(
          base::Cat("play_dtmf: invalid digit '", c, "' (expected 0-9, *, #, A-D)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDuration(int duration_ms) {
  if (duration_ms < kMinDtmfDurationMs || duration_ms > kMaxDtmfDurationMs) {
    return absl::InvalidArgumentError(base::Cat("play_dtmf: duration ", duration_ms, " ms not in ",
                                                kMinDtmfDurationMs, "..", kMaxDtmfDurationMs));
  }
  return absl::OkStatus();
}

DtmfPacket MakePacket(int64_t offset_us, uint32_t timestamp_offset, bool marker, uint8_t event,
                      bool end, uint32_t duration) {
  DtmfPacket packet;
  packet.offset_us = offset_us;
  packet.timestamp_offset = timestamp_offset;
  packet.marker = marker;
  packet.payload = {event, static_cast<uint8_t>((end ? 0x80 : 0) | kDtmfVolume),
                    static_cast<uint8_t>(duration >> 8), static_cast<uint8_t>(duration)};
  return packet;
}

// Appends the packets of one event starting at `onset_us`.
void AppendEvent(uint8_t event, int64_t onset_us, int duration_ms,
                 std::vector<DtmfPacket>* packets) {
  const auto timestamp = static_cast<uint32_t>(onset_us * kDtmfClockRate / 1'000'000);
  const auto total = static_cast<uint32_t>(duration_ms * (kDtmfClockRate / 1000));
  const int updates =
      static_cast<int>((duration_ms * 1000 + kDtmfPacketIntervalUs - 1) / kDtmfPacketIntervalUs);
  for (int i = 0; i < updates - 1; ++i) {
    uint32_t duration = std::min(total, static_cast<uint32_t>(i + 1) * kSamplesPerPacket);
    packets->push_back(MakePacket(onset_us + i * kDtmfPacketIntervalUs, timestamp, i == 0, event,
                                  false, duration));
  }
  for (int copy = 0; copy < kDtmfEndPacketCopies; ++copy) {
    int64_t at = onset_us + (updates - 1 + copy) * kDtmfPacketIntervalUs;
    packets->push_back(MakePacket(at, timestamp, updates == 1 && copy == 0, event, true, total));
  }
}

}  // namespace

std::optional<uint8_t> DtmfEventCode(char digit) {
  if (digit >= 'a' && digit <= 'd') digit = static_cast<char>(digit - 'a' + 'A');
  size_t at = kDigits.find(digit);
  if (digit == '\0' || at == std::string_view::npos) return std::nullopt;
  return static_cast<uint8_t>(at);
}

char DtmfDigit(uint8_t event) { return event < kDigits.size() ? kDigits[event] : '?'; }

absl::StatusOr<DtmfRequest> ParseDtmfAttribute(std::string_view value) {
  DtmfRequest request;
  size_t comma = value.find(',');
  std::string_view digits = base::TrimBlanks(value.substr(0, comma));
  if (absl::Status s = CheckDigits(digits); !s.ok()) return s;
  for (char c : digits) request.digits.push_back(DtmfDigit(*DtmfEventCode(c)));
  if (comma != std::string_view::npos) {
    std::string_view duration = value.substr(comma + 1);
    if (!base::ParseInt(duration, &request.duration_ms)) {
      return absl::InvalidArgumentError(
          base::Cat("play_dtmf: invalid duration '", duration, "' (milliseconds expected)"));
    }
    if (absl::Status s = CheckDuration(request.duration_ms); !s.ok()) return s;
  }
  return request;
}

absl::StatusOr<std::vector<DtmfPacket>> BuildDtmfSchedule(std::string_view digits,
                                                          int duration_ms) {
  if (absl::Status s = CheckDigits(digits); !s.ok()) return s;
  if (absl::Status s = CheckDuration(duration_ms); !s.ok()) return s;
  std::vector<DtmfPacket> packets;
  int64_t onset_us = 0;
  for (char digit : digits) {
    AppendEvent(*DtmfEventCode(digit), onset_us, duration_ms, &packets);
    onset_us += int64_t{duration_ms} * 1000 + kDtmfInterDigitGapUs;
  }
  return packets;
}

std::optional<DtmfEvent> DecodeDtmfPayload(std::string_view payload) {
  if (payload.size() < 4) return std::nullopt;
  const auto* p = reinterpret_cast<const uint8_t*>(payload.data());
  DtmfEvent event;
  event.event = p[0];
  event.end = (p[1] & 0x80) != 0;
  event.volume = p[1] & 0x3f;
  event.duration = static_cast<uint16_t>(p[2] << 8 | p[3]);
  return event;
}

std::optional<DtmfEvent> DecodeDtmfRtpPacket(std::string_view packet) {
  size_t offset = 0;
  if (!ParseRtpHeader(packet, &offset).has_value()) return std::nullopt;
  return DecodeDtmfPayload(packet.substr(offset));
}

}  // namespace sipfleet::rtp
