#include "common/control/control_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace sipfleet::control {
namespace {

void SendTo(int port, const std::string& text) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sendto(fd, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  close(fd);
}

std::vector<std::string> ReceiveSome(ControlSocket& socket, size_t want) {
  std::vector<std::string> all;
  for (int i = 0; i < 100 && all.size() < want; ++i) {
    pollfd p{socket.fd(), POLLIN, 0};
    poll(&p, 1, 20);
    for (std::string& d : socket.Receive()) all.push_back(std::move(d));
  }
  return all;
}

TEST(ControlSocketTest, MovesToTheNextPortAndReceivesWithoutBlocking) {
  // Find a free port range by binding one, then ask for it again: the
  // second socket must move to the next port.
  absl::StatusOr<std::unique_ptr<ControlSocket>> a;
  int base = 0;
  for (base = 18800; base < 18900; base += 3) {
    a = ControlSocket::Bind("127.0.0.1", base, 1);
    if (a.ok()) break;
  }
  ASSERT_TRUE(a.ok());
  auto b = ControlSocket::Bind("127.0.0.1", base, 60);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_GT((*b)->port(), base);
  EXPECT_TRUE((*b)->Receive().empty());
  SendTo((*b)->port(), "*\n");
  SendTo((*b)->port(), "cset rate 50");
  std::vector<std::string> got = ReceiveSome(**b, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "*\n");
  EXPECT_EQ(got[1], "cset rate 50");
}

TEST(ControlSocketTest, NoFreePortIsAClearError) {
  absl::StatusOr<std::unique_ptr<ControlSocket>> a;
  int base = 0;
  for (base = 18900; base < 19000; base += 2) {
    a = ControlSocket::Bind("127.0.0.1", base, 1);
    if (a.ok()) break;
  }
  ASSERT_TRUE(a.ok());
  auto b = ControlSocket::Bind("127.0.0.1", base, 1);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(std::string(b.status().message()).find("cannot bind the control socket"),
            std::string::npos);
}

}  // namespace
}  // namespace sipfleet::control
