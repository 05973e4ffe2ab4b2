#include "common/rtp/pcap_media.h"

#include <pcap/pcap.h>

#include "common/rtp/rtp_header.h"
#include "common/rtp/rtp_test_util.h"
#include "gtest/gtest.h"

namespace sipfleet::rtp {
namespace {

using ::sipfleet::rtp::testing::Frame;
using ::sipfleet::rtp::testing::MakeRtp;
using ::sipfleet::rtp::testing::MakeAudioFile;
using ::sipfleet::rtp::testing::SipTesterPcap;
using ::sipfleet::rtp::testing::TempPath;

TEST(PcapMediaTest, LoadsTheG711aCapture) {
  auto media = PcapMedia::Load(SipTesterPcap("g711a.pcap"));
  ASSERT_TRUE(media.ok()) << media.status();
  const auto& packets = (*media)->Packets();
  // 236 Ethernet/IPv4/UDP frames 5000 -> 2006, each 12 bytes of RTP header
  // plus 240 bytes of A-law (30 ms at 8 kHz).
  ASSERT_EQ(packets.size(), 236u);
  EXPECT_EQ((*media)->base_port(), 2006);
  EXPECT_EQ(packets[0].offset_us, 0);
  for (size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].payload.size(), 252u);
    EXPECT_EQ(packets[i].dst_port_offset, 0);
    std::optional<RtpHeader> header = ParseRtpHeader(packets[i].payload);
    ASSERT_TRUE(header.has_value());
    EXPECT_EQ(header->payload_type, 8);  // PCMA
    if (i > 0) {
      int64_t gap = packets[i].offset_us - packets[i - 1].offset_us;
      EXPECT_GT(gap, 25'000);
      EXPECT_LT(gap, 35'000);
    }
  }
  EXPECT_NEAR((*media)->duration_us(), 235 * 30'000, 20'000);
  EXPECT_EQ((*media)->payload_bytes(), 236u * 252u);
}

TEST(PcapMediaTest, LoadsEveryDtmfCapture) {
  for (const char* name : {"0", "5", "9", "pound", "star"}) {
    auto media = PcapMedia::Load(SipTesterPcap(std::string("dtmf_2833_") + name + ".pcap"));
    ASSERT_TRUE(media.ok()) << media.status();
    EXPECT_EQ((*media)->Packets().size(), 10u);
    EXPECT_EQ((*media)->Packets()[0].payload.size(), 16u);
  }
}

TEST(PcapMediaTest, MissingFileIsAClearError) {
  std::string path = TempPath("does_not_exist.pcap");
  auto media = PcapMedia::Load(path);
  EXPECT_EQ(media.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(media.status().message().find(path), 0u) << media.status();
  EXPECT_NE(media.status().message().find("cannot open"), absl::string_view::npos);
}

TEST(PcapMediaTest, TextFileIsNotACapture) {
  std::string path = TempPath("text.pcap");
  testing::WriteFile(path, "this is not a capture\nat all\n");
  auto media = PcapMedia::Load(path);
  EXPECT_EQ(media.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(media.status().message().find(path), 0u) << media.status();
  EXPECT_NE(media.status().message().find("not a pcap"), absl::string_view::npos);
  // The raw audio of rtp_stream is not a capture either.
  auto audio = PcapMedia::Load(MakeAudioFile("beep.alaw", 8000));
  EXPECT_NE(audio.status().message().find("not a pcap"), absl::string_view::npos);
}

TEST(PcapMediaTest, UdpWithoutRtpIsRejectedForAudioButFineForImage) {
  std::string path = TempPath("udptl.pcap");
  // T.38 UDPTL: sequence number then IFP, not RTP (first byte's top bits 00).
  testing::WritePcap(
      path, DLT_EN10MB,
      {{0, testing::Ethernet(testing::Ipv4Udp(4000, 6000, std::string("\x00\x01\x06\x00", 4)))},
       {40'000,
        testing::Ethernet(testing::Ipv4Udp(4000, 6000, std::string("\x00\x02\x06\x00", 4)))}});
  auto rtp = PcapMedia::Load(path);
  EXPECT_EQ(rtp.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rtp.status().message(), path + ": no RTP packets");
  auto any = PcapMedia::Load(path, PcapMedia::Kind::kAny);
  ASSERT_TRUE(any.ok()) << any.status();
  ASSERT_EQ((*any)->Packets().size(), 2u);
  EXPECT_EQ((*any)->Packets()[1].offset_us, 40'000);
  EXPECT_EQ((*any)->Packets()[1].payload, std::string("\x00\x02\x06\x00", 4));
}

TEST(PcapMediaTest, RtcpAloneIsNotRtp) {
  std::string path = TempPath("rtcp.pcap");
  std::string rtcp = {'\x80', '\xc8', '\0', '\x06'};  // SR
  rtcp.append(24, '\0');
  testing::WritePcap(path, DLT_EN10MB,
                     {{0, testing::Ethernet(testing::Ipv4Udp(4001, 6001, rtcp))}});
  EXPECT_NE(PcapMedia::Load(path).status().message().find("no RTP packets"),
            absl::string_view::npos);
}

TEST(PcapMediaTest, NoUdpAtAll) {
  std::string path = TempPath("tcp.pcap");
  std::string ip = testing::Ipv4Udp(1, 2, "x");
  ip[9] = 6;  // TCP
  testing::WritePcap(path, DLT_EN10MB, {{0, testing::Ethernet(ip)}});
  auto media = PcapMedia::Load(path);
  EXPECT_EQ(media.status().message(), path + ": no UDP packets");
}

TEST(PcapMediaTest, SnapLengthCutIsAnError) {
  std::string path = TempPath("cut.pcap");
  std::string frame =
      testing::Ethernet(testing::Ipv4Udp(4000, 6000, MakeRtp(0, 1, std::string(160, 'a'))));
  uint32_t original = static_cast<uint32_t>(frame.size());
  frame.resize(frame.size() - 100);
  testing::WritePcap(path, DLT_EN10MB, {{0, frame, original}});
  auto media = PcapMedia::Load(path);
  EXPECT_NE(media.status().message().find("snap length"), absl::string_view::npos)
      << media.status();
}

TEST(PcapMediaTest, KeepsPortSpacingAndSkipsFragments) {
  std::string path = TempPath("rtp_rtcp.pcap");
  std::string rtp = MakeRtp(0, 1, "audio");
  std::string rtcp = {'\x80', '\xc9', '\0', '\x01', 'a', 'b', 'c', 'd'};
  testing::WritePcap(
      path, DLT_EN10MB,
      {{1'000'000, testing::Ethernet(testing::Ipv4Udp(4000, 7000, rtp))},
       {1'005'000, testing::Ethernet(testing::Ipv4Udp(4001, 7001, rtcp))},
       {1'010'000, testing::Ethernet(testing::Ipv4Udp(4000, 6000, rtp, /*fragment_field=*/0x2000))},
       {1'020'000, testing::Ethernet(testing::Ipv4Udp(4000, 7000, rtp), /*vlan_tag=*/true)}});
  auto media = PcapMedia::Load(path);
  ASSERT_TRUE(media.ok()) << media.status();
  const auto& packets = (*media)->Packets();
  ASSERT_EQ(packets.size(), 3u);  // the fragment is skipped (and its port ignored)
  EXPECT_EQ((*media)->base_port(), 7000);
  EXPECT_EQ(packets[0].dst_port_offset, 0);
  EXPECT_EQ(packets[1].dst_port_offset, 1);
  EXPECT_EQ(packets[1].payload, rtcp);
  EXPECT_EQ(packets[1].offset_us, 5'000);
  EXPECT_EQ(packets[2].offset_us, 20'000);
  EXPECT_EQ(packets[2].payload, rtp);
}

TEST(PcapMediaTest, ReadsOtherLinkTypesAndIpv6) {
  std::string rtp = MakeRtp(8, 7, std::string(160, '\xd5'));
  struct Case {
    const char* name;
    int link_type;
    std::string frame;
  } cases[] = {
      {"sll", DLT_LINUX_SLL, testing::LinuxSll(testing::Ipv4Udp(1, 6000, rtp))},
      {"sll2", DLT_LINUX_SLL2, testing::LinuxSll2(testing::Ipv6Udp(1, 6000, rtp))},
      {"raw6", DLT_RAW, testing::Ipv6Udp(1, 6000, rtp, /*with_hop_by_hop=*/true)},
      {"raw4", DLT_RAW, testing::Ipv4Udp(1, 6000, rtp)},
      {"null", DLT_NULL, testing::BsdNull(testing::Ipv4Udp(1, 6000, rtp))},
      {"eth6", DLT_EN10MB, testing::Ethernet(testing::Ipv6Udp(1, 6000, rtp))},
  };
  for (const Case& c : cases) {
    std::string path = TempPath(std::string(c.name) + ".pcap");
    testing::WritePcap(path, c.link_type, {{0, c.frame}});
    auto media = PcapMedia::Load(path);
    ASSERT_TRUE(media.ok()) << c.name << ": " << media.status();
    ASSERT_EQ((*media)->Packets().size(), 1u) << c.name;
    EXPECT_EQ((*media)->Packets()[0].payload, rtp) << c.name;
    EXPECT_EQ((*media)->base_port(), 6000) << c.name;
  }
}

TEST(PcapMediaTest, UnsupportedLinkType) {
  std::string path = TempPath("wifi.pcap");
  testing::WritePcap(path, DLT_IEEE802_11, {{0, std::string(40, '\0')}});
  EXPECT_NE(PcapMedia::Load(path).status().message().find("unsupported link type"),
            absl::string_view::npos);
}

TEST(PcapMediaTest, FromPacketsCopiesAndChecksOrder) {
  std::string payload = MakeRtp(0, 1, "x");
  auto media = PcapMedia::FromPackets({{0, 0, payload}, {20'000, 1, payload}}, 5000);
  ASSERT_TRUE(media.ok());
  payload[0] = 'z';
  EXPECT_EQ((*media)->Packets()[0].payload, MakeRtp(0, 1, "x"));
  EXPECT_EQ((*media)->base_port(), 5000);
  EXPECT_FALSE(PcapMedia::FromPackets({{10, 0, payload}, {5, 0, payload}}, 0).ok());
}

}  // namespace
}  // namespace sipfleet::rtp
