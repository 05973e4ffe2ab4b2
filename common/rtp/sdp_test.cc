#include "common/rtp/sdp.h"

#include "gtest/gtest.h"

namespace sipfleet::rtp {
namespace {

TEST(SdpTest, SessionLevelIpv4WithCrlf) {
  auto sdp = ParseSdp(
      "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n"
      "c=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 96\r\n"
      "a=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\n");
  ASSERT_TRUE(sdp.has_value());
  EXPECT_EQ(sdp->ip, "192.0.2.10");
  EXPECT_FALSE(sdp->ipv6);
  EXPECT_EQ(sdp->audio_port, 6000);
  EXPECT_EQ(sdp->video_port, 0);
  EXPECT_EQ(sdp->image_port, 0);
}

TEST(SdpTest, Ipv6WithLfOnly) {
  auto sdp = ParseSdp("v=0\nc=IN IP6 2001:db8::1\nm=audio 49170 RTP/AVP 0\n");
  ASSERT_TRUE(sdp.has_value());
  EXPECT_EQ(sdp->ip, "2001:db8::1");
  EXPECT_TRUE(sdp->ipv6);
  EXPECT_EQ(sdp->audio_port, 49170);
}

TEST(SdpTest, MediaLevelConnectionOverridesSessionLevelForAudio) {
  auto sdp = ParseSdp(
      "v=0\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
      "m=video 5004 RTP/AVP 96\r\nc=IN IP4 10.0.0.3\r\n"
      "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 10.0.0.2/127\r\n");
  ASSERT_TRUE(sdp.has_value());
  EXPECT_EQ(sdp->ip, "10.0.0.2");  // the audio section's own, TTL dropped
  EXPECT_EQ(sdp->audio_port, 5000);
  EXPECT_EQ(sdp->video_port, 5004);
}

TEST(SdpTest, MediaLevelOnlyConnection) {
  auto sdp = ParseSdp("v=0\r\nt=0 0\r\nm=video 5004 RTP/AVP 96\r\nc=IN IP4 10.0.0.3\r\n");
  ASSERT_TRUE(sdp.has_value());
  EXPECT_EQ(sdp->ip, "10.0.0.3");
  EXPECT_EQ(sdp->video_port, 5004);
  EXPECT_EQ(sdp->audio_port, 0);
}

TEST(SdpTest, ImageAndVideoPortsAndFirstOfEachTypeWins) {
  auto sdp = ParseSdp(
      "c=IN IP4 1.2.3.4\nm=audio 0 RTP/AVP 0\nm=image 7000 udptl t38\n"
      "m=video 8000/2 RTP/AVP 96\nm=audio 9000 RTP/AVP 0\nc=IN IP4 5.6.7.8\n");
  ASSERT_TRUE(sdp.has_value());
  EXPECT_EQ(sdp->audio_port, 0);  // rejected stream, later m=audio ignored
  EXPECT_EQ(sdp->image_port, 7000);
  EXPECT_EQ(sdp->video_port, 8000);
  EXPECT_EQ(sdp->ip, "1.2.3.4");
}

TEST(SdpTest, ToleratesBlanksAndMultipartAround) {
  auto sdp = ParseSdp(
      "--boundary\r\nContent-Type: application/sdp\r\n\r\n"
      "v=0\r\n c=IN IP4 127.0.0.1 \r\nm=audio 6002 RTP/AVP 0\r\n--boundary--\r\n");
  ASSERT_TRUE(sdp.has_value());
  EXPECT_EQ(sdp->ip, "127.0.0.1");
  EXPECT_EQ(sdp->audio_port, 6002);
}

TEST(SdpTest, RejectsIncompleteBodies) {
  EXPECT_FALSE(ParseSdp("").has_value());
  EXPECT_FALSE(ParseSdp("v=0\r\nm=audio 6000 RTP/AVP 0\r\n").has_value());  // no c=
  EXPECT_FALSE(ParseSdp("v=0\r\nc=IN IP4 1.2.3.4\r\n").has_value());        // no m=
  EXPECT_FALSE(ParseSdp("c=IN IP4 1.2.3.4\nm=application 9 TCP x\n").has_value());
  EXPECT_FALSE(ParseSdp("c=IN ATM x\nm=audio 6000 RTP/AVP 0\n").has_value());
  EXPECT_FALSE(ParseSdp("c=IN IP4 1.2.3.4\nm=audio 99999 RTP/AVP 0\n").has_value());
}

}  // namespace
}  // namespace sipfleet::rtp
