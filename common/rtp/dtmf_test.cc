#include "common/rtp/dtmf.h"

#include "common/rtp/pcap_media.h"
#include "common/rtp/rtp_test_util.h"
#include "gtest/gtest.h"

namespace sipfleet::rtp {
namespace {

TEST(DtmfTest, ParsesTheAttribute) {
  auto request = ParseDtmfAttribute("12#");
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->digits, "12#");
  EXPECT_EQ(request->duration_ms, 200);
  request = ParseDtmfAttribute("*0abcD, 500");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->digits, "*0ABCD");
  EXPECT_EQ(request->duration_ms, 500);
  EXPECT_EQ(ParseDtmfAttribute("1,50")->duration_ms, 50);
  EXPECT_EQ(ParseDtmfAttribute("1,2000")->duration_ms, 2000);
}

TEST(DtmfTest, RejectsBadAttributes) {
  for (const char* bad : {"", ",200", "12E", "1 2", "1,49", "1,2001", "1,abc", "1,", "1,-5"}) {
    auto request = ParseDtmfAttribute(bad);
    EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(DtmfTest, EventCodes) {
  EXPECT_EQ(DtmfEventCode('0'), 0);
  EXPECT_EQ(DtmfEventCode('9'), 9);
  EXPECT_EQ(DtmfEventCode('*'), 10);
  EXPECT_EQ(DtmfEventCode('#'), 11);
  EXPECT_EQ(DtmfEventCode('A'), 12);
  EXPECT_EQ(DtmfEventCode('d'), 15);
  EXPECT_FALSE(DtmfEventCode('E').has_value());
  EXPECT_FALSE(DtmfEventCode('\0').has_value());
  EXPECT_EQ(DtmfDigit(11), '#');
  EXPECT_EQ(DtmfDigit(16), '?');
}

TEST(DtmfTest, ScheduleFollowsRfc4733) {
  auto schedule = BuildDtmfSchedule("12#", 200);
  ASSERT_TRUE(schedule.ok());
  // Per digit: 9 updates + the end packet sent 3 times.
  ASSERT_EQ(schedule->size(), 3u * 12u);
  std::string digits;
  for (size_t d = 0; d < 3; ++d) {
    const int64_t onset = static_cast<int64_t>(d) * 260'000;  // 200 ms + 60 ms gap
    for (size_t i = 0; i < 12; ++i) {
      const DtmfPacket& packet = (*schedule)[d * 12 + i];
      auto event = DecodeDtmfPayload(std::string_view(
          reinterpret_cast<const char*>(packet.payload.data()), packet.payload.size()));
      ASSERT_TRUE(event.has_value());
      EXPECT_EQ(packet.offset_us, onset + static_cast<int64_t>(i) * 20'000);
      EXPECT_EQ(packet.timestamp_offset, static_cast<uint32_t>(onset * 8 / 1000));
      EXPECT_EQ(packet.marker, i == 0);
      EXPECT_EQ(event->volume, 10);
      EXPECT_EQ(event->end, i >= 9);
      EXPECT_EQ(event->duration, i >= 9 ? 1600 : (i + 1) * 160);
      if (i == 0) digits.push_back(DtmfDigit(event->event));
      EXPECT_EQ(DtmfDigit(event->event), digits.back());
    }
  }
  EXPECT_EQ(digits, "12#");
}

TEST(DtmfTest, DurationNotAMultipleOf20Ms) {
  auto schedule = BuildDtmfSchedule("5", 50);
  ASSERT_TRUE(schedule.ok());
  ASSERT_EQ(schedule->size(), 2u + 3u);  // updates at 0, 20; end at 40, 60, 80 ms
  auto last = DecodeDtmfPayload(
      std::string_view(reinterpret_cast<const char*>(schedule->back().payload.data()), 4));
  EXPECT_EQ(last->duration, 400);
  EXPECT_EQ(schedule->back().offset_us, 80'000);
  EXPECT_FALSE(BuildDtmfSchedule("5", 10).ok());
  EXPECT_FALSE(BuildDtmfSchedule("x", 100).ok());
}

TEST(DtmfTest, DecodesSippCaptures) {
  const std::pair<const char*, char> captures[] = {{"0", '0'}, {"1", '1'},     {"5", '5'},
                                                   {"9", '9'}, {"pound", '#'}, {"star", '*'}};
  for (const auto& [name, digit] : captures) {
    auto media =
        PcapMedia::Load(testing::SipTesterPcap(std::string("dtmf_2833_") + name + ".pcap"));
    ASSERT_TRUE(media.ok()) << media.status();
    int ends = 0;
    for (const PcapPacket& packet : (*media)->Packets()) {
      auto event = DecodeDtmfRtpPacket(packet.payload);
      ASSERT_TRUE(event.has_value());
      EXPECT_EQ(DtmfDigit(event->event), digit) << name;
      EXPECT_EQ(event->volume, 10);
      if (event->end) {
        ++ends;
        EXPECT_EQ(event->duration, 2240);
      }
    }
    EXPECT_EQ(ends, 3) << name;
  }
}

TEST(DtmfTest, DecoderRejectsShortInput) {
  EXPECT_FALSE(DecodeDtmfPayload("abc").has_value());
  EXPECT_FALSE(DecodeDtmfRtpPacket("short").has_value());
}

}  // namespace
}  // namespace sipfleet::rtp
