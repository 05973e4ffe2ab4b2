#ifndef SIPFLEET_COMMON_CONTROL_CONTROL_SOCKET_H_
#define SIPFLEET_COMMON_CONTROL_CONTROL_SOCKET_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sipfleet::control {

// SIPp's remote control socket: UDP, one-way (nothing is ever sent back).
// Each datagram is a key, or 'c' and a command (controller.h).
class ControlSocket {
 public:
  // Binds `ip` ("" = any IPv4 address) on `first_port`, or, if that port is
  // taken, on the next free one of the `tries` ports from it (SIPp: 60).
  static absl::StatusOr<std::unique_ptr<ControlSocket>> Bind(const std::string& ip, int first_port,
                                                             int tries = 60);
  ~ControlSocket();
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

  int port() const { return port_; }
  int fd() const { return fd_; }
  // The datagrams waiting, without blocking (at most `max` of them).
  std::vector<std::string> Receive(int max = 64);

 private:
  ControlSocket(int fd, int port) : fd_(fd), port_(port) {}
  int fd_;
  int port_;
};

}  // namespace sipfleet::control

#endif  // SIPFLEET_COMMON_CONTROL_CONTROL_SOCKET_H_
