#include "common/rtp/audio_file.h"

#include <fstream>
#include <sstream>

#include "common/rtp/rtp_test_util.h"
#include "gtest/gtest.h"

namespace sipfleet::rtp {
namespace {

using ::sipfleet::rtp::testing::MakeAudioFile;
using ::sipfleet::rtp::testing::TempPath;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void PutLe32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

// RIFF/WAVE with a fmt chunk (8 kHz mono A-law), an odd-sized LIST chunk
// (padded) and `data`.
std::string MakeWave(std::string_view data) {
  std::string fmt = {'\x06', '\0', '\x01', '\0'};  // format 6 = A-law, 1 channel
  PutLe32(&fmt, 8000);
  PutLe32(&fmt, 8000);
  fmt += {'\x01', '\0', '\x08', '\0'};
  std::string body = "WAVE";
  body += "fmt ";
  PutLe32(&body, static_cast<uint32_t>(fmt.size()));
  body += fmt;
  body += "LIST";
  PutLe32(&body, 3);
  body += std::string("abc") + '\0';  // pad byte
  body += "data";
  PutLe32(&body, static_cast<uint32_t>(data.size()));
  body += data;
  std::string wave = "RIFF";
  PutLe32(&wave, static_cast<uint32_t>(body.size()));
  return wave + body;
}

TEST(AudioFileTest, PacketizesTheAlawBeep) {
  std::string path = MakeAudioFile("beep.alaw", 8000);
  auto audio = AudioFile::Load(path, FramingFor("", 8));
  ASSERT_TRUE(audio.ok()) << audio.status();
  ASSERT_EQ((*audio)->frame_count(), 50u);
  EXPECT_EQ((*audio)->duration_us(), 1'000'000);
  std::string raw = ReadAll(path);
  for (size_t i = 0; i < 50; ++i) EXPECT_EQ((*audio)->frame(i), raw.substr(i * 160, 160));
}

TEST(AudioFileTest, CodecNamesPickTheFraming) {
  auto ilbc = AudioFile::Load(MakeAudioFile("beep.ilbc30", 1700),
                              FramingFor("iLBC/8000", 98));
  ASSERT_TRUE(ilbc.ok());
  EXPECT_EQ((*ilbc)->frame_count(), 34u);  // 1700 bytes of 50-byte 30 ms frames
  EXPECT_EQ((*ilbc)->framing().packet_interval_us, 30'000);
  EXPECT_EQ((*ilbc)->framing().timestamp_increment, 240u);
  auto g722 =
      AudioFile::Load(MakeAudioFile("beep.g722", 8000), FramingFor("G722/8000", 9));
  ASSERT_TRUE(g722.ok());
  EXPECT_EQ((*g722)->frame_count(), 50u);
  EXPECT_EQ(FramingFor("g729/8000", 18).bytes_per_packet, 20);
  EXPECT_EQ(FramingFor("", 18).bytes_per_packet, 20);
  EXPECT_EQ(FramingFor("", 0).bytes_per_packet, 160);
  EXPECT_EQ(FramingFor("", 3).bytes_per_packet, 33);
  EXPECT_EQ(FramingFor("", 101).bytes_per_packet, 160);  // dynamic: default
  CodecFraming wide = FramingFor("L16/16000", 97);
  EXPECT_EQ(wide.bytes_per_packet, 160);
  EXPECT_EQ(wide.timestamp_increment, 320u);
  EXPECT_EQ(wide.clock_rate, 16000);
}

TEST(AudioFileTest, WaveHeaderIsSkipped) {
  std::string data;
  for (int i = 0; i < 400; ++i) data.push_back(static_cast<char>(i));
  std::string path = TempPath("tone.wav");
  testing::WriteFile(path, MakeWave(data));
  auto audio = AudioFile::Load(path, FramingFor("PCMA/8000", 8));
  ASSERT_TRUE(audio.ok()) << audio.status();
  EXPECT_EQ((*audio)->audio_bytes(), 400u);
  ASSERT_EQ((*audio)->frame_count(), 3u);
  EXPECT_EQ((*audio)->frame(0), data.substr(0, 160));
  EXPECT_EQ((*audio)->frame(2), data.substr(320));  // short tail kept
}

TEST(AudioFileTest, Errors) {
  std::string missing = TempPath("missing.alaw");
  auto audio = AudioFile::Load(missing, CodecFraming{});
  EXPECT_EQ(audio.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(audio.status().message().find(missing), 0u);
  std::string empty = TempPath("empty.alaw");
  testing::WriteFile(empty, "");
  EXPECT_NE(AudioFile::Load(empty, CodecFraming{}).status().message().find("no audio"),
            absl::string_view::npos);
  std::string no_data = TempPath("nodata.wav");
  std::string wave = MakeWave("");
  testing::WriteFile(no_data, wave.substr(0, wave.size() - 8));  // drop the data chunk
  EXPECT_NE(AudioFile::Load(no_data, CodecFraming{}).status().message().find("data chunk"),
            absl::string_view::npos);
}

TEST(RtpStreamAttributeTest, ParsesPlayForms) {
  auto command = ParseRtpStreamAttribute("beep.alaw");
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->op, RtpStreamCommand::Op::kPlay);
  EXPECT_EQ(command->file, "beep.alaw");
  EXPECT_EQ(command->loops, 1);
  EXPECT_EQ(command->payload_type, 8);
  EXPECT_EQ(command->codec_name, "");
  command = ParseRtpStreamAttribute("beep.ulaw,-1,0,PCMU/8000");
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->loops, -1);
  EXPECT_EQ(command->payload_type, 0);
  EXPECT_EQ(command->codec_name, "PCMU/8000");
  EXPECT_EQ(ParseRtpStreamAttribute("x.g722,3", 9)->payload_type, 9);  // -rtp_payload
  EXPECT_EQ(ParseRtpStreamAttribute("pause")->op, RtpStreamCommand::Op::kPause);
  EXPECT_EQ(ParseRtpStreamAttribute(" resume ")->op, RtpStreamCommand::Op::kResume);
}

TEST(RtpStreamAttributeTest, RejectsBadForms) {
  for (const char* bad : {"", ",1", "f,0", "f,-2", "f,x", "f,1,128", "f,1,-1", "f,1,8,PCMA,x"}) {
    EXPECT_EQ(ParseRtpStreamAttribute(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(ParseRtpStreamAttribute("apattern,1,8,PCMA/8000").status().code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace sipfleet::rtp
