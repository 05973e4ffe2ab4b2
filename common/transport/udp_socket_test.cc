#include "common/transport/udp_socket.h"

#include "gtest/gtest.h"

namespace sipfleet::transport {
namespace {

SocketAddress Loopback(uint16_t port) { return *SocketAddress::Resolve("127.0.0.1", port); }

TEST(UdpSocketTest, BatchedSendArrivesAsSeparateDatagrams) {
  auto a = UdpSocket::Bind(Loopback(0), 1 << 20);
  auto b = UdpSocket::Bind(Loopback(0), 1 << 20);
  ASSERT_TRUE(a.ok() && b.ok());
  SendBatch batch((*a)->fd());
  for (int i = 0; i < 100; ++i) batch.Queue("msg" + std::to_string(i), (*b)->local_address());
  EXPECT_EQ(batch.Flush(), 0);
  ReceiveBatch receive;
  int total = 0;
  for (int attempt = 0; attempt < 1000 && total < 100; ++attempt) {
    int n = receive.Receive((*b)->fd());
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ(receive.datagram(i), "msg" + std::to_string(total + i));
      EXPECT_EQ(receive.source(i).port(), (*a)->local_address().port());
    }
    total += n;
  }
  EXPECT_EQ(total, 100);
}

TEST(UdpSocketTest, BindingAPortInUseIsFailedPrecondition) {
  auto a = UdpSocket::Bind(Loopback(0), 0);
  ASSERT_TRUE(a.ok());
  auto b = UdpSocket::Bind(Loopback((*a)->local_address().port()), 0);
  EXPECT_EQ(b.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SocketAddressTest, ParsesHostPortForms) {
  EXPECT_EQ(SocketAddress::ResolveHostPort("127.0.0.1:5070", 5060)->port(), 5070);
  EXPECT_EQ(SocketAddress::ResolveHostPort("127.0.0.1", 5060)->port(), 5060);
  auto v6 = SocketAddress::ResolveHostPort("[::1]:5080", 5060);
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->is_ipv6());
  EXPECT_EQ(v6->ip_for_uri(), "[::1]");
  EXPECT_EQ(v6->port(), 5080);
  EXPECT_FALSE(SocketAddress::ResolveHostPort("127.0.0.1:99999", 5060).ok());
}

}  // namespace
}  // namespace sipfleet::transport
