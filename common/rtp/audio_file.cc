#include "common/rtp/audio_file.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::rtp {
namespace {

struct CodecEntry {
  std::string_view name;
  int payload_type;  // static RTP payload type, -1 = dynamic
  CodecFraming framing;
};

constexpr std::array<CodecEntry, 7> kCodecs = {{
    {"PCMU", 0, {160, 20'000, 160, 8000}},
    {"GSM", 3, {33, 20'000, 160, 8000}},
    {"G723", 4, {24, 30'000, 240, 8000}},
    {"PCMA", 8, {160, 20'000, 160, 8000}},
    {"G722", 9, {160, 20'000, 160, 8000}},
    {"G729", 18, {20, 20'000, 160, 8000}},
    {"ILBC", -1, {50, 30'000, 240, 8000}},
}};

using base::EqualsIgnoreCase;

uint32_t ReadLe32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return uint32_t{u[0]} | uint32_t{u[1]} << 8 | uint32_t{u[2]} << 16 | uint32_t{u[3]} << 24;
}

bool IsWave(std::string_view bytes) {
  return bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WAVE";
}

// The "data" chunk of a RIFF/WAVE file; nullopt if there is none. A chunk
// size running past the end (streamed writers) is cut at the end.
std::optional<std::string_view> WaveData(std::string_view bytes) {
  size_t at = 12;
  while (bytes.size() >= at + 8) {
    std::string_view id = bytes.substr(at, 4);
    size_t size = ReadLe32(bytes.data() + at + 4);
    at += 8;
    if (id == "data") return bytes.substr(at, std::min(size, bytes.size() - at));
    if (size > bytes.size() - at) break;
    at += size + (size & 1);  // chunks are padded to even sizes
  }
  return std::nullopt;
}

// The clock rate of an rtpmap-style name "codec/rate[/channels]"; 0 if none.
int ClockRateOf(std::string_view name) {
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) return 0;
  std::string_view rest = name.substr(slash + 1);
  int rate = 0;
  if (!base::ParseInt(rest.substr(0, rest.find('/')), &rate) || rate <= 0) return 0;
  return rate;
}

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(base::Cat("rtp_stream: ", what));
}

}  // namespace

CodecFraming FramingFor(std::string_view name, int payload_type) {
  std::string_view codec = name.substr(0, name.find('/'));
  for (const CodecEntry& entry : kCodecs) {
    if (name.empty() ? entry.payload_type == payload_type : EqualsIgnoreCase(codec, entry.name)) {
      return entry.framing;
    }
  }
  CodecFraming framing;
  if (int rate = ClockRateOf(name); rate > 0) {
    framing.clock_rate = rate;
    framing.timestamp_increment =
        static_cast<uint32_t>(int64_t{rate} * framing.packet_interval_us / 1'000'000);
  }
  return framing;
}

absl::StatusOr<RtpStreamCommand> ParseRtpStreamAttribute(std::string_view value,
                                                         int default_payload_type) {
  RtpStreamCommand command;
  command.payload_type = default_payload_type;
  std::string_view trimmed = base::TrimBlanks(value);
  if (trimmed == "pause" || trimmed == "resume") {
    command.op = trimmed == "pause" ? RtpStreamCommand::Op::kPause : RtpStreamCommand::Op::kResume;
    return command;
  }
  std::vector<std::string_view> fields;
  for (size_t at = 0;;) {
    size_t comma = trimmed.find(',', at);
    fields.push_back(base::TrimBlanks(trimmed.substr(at, comma - at)));
    if (comma == std::string_view::npos) break;
    at = comma + 1;
  }
  static constexpr std::string_view kCheckForms[] = {
      "apattern", "vpattern", "pauseapattern", "resumeapattern", "pausevpattern", "resumevpattern"};
  for (std::string_view form : kCheckForms) {
    if (fields[0] == form) {
      return absl::UnimplementedError(
          base::Cat("rtp_stream: \"", form, "\" (RTP check) is not supported"));
    }
  }
  if (fields[0].empty()) return Invalid("no file name");
  if (fields.size() > 4) return Invalid(base::Cat("too many fields in \"", trimmed, "\""));
  command.file = std::string(fields[0]);
  if (fields.size() > 1 && !fields[1].empty() &&
      (!base::ParseInt(fields[1], &command.loops) || (command.loops < 1 && command.loops != -1))) {
    return Invalid(base::Cat("loop count '", fields[1], "' is not -1 or a positive integer"));
  }
  if (fields.size() > 2 && !fields[2].empty() &&
      (!base::ParseInt(fields[2], &command.payload_type) || command.payload_type < 0 ||
       command.payload_type > 127)) {
    return Invalid(base::Cat("payload type '", fields[2], "' is not in 0..127"));
  }
  if (command.payload_type < 0 || command.payload_type > 127) {
    return Invalid(base::Cat("payload type ", command.payload_type, " is not in 0..127"));
  }
  if (fields.size() > 3) command.codec_name = std::string(fields[3]);
  return command;
}

absl::StatusOr<std::shared_ptr<const AudioFile>> AudioFile::Load(const std::string& path,
                                                                 const CodecFraming& framing) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(base::Cat(path, ": cannot open: ", strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::InvalidArgumentError(base::Cat(path, ": read error"));
  return FromBytes(std::move(contents).str(), framing, path);
}

absl::StatusOr<std::shared_ptr<const AudioFile>> AudioFile::FromBytes(std::string bytes,
                                                                      const CodecFraming& framing,
                                                                      std::string_view origin) {
  if (framing.bytes_per_packet <= 0 || framing.packet_interval_us <= 0) {
    return absl::InvalidArgumentError(base::Cat(origin, ": invalid codec framing"));
  }
  if (IsWave(bytes)) {
    std::optional<std::string_view> data = WaveData(bytes);
    if (!data.has_value()) {
      return absl::InvalidArgumentError(base::Cat(origin, ": WAVE file without a data chunk"));
    }
    bytes = std::string(*data);
  }
  if (bytes.empty()) return absl::InvalidArgumentError(base::Cat(origin, ": no audio bytes"));
  return std::shared_ptr<const AudioFile>(new AudioFile(std::move(bytes), framing));
}

size_t AudioFile::frame_count() const {
  const auto per = static_cast<size_t>(framing_.bytes_per_packet);
  return (audio_.size() + per - 1) / per;
}

std::string_view AudioFile::frame(size_t i) const {
  const auto per = static_cast<size_t>(framing_.bytes_per_packet);
  return std::string_view(audio_).substr(i * per, per);
}

}  // namespace sipfleet::rtp
