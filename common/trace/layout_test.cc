#include "common/trace/layout.h"

#include <cstdlib>
#include <ctime>

#include "common/scenario/embedded.h"
#include "common/scenario/loader.h"
#include "gtest/gtest.h"

namespace sipfleet::trace {
namespace {

// 2023-11-14 22:13:20.000042 UTC.
constexpr int64_t kWall = 1'700'000'000'000'042;

constexpr std::string_view kInvite =
    "INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\n"
    "Call-ID: 1-42@127.0.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Content-Length: 0\r\n\r\n";

class LayoutTest : public testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
  TimestampFormatter stamps_;
};

TEST_F(LayoutTest, Timestamps) {
  std::string out;
  stamps_.AppendSpaced(kWall, &out);
  EXPECT_EQ(out, "2023-11-14 22:13:20.000042");
  out.clear();
  stamps_.AppendTabbed(kWall + 1'000'000, &out);
  EXPECT_EQ(out, "2023-11-14\t22:13:21.000042\t1700000001.000042");
  TimestampFormatter rfc(TimeStyle::kRfc3339);
  out.clear();
  rfc.AppendSpaced(kWall, &out);
  EXPECT_EQ(out, "2023-11-14T22:13:20.000042Z");
  out.clear();
  rfc.AppendTabbed(kWall, &out);
  EXPECT_EQ(out, "2023-11-14T22:13:20.000042Z");
}

TEST_F(LayoutTest, ElapsedKeepsMilliseconds) {
  std::string out;
  AppendElapsed(3'723'007'999, &out);  // 1 h 2 min 3.007999 s
  EXPECT_EQ(out, "01:02:03:007000");
}

TEST_F(LayoutTest, MessageEntries) {
  std::string out;
  AppendMessageEntry(stamps_, kWall, "UDP", Direction::kSent, kInvite, &out);
  EXPECT_EQ(out, std::string("----------------------------------------------- "
                             "2023-11-14 22:13:20.000042\n"
                             "UDP message sent (") +
                     std::to_string(kInvite.size()) + " bytes):\n\n" + std::string(kInvite) + "\n");
  out.clear();
  AppendMessageEntry(stamps_, kWall, "TCP", Direction::kReceived, kInvite, &out);
  EXPECT_NE(out.find("\nTCP message received [" + std::to_string(kInvite.size()) +
                     "] bytes :\n\nINVITE "),
            std::string::npos);
}

TEST_F(LayoutTest, UnexpectedMessageEntryHasNoTimestamp) {
  std::string out;
  AppendUnexpectedMessageEntry("UDP", "SIP/2.0 486 Busy Here\r\n\r\n", &out);
  EXPECT_EQ(out, std::string(47, '-') +
                     "\nUnexpected UDP message received:\n\nSIP/2.0 486 Busy Here\r\n\r\n\n");
}

TEST_F(LayoutTest, ShortMessage) {
  std::string out;
  AppendShortMessage(stamps_, kWall, Direction::kReceived, kInvite, &out);
  EXPECT_EQ(out,
            "2023-11-14\t22:13:20.000042\t1700000000.000042\tR\t1-42@127.0.0.1\tCSeq:1 INVITE\t"
            "INVITE sip:service@127.0.0.1:5060 SIP/2.0\n");
  EXPECT_EQ(RawHeader("SIP/2.0 200 OK\r\ni: abc\r\n\r\nCall-ID: body", "Call-ID", 'i'), "abc");
  EXPECT_EQ(RawHeader("SIP/2.0 200 OK\r\n\r\nCall-ID: body", "Call-ID", 'i'), "");
}

TEST_F(LayoutTest, ErrorsHaveNoNewline) {
  std::string out;
  AppendErrorEntry(stamps_, kWall, RetransmissionTimeoutText("1-42@h"), &out);
  EXPECT_EQ(out,
            "2023-11-14\t22:13:20.000042\t1700000000.000042: Aborting call on UDP retransmission "
            "timeout for Call-ID '1-42@h'");
  EXPECT_EQ(UnexpectedMessageText("c", "100", 1, "SIP/2.0 486 Busy\r\n\r\n"),
            "Aborting call on unexpected message for Call-Id 'c': while expecting '100' (index 1), "
            "received 'SIP/2.0 486 Busy\r\n\r\n'");
  EXPECT_EQ(ReceiveTimeoutText("c", "uac", 4),
            "Call-Id: c, receive timeout on message uac:4 without label to jump to (ontimeout "
            "attribute): aborting call");
}

TEST_F(LayoutTest, CallDebugBlock) {
  std::string out;
  AppendCallDebugHeader("c", &out);
  AppendCallDebugEvent(stamps_, kWall, CallStartText("c"), &out);
  AppendCallDebugEvent(stamps_, kWall, CallSendText("UDP", "c", 0, 7, "A\r\n\r\n"), &out);
  AppendCallDebugEvent(stamps_, kWall, CallUnexpectedText("UDP", 1, 9, "B\r\n\r\n"), &out);
  AppendCallDebugEvent(stamps_, kWall, CallAbortText("c", 1), &out);
  const std::string stamp = "2023-11-14\t22:13:20.000042\t1700000000.000042 ";
  EXPECT_EQ(out, std::string(79, '-') + "\nCall debugging information for call c:\n" + stamp +
                     "Starting call c\n" + stamp +
                     "Sending UDP message for call c (index 0, hash 7):\nA\r\n\r\n\n\n" + stamp +
                     "Unexpected UDP message received (index 1, hash 9):\n\nB\r\n\r\n\n" + stamp +
                     "Aborting call c (index 1).\n");
}

TEST_F(LayoutTest, ErrorCodesRow) {
  std::string out;
  AppendErrorCodesRow(stamps_, kWall, 306'000, "486,486,", &out);
  EXPECT_EQ(out, "2023-11-14\t22:13:20.000042\t1700000000.000042;00:00:00:306000;486,486,\n");
}

TEST_F(LayoutTest, CountsOfTheEmbeddedUacAreSipps) {
  auto scenario = scenario::LoadScenario(*scenario::EmbeddedScenario("uac"), "uac", {});
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  CountsTable table(**scenario);
  // Debian SIPp 3.6.1, sipp -sn uac -trace_counts.
  EXPECT_EQ(table.Header(),
            "CurrentTime;ElapsedTime;0_INVITE_Sent;0_INVITE_Retrans;0_INVITE_Timeout;1_100_Recv;"
            "1_100_Retrans;1_100_Timeout;1_100_Unexp;2_180_Recv;2_180_Retrans;2_180_Timeout;"
            "2_180_Unexp;3_183_Recv;3_183_Retrans;3_183_Timeout;3_183_Unexp;4_200_Recv;"
            "4_200_Retrans;4_200_Timeout;4_200_Unexp;5_ACK_Sent;5_ACK_Retrans;6_Pause_Sessions;"
            "6_Pause_Unexp;7_BYE_Sent;7_BYE_Retrans;7_BYE_Timeout;8_200_Recv;8_200_Retrans;"
            "8_200_Timeout;8_200_Unexp;\n");
  stats::Snapshot snapshot;
  snapshot.messages.resize(9);
  snapshot.messages[0][static_cast<size_t>(stats::MessageCounter::kSent)] = 20;
  std::string row;
  table.AppendRow(stamps_, kWall, 1'007'000, snapshot, &row);
  EXPECT_EQ(row, "2023-11-14\t22:13:20.000042\t1700000000.000042;00:00:01:007000;20;" +
                     [] {
                       std::string zeros;
                       for (int i = 0; i < 29; ++i) zeros += "0;";
                       return zeros;
                     }() +
                     "\n");
}

TEST_F(LayoutTest, CountsOfTheEmbeddedUas) {
  auto scenario = scenario::LoadScenario(*scenario::EmbeddedScenario("uas"), "uas", {});
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  EXPECT_EQ(CountsTable(**scenario).Header(),
            "CurrentTime;ElapsedTime;0_INVITE_Recv;0_INVITE_Retrans;0_INVITE_Timeout;"
            "0_INVITE_Unexp;1_180_Sent;1_180_Retrans;2_200_Sent;2_200_Retrans;2_200_Timeout;"
            "3_ACK_Recv;3_ACK_Retrans;3_ACK_Timeout;3_ACK_Unexp;4_BYE_Recv;4_BYE_Retrans;"
            "4_BYE_Timeout;4_BYE_Unexp;5_200_Sent;5_200_Retrans;6_Pause_Sessions;6_Pause_Unexp;\n");
}

}  // namespace
}  // namespace sipfleet::trace
