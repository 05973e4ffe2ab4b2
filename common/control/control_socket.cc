#include "common/control/control_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/transport/socket_address.h"

namespace sipfleet::control {

absl::StatusOr<std::unique_ptr<ControlSocket>> ControlSocket::Bind(const std::string& ip,
                                                                   int first_port, int tries) {
  absl::StatusOr<transport::SocketAddress> address =
      transport::SocketAddress::Resolve(ip.empty() ? "0.0.0.0" : ip, 0);
  if (!address.ok()) {
    return absl::InvalidArgumentError(base::Cat("-ci ", ip, ": ", base::FromAbsl(address.status().message())));
  }
  int last_errno = 0;
  for (int port = first_port; port < first_port + tries && port <= 65535; ++port) {
    int fd = socket(address->family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return absl::InternalError(base::Cat("control socket: ", std::strerror(errno)));
    address->set_port(static_cast<uint16_t>(port));
    if (bind(fd, address->sockaddr_ptr(), address->length()) == 0) {
      return std::unique_ptr<ControlSocket>(new ControlSocket(fd, port));
    }
    last_errno = errno;
    close(fd);
  }
  return absl::FailedPreconditionError(base::Cat("cannot bind the control socket on ",
                                                 ip.empty() ? "*" : ip, " ports ", first_port, "-",
                                                 first_port + tries - 1, ": ",
                                                 std::strerror(last_errno)));
}

ControlSocket::~ControlSocket() { close(fd_); }

std::vector<std::string> ControlSocket::Receive(int max) {
  std::vector<std::string> datagrams;
  char buffer[2048];
  while (static_cast<int>(datagrams.size()) < max) {
    ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0) break;
    datagrams.emplace_back(buffer, static_cast<size_t>(n));
  }
  return datagrams;
}

}  // namespace sipfleet::control
