#ifndef SIPFLEET_COMMON_TRANSPORT_SOCKET_ADDRESS_H_
#define SIPFLEET_COMMON_TRANSPORT_SOCKET_ADDRESS_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sipfleet::transport {

// An IPv4 or IPv6 socket address (value type), 32 bytes: every call keeps
// its peer's (a sockaddr_storage would be 136 bytes a call).
class SocketAddress {
 public:
  // The most bytes a sockaddr written into mutable_sockaddr() may take
  // (getsockname/accept lengths start from this).
  static constexpr socklen_t kCapacity = sizeof(sockaddr_in6);

  SocketAddress() = default;
  // Resolves `host` (a name, dotted quad, or IPv6 with or without brackets)
  // and `port`. Blocking; call at start-up only.
  static absl::StatusOr<SocketAddress> Resolve(std::string_view host, uint16_t port);
  // Parses "host[:port]" / "[v6]:port" with `default_port` when absent.
  static absl::StatusOr<SocketAddress> ResolveHostPort(std::string_view host_port,
                                                       uint16_t default_port);
  static SocketAddress FromSockaddr(const sockaddr* sa, socklen_t len);
  static SocketAddress Any(bool ipv6, uint16_t port);

  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* mutable_sockaddr() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t length() const { return length_; }
  void set_length(socklen_t length) { length_ = length; }
  bool is_ipv6() const { return storage_.sin6_family == AF_INET6; }
  int family() const { return storage_.sin6_family; }
  uint16_t port() const;
  void set_port(uint16_t port);
  // The address without brackets ("127.0.0.1", "::1").
  std::string ip() const;
  // The address as SIP writes it in URIs: IPv6 in brackets.
  std::string ip_for_uri() const;
  bool operator==(const SocketAddress& other) const;

 private:
  sockaddr_in6 storage_{};  // AF_INET addresses use its first 16 bytes
  socklen_t length_ = 0;
};

}  // namespace sipfleet::transport

#endif  // SIPFLEET_COMMON_TRANSPORT_SOCKET_ADDRESS_H_
