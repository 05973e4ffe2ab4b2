#ifndef SIPFLEET_COMMON_RTP_AUDIO_FILE_H_
#define SIPFLEET_COMMON_RTP_AUDIO_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sipfleet::rtp {

// How a codec's raw bytes are cut into RTP packets.
struct CodecFraming {
  int bytes_per_packet = 160;           // payload bytes per packet
  int64_t packet_interval_us = 20'000;  // packet spacing (ptime)
  uint32_t timestamp_increment = 160;   // RTP clock ticks per packet
  int clock_rate = 8000;                // RTP clock rate (RFC 3551 §4.5)
};

// The framing for a codec given by its rtpmap-style name ("PCMU/8000",
// case-insensitive; the part before '/' selects) or, when `name` is empty,
// by its static payload type (RFC 3551 table 4). Known: PCMU, PCMA, G722
// (160 bytes / 20 ms; G.722 has an 8 kHz RTP clock, RFC 3551 §4.5.2), G729
// (20 bytes / 20 ms), GSM (33 / 20 ms), G723 (24 / 30 ms), iLBC (50 bytes /
// 30 ms mode, RFC 3952). Anything else: 160 bytes every 20 ms, with the
// timestamp step taken from the name's clock rate when it has one.
CodecFraming FramingFor(std::string_view name, int payload_type);

// A parsed rtp_stream attribute.
struct RtpStreamCommand {
  enum class Op { kPlay, kPause, kResume };
  Op op = Op::kPlay;
  std::string file;  // kPlay only
  int loops = 1;     // -1 = forever
  int payload_type = 8;
  std::string codec_name;  // e.g. "PCMU/8000"; empty when not given
};

// Parses rtp_stream="file[,loops[,payload_type[,name]]]", "pause" or
// "resume" (keywords already expanded). `default_payload_type` is
// -rtp_payload (SIPp default 8). Errors (InvalidArgument): empty file,
// loops not -1 or >= 1, payload type not in 0..127; Unimplemented for the
// RTP-check forms (apattern, vpattern, pauseapattern...).
absl::StatusOr<RtpStreamCommand> ParseRtpStreamAttribute(std::string_view value,
                                                         int default_payload_type = 8);

// Raw audio cut into RTP payloads, loaded once and shared read-only by the
// calls that stream it (immutable, so thread-safe).
class AudioFile {
 public:
  // Reads `path`: a RIFF/WAVE file contributes the bytes of its "data"
  // chunk (the format is not converted); any other file is raw payload
  // bytes (.alaw, .ulaw, .g722, .ilbc30...). The bytes are cut into
  // framing.bytes_per_packet frames; a shorter tail is kept as a short last
  // frame. Errors (InvalidArgument, message starting with `path`):
  // unreadable file, WAVE without a data chunk, no audio bytes.
  static absl::StatusOr<std::shared_ptr<const AudioFile>> Load(const std::string& path,
                                                               const CodecFraming& framing);
  // The same from bytes already in memory (`origin` names them in errors).
  static absl::StatusOr<std::shared_ptr<const AudioFile>> FromBytes(std::string bytes,
                                                                    const CodecFraming& framing,
                                                                    std::string_view origin);

  AudioFile(const AudioFile&) = delete;
  AudioFile& operator=(const AudioFile&) = delete;

  size_t frame_count() const;
  // Payload of frame `i` (< frame_count()).
  std::string_view frame(size_t i) const;
  const CodecFraming& framing() const { return framing_; }
  size_t audio_bytes() const { return audio_.size(); }
  // Playing time of one loop, µs.
  int64_t duration_us() const {
    return static_cast<int64_t>(frame_count()) * framing_.packet_interval_us;
  }

 private:
  AudioFile(std::string audio, const CodecFraming& framing)
      : audio_(std::move(audio)), framing_(framing) {}
  std::string audio_;
  CodecFraming framing_;
};

}  // namespace sipfleet::rtp

#endif  // SIPFLEET_COMMON_RTP_AUDIO_FILE_H_
