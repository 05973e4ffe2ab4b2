#include "common/transport/socket_address.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::transport {

absl::StatusOr<SocketAddress> SocketAddress::Resolve(std::string_view host, uint16_t port) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* result = nullptr;
  std::string host_str(host);
  int rc = getaddrinfo(host_str.c_str(), nullptr, &hints, &result);
  if (rc != 0 || result == nullptr) {
    return absl::InvalidArgumentError(
        base::Cat("cannot resolve host '", host, "': ", gai_strerror(rc)));
  }
  SocketAddress address = FromSockaddr(result->ai_addr, result->ai_addrlen);
  freeaddrinfo(result);
  address.set_port(port);
  return address;
}

absl::StatusOr<SocketAddress> SocketAddress::ResolveHostPort(std::string_view host_port,
                                                             uint16_t default_port) {
  std::string_view host = host_port;
  std::string_view port_text;
  if (!host_port.empty() && host_port.front() == '[') {
    size_t close = host_port.find(']');
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError(base::Cat("invalid address '", host_port, "'"));
    }
    host = host_port.substr(1, close - 1);
    if (close + 1 < host_port.size()) {
      if (host_port[close + 1] != ':') {
        return absl::InvalidArgumentError(base::Cat("invalid address '", host_port, "'"));
      }
      port_text = host_port.substr(close + 2);
    }
  } else if (size_t colon = host_port.find(':');
             colon != std::string_view::npos &&
             host_port.find(':', colon + 1) == std::string_view::npos) {
    host = host_port.substr(0, colon);
    port_text = host_port.substr(colon + 1);
  }
  uint32_t port = default_port;
  if (!port_text.empty() && (!base::ParseInt(port_text, &port) || port == 0 || port > 65535)) {
    return absl::InvalidArgumentError(base::Cat("invalid port in '", host_port, "'"));
  }
  return Resolve(host, static_cast<uint16_t>(port));
}

SocketAddress SocketAddress::FromSockaddr(const sockaddr* sa, socklen_t len) {
  SocketAddress address;
  address.length_ = std::min<socklen_t>(len, kCapacity);
  std::memcpy(&address.storage_, sa, address.length_);
  return address;
}

SocketAddress SocketAddress::Any(bool ipv6, uint16_t port) {
  SocketAddress address;
  if (ipv6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&address.storage_);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_addr = in6addr_any;
    address.length_ = sizeof(sockaddr_in6);
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&address.storage_);
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(INADDR_ANY);
    address.length_ = sizeof(sockaddr_in);
  }
  address.set_port(port);
  return address;
}

uint16_t SocketAddress::port() const {
  if (is_ipv6()) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
}

void SocketAddress::set_port(uint16_t port) {
  if (is_ipv6()) {
    reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  }
}

std::string SocketAddress::ip() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (is_ipv6()) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, buffer,
              sizeof(buffer));
  } else {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buffer,
              sizeof(buffer));
  }
  return buffer;
}

std::string SocketAddress::ip_for_uri() const {
  return is_ipv6() ? base::Cat("[", ip(), "]") : ip();
}

bool SocketAddress::operator==(const SocketAddress& other) const {
  return length_ == other.length_ && std::memcmp(&storage_, &other.storage_, length_) == 0;
}

}  // namespace sipfleet::transport
