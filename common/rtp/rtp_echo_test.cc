#include "common/rtp/rtp_echo.h"

#include <poll.h>
#include <sys/epoll.h>

#include "common/rtp/rtp_test_util.h"
#include "gtest/gtest.h"

namespace sipfleet::rtp {
namespace {

using ::sipfleet::rtp::testing::Receiver;
using transport::SocketAddress;

// Waits (poll) until `fd` has a datagram queued.
bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 2000) == 1;
}

void SendTo(int fd, std::string_view data, const SocketAddress& to) {
  ASSERT_EQ(sendto(fd, data.data(), data.size(), 0, to.sockaddr_ptr(), to.length()),
            static_cast<ssize_t>(data.size()));
}

TEST(RtpEchoTest, BindsAPortAndPortPlusTwo) {
  auto pair = RtpEcho::BindEchoPair("127.0.0.1", 0, 10);
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_EQ(pair->media->local_address().port(), pair->port);
  EXPECT_EQ(pair->media_plus_2->local_address().port(), pair->port + 2);
}

TEST(RtpEchoTest, MovesOnWhenThePortIsTaken) {
  auto taken = RtpEcho::BindEchoPair("127.0.0.1", 0, 10);
  ASSERT_TRUE(taken.ok());
  const uint16_t busy = taken->port;  // busy and busy + 2 are both held
  auto next = RtpEcho::BindEchoPair("127.0.0.1", busy, 20);
  if (next.ok()) {
    EXPECT_GT(next->port, busy);
    EXPECT_EQ((next->port - busy) % 2, 0);
  }
  auto single_try = RtpEcho::BindEchoPair("127.0.0.1", busy, 1);
  EXPECT_EQ(single_try.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RtpEcho::BindEchoPair("127.0.0.1", busy, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RtpEchoTest, EchoesBackToTheSourceOnBothPorts) {
  auto pair = RtpEcho::BindEchoPair("127.0.0.1", 0, 10);
  ASSERT_TRUE(pair.ok());
  const SocketAddress audio = pair->media->local_address();
  const SocketAddress video = pair->media_plus_2->local_address();
  RtpEcho echo(*std::move(pair));
  ASSERT_EQ(echo.fds().size(), 2u);
  Receiver peer;
  ASSERT_TRUE(peer.ok());
  SendTo(peer.fd(), "audio packet", audio);
  SendTo(peer.fd(), "video packet", video);
  for (int fd : echo.fds()) ASSERT_TRUE(Readable(fd));
  echo.OnEvents(EPOLLIN);
  ASSERT_EQ(peer.WaitFor(2), 2u);
  EXPECT_EQ(peer.datagrams[0], "audio packet");
  EXPECT_EQ(peer.sources[0], audio);
  EXPECT_EQ(peer.datagrams[1], "video packet");
  EXPECT_EQ(peer.sources[1], video);
  EXPECT_EQ(echo.echoed_packets(), 2u);
  EXPECT_EQ(echo.echoed_bytes(), 24u);
  EXPECT_EQ(echo.truncated(), 0u);
}

TEST(RtpEchoTest, MutedSourcesAreDroppedUntilUnmuted) {
  auto pair = RtpEcho::BindEchoPair("127.0.0.1", 0, 10);
  ASSERT_TRUE(pair.ok());
  const SocketAddress audio = pair->media->local_address();
  RtpEcho echo(*std::move(pair));
  Receiver muted_peer;
  Receiver other_peer;
  ASSERT_TRUE(muted_peer.ok() && other_peer.ok());
  echo.Mute(muted_peer.address());
  SendTo(muted_peer.fd(), "not echoed", audio);
  SendTo(other_peer.fd(), "echoed", audio);
  ASSERT_TRUE(Readable(echo.fds()[0]));
  echo.OnEvents(EPOLLIN);
  ASSERT_EQ(other_peer.WaitFor(1), 1u);
  EXPECT_EQ(echo.muted(), 1u);
  EXPECT_EQ(muted_peer.Drain(), 0);
  echo.Unmute(muted_peer.address());
  SendTo(muted_peer.fd(), "echoed again", audio);
  ASSERT_TRUE(Readable(echo.fds()[0]));
  echo.OnEvents(EPOLLIN);
  ASSERT_EQ(muted_peer.WaitFor(1), 1u);
  EXPECT_EQ(muted_peer.datagrams[0], "echoed again");
}

TEST(RtpEchoTest, ManyDatagramsInOneEvent) {
  auto pair = RtpEcho::BindEchoPair("127.0.0.1", 0, 10);
  ASSERT_TRUE(pair.ok());
  const SocketAddress audio = pair->media->local_address();
  RtpEcho echo(*std::move(pair));
  Receiver peer;
  for (int i = 0; i < 100; ++i) SendTo(peer.fd(), "rtp" + std::to_string(i), audio);
  ASSERT_TRUE(Readable(echo.fds()[0]));
  // Loopback queues each datagram during sendto, so all 100 are there.
  echo.OnEvents(EPOLLIN);
  ASSERT_EQ(peer.WaitFor(100), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(peer.datagrams[i], "rtp" + std::to_string(i));
}

TEST(RtpEchoTest, DatagramsLargerThanTheBufferAreCountedNotEchoed) {
  auto pair = RtpEcho::BindEchoPair("127.0.0.1", 0, 10);
  ASSERT_TRUE(pair.ok());
  const SocketAddress audio = pair->media->local_address();
  RtpEcho echo(*std::move(pair), /*buffer_bytes=*/16);
  Receiver peer;
  SendTo(peer.fd(), std::string(100, 'x'), audio);
  SendTo(peer.fd(), std::string(16, 'y'), audio);  // exactly the buffer: fine
  ASSERT_TRUE(Readable(echo.fds()[0]));
  echo.OnEvents(EPOLLIN);
  ASSERT_EQ(peer.WaitFor(1), 1u);
  EXPECT_EQ(peer.datagrams[0], std::string(16, 'y'));
  EXPECT_EQ(echo.truncated(), 1u);
  EXPECT_EQ(echo.echoed_packets(), 1u);
}

}  // namespace
}  // namespace sipfleet::rtp
