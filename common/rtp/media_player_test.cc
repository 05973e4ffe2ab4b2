#include "common/rtp/media_player.h"

#include <chrono>
#include <cstdio>

#include "common/rtp/rtp_test_util.h"
#include "common/transport/udp_socket.h"
#include "gtest/gtest.h"

namespace sipfleet::rtp {
namespace {

using ::sipfleet::rtp::testing::Receiver;
using ::sipfleet::rtp::testing::MakeAudioFile;
using ::sipfleet::rtp::testing::SipTesterPcap;
using transport::PreciseTimer;
using transport::SocketAddress;
using transport::UdpSocket;

std::shared_ptr<const PcapMedia> G711a() {
  static const auto* media =
      new std::shared_ptr<const PcapMedia>(*PcapMedia::Load(SipTesterPcap("g711a.pcap")));
  return *media;
}

std::shared_ptr<const AudioFile> Beep() {
  return *AudioFile::Load(MakeAudioFile("beep.alaw", 8000), FramingFor("", 8));
}

// A media of `n` packets `spacing_us` apart, payloads "<tag><i>".
std::shared_ptr<const PcapMedia> Synthetic(int n, int64_t spacing_us, const std::string& tag) {
  std::vector<std::string> payloads;
  for (int i = 0; i < n; ++i) payloads.push_back(tag + std::to_string(i));
  std::vector<PcapPacket> packets;
  for (int i = 0; i < n; ++i) packets.push_back({i * spacing_us, 0, payloads[i]});
  return *PcapMedia::FromPackets(packets, 6000);
}

std::unique_ptr<UdpSocket> BindSender(bool ipv6 = false) {
  auto socket = UdpSocket::Bind(*SocketAddress::Resolve(ipv6 ? "::1" : "127.0.0.1", 0), 4 << 20);
  return socket.ok() ? *std::move(socket) : nullptr;
}

// Steps the manual clock from deadline to deadline, running the player at
// each one, until it is idle or the next deadline is after `until_us`.
// With `rx`, waits after each step for the datagrams just sent (all to
// `rx`) and appends each one's arrival time to `arrivals`.
void RunUntil(MediaPlayer& player, base::ManualClock& clock, int64_t until_us = INT64_MAX,
              Receiver* rx = nullptr, std::vector<int64_t>* arrivals = nullptr) {
  const size_t rx_base = rx != nullptr ? rx->datagrams.size() : 0;
  const uint64_t sent_base = player.packets_sent();
  while (player.NextDueMicros() != PreciseTimer::kNone && player.NextDueMicros() <= until_us) {
    const int64_t due = player.NextDueMicros();
    if (due > clock.NowMicros()) clock.AdvanceMicros(due - clock.NowMicros());
    player.RunDue(clock.NowMicros());
    if (rx == nullptr) continue;
    const size_t expected = rx_base + (player.packets_sent() - sent_base);
    ASSERT_EQ(rx->WaitFor(expected), expected);
    if (arrivals != nullptr) arrivals->resize(expected - rx_base, clock.NowMicros());
  }
  if (until_us != INT64_MAX && until_us > clock.NowMicros()) {
    clock.AdvanceMicros(until_us - clock.NowMicros());
  }
}

class MediaPlayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = BindSender();
    ASSERT_NE(out_, nullptr);
    ASSERT_TRUE(rx_.ok());
    player_ = std::make_unique<MediaPlayer>(clock_, MediaPlayerOptions{.ipv4_fd = out_->fd()});
  }

  base::ManualClock clock_;
  std::unique_ptr<UdpSocket> out_;
  Receiver rx_;
  std::unique_ptr<MediaPlayer> player_;
};

TEST_F(MediaPlayerTest, ReplaysACaptureWithItsRecordedTiming) {
  auto media = G711a();
  const int64_t start = clock_.NowMicros();
  ASSERT_TRUE(player_->PlayPcap(1, MediaKind::kAudio, media, rx_.address()).ok());
  EXPECT_TRUE(player_->Playing(1, MediaKind::kAudio));
  EXPECT_FALSE(player_->Playing(1, MediaKind::kVideo));
  EXPECT_EQ(player_->ActiveCount(), 1u);
  EXPECT_EQ(player_->NextDueMicros(), start);
  std::vector<int64_t> arrivals;
  RunUntil(*player_, clock_, INT64_MAX, &rx_, &arrivals);

  const auto& packets = media->Packets();
  ASSERT_EQ(rx_.datagrams.size(), packets.size());
  for (size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(rx_.datagrams[i], packets[i].payload) << i;
    EXPECT_EQ(arrivals[i], start + packets[i].offset_us) << i;
    EXPECT_EQ(rx_.sources[i].port(), out_->local_address().port());
  }
  EXPECT_FALSE(player_->Playing(1, MediaKind::kAudio));
  EXPECT_EQ(player_->ActiveCount(), 0u);
  EXPECT_EQ(player_->NextDueMicros(), PreciseTimer::kNone);
  EXPECT_EQ(player_->packets_sent(), 236u);
  EXPECT_EQ(player_->bytes_sent(), 236u * 252u);
  EXPECT_EQ(player_->send_errors(), 0u);
  EXPECT_EQ(player_->lateness().count(), 236u);
  EXPECT_EQ(player_->lateness().max(), 0u);
}

TEST_F(MediaPlayerTest, TwoOwnersPlayConcurrently) {
  Receiver rx2;
  ASSERT_TRUE(rx2.ok());
  const int64_t start = clock_.NowMicros();
  ASSERT_TRUE(player_->PlayPcap(1, MediaKind::kAudio, G711a(), rx_.address()).ok());
  RunUntil(*player_, clock_, start + 10'000);
  ASSERT_TRUE(player_->PlayPcap(2, MediaKind::kAudio, G711a(), rx2.address()).ok());
  EXPECT_EQ(player_->ActiveCount(), 2u);
  RunUntil(*player_, clock_);
  ASSERT_EQ(rx_.WaitFor(236), 236u);
  ASSERT_EQ(rx2.WaitFor(236), 236u);
  for (size_t i = 0; i < 236; ++i) {
    EXPECT_EQ(rx_.datagrams[i], G711a()->Packets()[i].payload);
    EXPECT_EQ(rx2.datagrams[i], G711a()->Packets()[i].payload);
  }
  EXPECT_EQ(player_->packets_sent(), 472u);
  EXPECT_EQ(player_->lateness().max(), 0u);
}

TEST_F(MediaPlayerTest, NewPlaybackOfTheSameKindReplacesTheOldOne) {
  Receiver video_rx;
  ASSERT_TRUE(video_rx.ok());
  const int64_t start = clock_.NowMicros();
  ASSERT_TRUE(player_->PlayPcap(1, MediaKind::kAudio, G711a(), rx_.address()).ok());
  ASSERT_TRUE(
      player_->PlayPcap(1, MediaKind::kVideo, Synthetic(4, 50'000, "video"), video_rx.address())
          .ok());
  // Up to and including the 5th audio packet.
  RunUntil(*player_, clock_, start + G711a()->Packets()[4].offset_us);
  ASSERT_EQ(rx_.WaitFor(5), 5u);
  ASSERT_TRUE(
      player_->PlayPcap(1, MediaKind::kAudio, Synthetic(3, 10'000, "new"), rx_.address()).ok());
  EXPECT_EQ(player_->ActiveCount(), 2u);
  RunUntil(*player_, clock_);
  ASSERT_EQ(rx_.WaitFor(8), 8u);
  EXPECT_EQ(rx_.datagrams[4], G711a()->Packets()[4].payload);
  EXPECT_EQ(rx_.datagrams[5], "new0");
  EXPECT_EQ(rx_.datagrams[7], "new2");
  EXPECT_EQ(video_rx.WaitFor(4), 4u);  // the other slot was left alone
  EXPECT_EQ(player_->packets_sent(), 12u);
  EXPECT_EQ(player_->ActiveCount(), 0u);
}

TEST_F(MediaPlayerTest, StopDropsEveryPlaybackOfTheOwner) {
  Receiver rx2;
  ASSERT_TRUE(rx2.ok());
  const int64_t start = clock_.NowMicros();
  ASSERT_TRUE(player_->PlayPcap(1, MediaKind::kAudio, G711a(), rx_.address()).ok());
  ASSERT_TRUE(player_->StartStream(1, Beep(), -1, 8, rx_.address()).ok());
  ASSERT_TRUE(player_->PlayPcap(2, MediaKind::kAudio, G711a(), rx2.address()).ok());
  RunUntil(*player_, clock_, start + 100'000);
  const uint64_t sent_before_stop = player_->packets_sent();
  player_->Stop(1);
  player_->Stop(99);  // unknown owner: nothing to do
  EXPECT_FALSE(player_->Playing(1, MediaKind::kAudio));
  EXPECT_FALSE(player_->Playing(1, MediaKind::kStream));
  EXPECT_EQ(player_->ActiveCount(), 1u);
  RunUntil(*player_, clock_);
  EXPECT_EQ(rx2.WaitFor(236), 236u);
  // Owner 2 sent its remaining packets; owner 1 nothing more.
  const uint64_t owner2_before = 4;  // offsets 0, 30, 60, 90 ms
  EXPECT_EQ(player_->packets_sent(), sent_before_stop + 236 - owner2_before);
  EXPECT_EQ(rx_.WaitFor(sent_before_stop - owner2_before), sent_before_stop - owner2_before);
}

TEST_F(MediaPlayerTest, PortOffsetsFollowTheCapture) {
  // RTP to the SDP port, RTCP to port + 1.
  std::unique_ptr<Receiver> rtp, rtcp;
  for (int attempt = 0; attempt < 50 && rtcp == nullptr; ++attempt) {
    rtp = std::make_unique<Receiver>();
    auto next = std::make_unique<Receiver>(false, static_cast<uint16_t>(rtp->address().port() + 1));
    if (next->ok()) rtcp = std::move(next);
  }
  ASSERT_NE(rtcp, nullptr);
  auto media =
      *PcapMedia::FromPackets({{0, 0, "rtp"}, {5'000, 1, "rtcp"}, {20'000, 0, "rtp2"}}, 7000);
  ASSERT_TRUE(player_->PlayPcap(5, MediaKind::kAudio, media, rtp->address()).ok());
  RunUntil(*player_, clock_);
  ASSERT_EQ(rtp->WaitFor(2), 2u);
  ASSERT_EQ(rtcp->WaitFor(1), 1u);
  EXPECT_EQ(rtp->datagrams[1], "rtp2");
  EXPECT_EQ(rtcp->datagrams[0], "rtcp");
}

TEST_F(MediaPlayerTest, DtmfGoesOutAsRfc4733Events) {
  const int64_t start = clock_.NowMicros();
  ASSERT_TRUE(player_->PlayDtmf(7, "12#", 200, 96, rx_.address()).ok());
  EXPECT_TRUE(player_->Playing(7, MediaKind::kAudio));
  std::vector<int64_t> arrivals;
  RunUntil(*player_, clock_, INT64_MAX, &rx_, &arrivals);
  ASSERT_EQ(rx_.datagrams.size(), 36u);
  auto schedule = *BuildDtmfSchedule("12#", 200);
  std::string digits;
  int ends = 0;
  std::optional<RtpHeader> first = ParseRtpHeader(rx_.datagrams[0]);
  ASSERT_TRUE(first.has_value());
  for (size_t i = 0; i < 36; ++i) {
    std::optional<RtpHeader> header = ParseRtpHeader(rx_.datagrams[i]);
    ASSERT_TRUE(header.has_value());
    EXPECT_EQ(header->payload_type, 96);
    EXPECT_EQ(header->ssrc, 0xCA110000u + 7);
    EXPECT_EQ(header->sequence, static_cast<uint16_t>(first->sequence + i));
    EXPECT_EQ(header->marker, i % 12 == 0);
    EXPECT_EQ(header->timestamp, first->timestamp + schedule[i].timestamp_offset);
    EXPECT_EQ(arrivals[i], start + schedule[i].offset_us);
    auto event = DecodeDtmfRtpPacket(rx_.datagrams[i]);
    ASSERT_TRUE(event.has_value());
    if (header->marker) digits.push_back(DtmfDigit(event->event));
    ends += event->end;
  }
  EXPECT_EQ(digits, "12#");
  EXPECT_EQ(ends, 9);
  EXPECT_FALSE(player_->Playing(7, MediaKind::kAudio));
}

TEST_F(MediaPlayerTest, StreamWritesItsOwnRtpHeaders) {
  auto beep = Beep();
  const int64_t start = clock_.NowMicros();
  ASSERT_TRUE(player_->StartStream(3, beep, 2, 8, rx_.address()).ok());
  std::vector<int64_t> arrivals;
  RunUntil(*player_, clock_, INT64_MAX, &rx_, &arrivals);
  ASSERT_EQ(rx_.datagrams.size(), 100u);  // 2 loops of 50 frames
  auto first = ParseRtpHeader(rx_.datagrams[0]);
  for (size_t i = 0; i < 100; ++i) {
    size_t offset = 0;
    auto header = ParseRtpHeader(rx_.datagrams[i], &offset);
    ASSERT_TRUE(header.has_value());
    EXPECT_EQ(offset, kRtpHeaderBytes);
    EXPECT_EQ(rx_.datagrams[i].substr(offset), beep->frame(i % 50)) << i;
    EXPECT_EQ(header->payload_type, 8);
    EXPECT_EQ(header->marker, i == 0);
    EXPECT_EQ(header->ssrc, 0xCA110000u + 3);
    EXPECT_EQ(header->sequence, static_cast<uint16_t>(first->sequence + i));
    EXPECT_EQ(header->timestamp, first->timestamp + 160 * i);
    EXPECT_EQ(arrivals[i], start + static_cast<int64_t>(i) * 20'000);
  }
  EXPECT_FALSE(player_->Playing(3, MediaKind::kStream));
}

TEST_F(MediaPlayerTest, PausedStreamResumesWithoutABurst) {
  const int64_t start = clock_.NowMicros();
  ASSERT_TRUE(player_->StartStream(3, Beep(), -1, 8, rx_.address()).ok());
  RunUntil(*player_, clock_, start + 190'000, &rx_);
  ASSERT_EQ(rx_.datagrams.size(), 10u);  // 0, 20, ... 180 ms
  EXPECT_TRUE(player_->PauseStream(3));
  EXPECT_FALSE(player_->PauseStream(3));
  EXPECT_FALSE(player_->PauseStream(4));
  EXPECT_EQ(player_->NextDueMicros(), PreciseTimer::kNone);
  EXPECT_TRUE(player_->Playing(3, MediaKind::kStream));
  EXPECT_EQ(player_->ActiveCount(), 1u);
  clock_.AdvanceMicros(1'000'000);
  player_->RunDue(clock_.NowMicros());
  EXPECT_EQ(player_->packets_sent(), 10u);
  EXPECT_TRUE(player_->ResumeStream(3));
  EXPECT_FALSE(player_->ResumeStream(3));
  // The packet due at 200 ms now goes at 1200 ms, the rest 20 ms apart.
  EXPECT_EQ(player_->NextDueMicros(), start + 1'200'000);
  std::vector<int64_t> arrivals;
  RunUntil(*player_, clock_, start + 1'260'000, &rx_, &arrivals);
  ASSERT_EQ(rx_.datagrams.size(), 14u);
  EXPECT_EQ(arrivals, (std::vector<int64_t>{start + 1'200'000, start + 1'220'000, start + 1'240'000,
                                            start + 1'260'000}));
  auto before = *ParseRtpHeader(rx_.datagrams[9]);
  auto after = *ParseRtpHeader(rx_.datagrams[10]);
  auto next = *ParseRtpHeader(rx_.datagrams[11]);
  EXPECT_TRUE(after.marker);
  EXPECT_FALSE(next.marker);
  EXPECT_EQ(after.sequence, static_cast<uint16_t>(before.sequence + 1));
  EXPECT_EQ(after.timestamp, before.timestamp + 160 + 8000);  // + the 1 s pause
  EXPECT_EQ(next.timestamp, after.timestamp + 160);
  EXPECT_EQ(player_->lateness().max(), 0u);
  player_->Stop(3);
  EXPECT_EQ(player_->NextDueMicros(), PreciseTimer::kNone);
  EXPECT_EQ(player_->ActiveCount(), 0u);
}

TEST_F(MediaPlayerTest, DtmfAndStreamShareTheOwnersSequence) {
  ASSERT_TRUE(player_->StartStream(3, Beep(), 1, 8, rx_.address()).ok());
  ASSERT_TRUE(player_->PlayDtmf(3, "5", 100, 96, rx_.address()).ok());
  RunUntil(*player_, clock_, INT64_MAX, &rx_);
  ASSERT_EQ(rx_.datagrams.size(), 50u + 7u);
  std::vector<uint16_t> sequences;
  for (const std::string& d : rx_.datagrams) sequences.push_back(ParseRtpHeader(d)->sequence);
  for (size_t i = 1; i < sequences.size(); ++i) {
    EXPECT_EQ(sequences[i], static_cast<uint16_t>(sequences[0] + i));
  }
}

TEST_F(MediaPlayerTest, RejectsBadRequests) {
  EXPECT_EQ(player_->PlayPcap(1, MediaKind::kAudio, nullptr, rx_.address()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(player_->PlayPcap(1, MediaKind::kStream, G711a(), rx_.address()).code(),
            absl::StatusCode::kInvalidArgument);
  auto v6 = *SocketAddress::Resolve("::1", 6000);
  EXPECT_EQ(player_->PlayPcap(1, MediaKind::kAudio, G711a(), v6).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(player_->PlayPcap(1, MediaKind::kAudio, G711a(), SocketAddress()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      player_->PlayPcap(1, MediaKind::kAudio, G711a(), *SocketAddress::Resolve("127.0.0.1", 0))
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(player_->StartStream(1, Beep(), 0, 8, rx_.address()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(player_->StartStream(1, Beep(), 1, 128, rx_.address()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(player_->PlayDtmf(1, "1x", 200, 96, rx_.address()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(player_->PlayDtmf(1, "1", 20, 96, rx_.address()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(player_->ActiveCount(), 0u);
  EXPECT_EQ(player_->NextDueMicros(), PreciseTimer::kNone);
}

TEST(MediaPlayerIpv6Test, PicksTheSocketOfTheDestinationFamily) {
  auto out6 = BindSender(/*ipv6=*/true);
  Receiver rx6(/*ipv6=*/true);
  if (out6 == nullptr || !rx6.ok()) GTEST_SKIP() << "no IPv6 loopback";
  base::ManualClock clock;
  MediaPlayer player(clock, {.ipv4_fd = -1, .ipv6_fd = out6->fd()});
  ASSERT_TRUE(player.PlayDtmf(1, "0", 50, 101, rx6.address()).ok());
  RunUntil(player, clock, INT64_MAX, &rx6);
  EXPECT_EQ(rx6.datagrams.size(), 5u);
  EXPECT_EQ(player.PlayDtmf(1, "0", 50, 101, *SocketAddress::Resolve("127.0.0.1", 9)).code(),
            absl::StatusCode::kFailedPrecondition);
}

// Refuses every other datagram.
class FlakySender final : public DatagramSender {
 public:
  int Send(int fd, std::span<mmsghdr> messages) override {
    int failures = 0;
    for (mmsghdr& m : messages) {
      if (calls_++ % 2 == 1) {
        ++failures;
        continue;
      }
      for (size_t i = 0; i < m.msg_hdr.msg_iovlen; ++i) m.msg_len += m.msg_hdr.msg_iov[i].iov_len;
    }
    return failures;
  }

 private:
  int calls_ = 0;
};

TEST(MediaPlayerCountersTest, LatenessAndSendErrors) {
  base::ManualClock clock;
  FlakySender sender;
  MediaPlayer player(clock, {.ipv4_fd = 3, .sender = &sender});
  const int64_t start = clock.NowMicros();
  ASSERT_TRUE(player
                  .PlayPcap(1, MediaKind::kAudio, Synthetic(10, 10'000, "p"),
                            *SocketAddress::Resolve("127.0.0.1", 9))
                  .ok());
  for (int64_t t : {0, 50'000, 100'000}) {
    clock.AdvanceMicros(start + t - clock.NowMicros());
    player.RunDue(clock.NowMicros());
  }
  EXPECT_EQ(player.ActiveCount(), 0u);
  EXPECT_EQ(player.packets_sent(), 5u);
  EXPECT_EQ(player.send_errors(), 5u);
  EXPECT_EQ(player.bytes_sent(), 10u);  // "p0", "p2", "p4", "p6", "p8"
  // Late by 0 | 40 30 20 10 0 | 40 30 20 10 ms.
  EXPECT_EQ(player.lateness().count(), 10u);
  EXPECT_EQ(player.lateness().sum(), 200'000u);
  EXPECT_EQ(player.lateness().max(), 40'000u);
}

// Counts datagrams without a kernel, to measure the player alone.
class CountingSender final : public DatagramSender {
 public:
  int Send(int fd, std::span<mmsghdr> messages) override {
    for (mmsghdr& m : messages) {
      for (size_t i = 0; i < m.msg_hdr.msg_iovlen; ++i) m.msg_len += m.msg_hdr.msg_iov[i].iov_len;
      ++datagrams;
    }
    ++batches;
    return 0;
  }
  uint64_t datagrams = 0;
  uint64_t batches = 0;
};

TEST(MediaPlayerScaleTest, TenThousandConcurrentPlaybacksInOneThread) {
  constexpr int kSessions = 10'000;
  base::ManualClock clock;
  CountingSender sender;
  MediaPlayer player(clock, {.ipv4_fd = 3, .sender = &sender});
  auto media = G711a();
  auto to = *SocketAddress::Resolve("127.0.0.1", 6000);
  const auto wall_start = std::chrono::steady_clock::now();
  // Calls arrive over 30 ms, then everything plays out in 1 ms ticks.
  for (int i = 0; i < kSessions; ++i) {
    if (i % (kSessions / 30) == 0) {
      clock.AdvanceMicros(1000);
      player.RunDue(clock.NowMicros());
    }
    ASSERT_TRUE(
        player.PlayPcap(static_cast<uint64_t>(i) << 32 | 7, MediaKind::kAudio, media, to).ok());
  }
  EXPECT_EQ(player.ActiveCount(), static_cast<size_t>(kSessions));
  while (player.NextDueMicros() != PreciseTimer::kNone) {
    clock.AdvanceMicros(1000);
    player.RunDue(clock.NowMicros());
  }
  for (int i = 0; i < kSessions; ++i) player.Stop(static_cast<uint64_t>(i) << 32 | 7);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const uint64_t expected = uint64_t{kSessions} * media->Packets().size();
  EXPECT_EQ(player.packets_sent(), expected);
  EXPECT_EQ(sender.datagrams, expected);
  EXPECT_EQ(player.bytes_sent(), expected * 252);
  EXPECT_EQ(player.ActiveCount(), 0u);
  EXPECT_LE(player.lateness().max(), 1000u);  // never more than one tick late
  std::printf("%d playbacks, %llu packets in %llu batches: %.3f s (%.0f ns/packet)\n", kSessions,
              static_cast<unsigned long long>(expected),
              static_cast<unsigned long long>(sender.batches), seconds, seconds * 1e9 / expected);
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(seconds, 2.0);
#endif
}

}  // namespace
}  // namespace sipfleet::rtp
