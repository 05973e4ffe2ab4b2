#include "common/twin/hub.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::twin {
namespace {

constexpr int kConnectTimeoutMs = 5000;
constexpr int64_t kStopFlushMs = 2000;

std::string Describe(const transport::SocketAddress& address) {
  return base::Cat(address.ip_for_uri(), ":", address.port());
}

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK); }

absl::StatusOr<transport::SocketAddress> ResolvePeer(const PeerAddress& peer) {
  return transport::SocketAddress::Resolve(peer.host, peer.port);
}

}  // namespace

// Where Send() puts commands for one name ("" = the -3pcc twin). The link
// is touched on the hub thread only; `up` is read by any thread.
struct TwinHub::Outbound {
  std::string name;
  std::string description;  // "3PCC twin 127.0.0.1:6060", "3PCC instance s1 (127.0.0.1:7080)"
  std::atomic<bool> up{false};
  Link* link = nullptr;
};

// One TCP connection to a twin.
struct TwinHub::Link final : public transport::FdHandler {
  Link(TwinHub* hub, int fd, std::string description, Outbound* outbound, size_t max_bytes)
      : hub(hub), fd(fd), description(std::move(description)), outbound(outbound),
        framer(max_bytes) {}
  void OnEvents(uint32_t events) override {
    if (events & EPOLLOUT) hub->OnWritable(*this);
    if (fd >= 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) hub->OnReadable(*this);
  }
  TwinHub* hub;
  int fd;
  std::string description;
  Outbound* outbound;  // null for a connection we only read from
  CommandFramer framer;
  std::string out;  // bytes not yet written
};

class TwinHub::Acceptor final : public transport::FdHandler {
 public:
  explicit Acceptor(TwinHub* hub) : hub_(hub) {}
  void OnEvents(uint32_t) override { hub_->OnAccept(); }

 private:
  TwinHub* hub_;
};

TwinHub::TwinHub(HubOptions options) : options_(std::move(options)), loop_(clock_) {}

TwinHub::~TwinHub() {
  Stop();
  for (auto& link : links_) {
    if (link->fd >= 0) close(link->fd);
  }
  if (listen_fd_ >= 0) close(listen_fd_);
}

absl::StatusOr<std::unique_ptr<TwinHub>> TwinHub::Open(HubOptions options) {
  std::unique_ptr<TwinHub> hub(new TwinHub(std::move(options)));
  if (absl::Status status = hub->loop_.Init(); !status.ok()) return status;
  hub->loop_.set_tick_micros(0);
  hub->loop_.set_iteration_end_handler([h = hub.get()] { h->closed_.clear(); });
  hub->acceptor_ = std::make_unique<Acceptor>(hub.get());
  const HubOptions& o = hub->options_;
  if (!o.extended) {
    absl::StatusOr<transport::SocketAddress> address =
        transport::SocketAddress::ResolveHostPort(o.twin_address, 6060);
    if (!address.ok()) {
      return absl::InvalidArgumentError(base::Cat("-3pcc ", o.twin_address, ": ",
                                                  base::FromAbsl(address.status().message())));
    }
    auto outbound = std::make_unique<Outbound>();
    outbound->description = base::Cat("3PCC twin ", Describe(*address));
    hub->outbound_.push_back(std::move(outbound));
    if (o.connect_to_twin) {
      if (absl::Status s = hub->Connect(*hub->outbound_[0], *address); !s.ok()) return s;
    } else if (absl::Status s = hub->Listen(*address); !s.ok()) {
      return s;
    }
    return hub;
  }
  const PeerAddress* self = FindPeer(o.peers, o.self);
  absl::StatusOr<transport::SocketAddress> own = ResolvePeer(*self);
  if (!own.ok()) return own.status();
  if (absl::Status s = hub->Listen(*own); !s.ok()) return s;
  for (const std::string& name : o.destinations) {
    auto outbound = std::make_unique<Outbound>();
    outbound->name = name;
    const PeerAddress* peer = FindPeer(o.peers, name);
    outbound->description =
        base::Cat("3PCC instance ", name, " (", peer->host, ":", peer->port, ")");
    hub->outbound_.push_back(std::move(outbound));
  }
  if (o.master) {
    if (absl::Status s = hub->ConnectDestinations(); !s.ok()) return s;
  }
  return hub;
}

absl::Status TwinHub::Listen(const transport::SocketAddress& address) {
  int fd = socket(address.is_ipv6() ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(base::Cat("3PCC socket: ", std::strerror(errno)));
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (bind(fd, address.sockaddr_ptr(), address.length()) != 0 || listen(fd, 100) != 0) {
    int error = errno;
    close(fd);
    return absl::FailedPreconditionError(base::Cat("cannot listen for the 3PCC twin on ",
                                                   Describe(address), ": ", std::strerror(error)));
  }
  SetNonBlocking(fd);
  listen_fd_ = fd;
  listen_address_ = address;
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) == 0) {
    listen_address_ = transport::SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&bound),
                                                             length);
  }
  return loop_.Watch(fd, EPOLLIN, acceptor_.get());
}

absl::Status TwinHub::Connect(Outbound& outbound, const transport::SocketAddress& address) {
  int fd = socket(address.is_ipv6() ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(base::Cat("3PCC socket: ", std::strerror(errno)));
  timeval timeout{kConnectTimeoutMs / 1000, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  if (connect(fd, address.sockaddr_ptr(), address.length()) != 0) {
    int error = errno;
    close(fd);
    return absl::UnavailableError(base::Cat("cannot connect to ", outbound.description, ": ",
                                            std::strerror(error),
                                            " (start the instance that listens first)"));
  }
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  SetNonBlocking(fd);
  Link* link = AddLink(fd, outbound.description, &outbound);
  if (link == nullptr) return absl::InternalError("3PCC: cannot watch the twin connection");
  return absl::OkStatus();
}

absl::Status TwinHub::ConnectDestinations() {
  destinations_connected_ = true;
  for (auto& outbound : outbound_) {
    const PeerAddress* peer = FindPeer(options_.peers, outbound->name);
    absl::StatusOr<transport::SocketAddress> address = ResolvePeer(*peer);
    if (!address.ok()) return address.status();
    if (absl::Status status = Connect(*outbound, *address); !status.ok()) return status;
  }
  return absl::OkStatus();
}

TwinHub::Link* TwinHub::AddLink(int fd, std::string description, Outbound* outbound) {
  auto link = std::make_unique<Link>(this, fd, std::move(description), outbound,
                                     options_.max_command_bytes);
  if (!loop_.Watch(fd, EPOLLIN, link.get()).ok()) {
    close(fd);
    return nullptr;
  }
  if (outbound != nullptr) {
    outbound->link = link.get();
    outbound->up.store(true, std::memory_order_release);
  }
  links_.push_back(std::move(link));
  return links_.back().get();
}

void TwinHub::OnAccept() {
  sockaddr_storage peer{};
  socklen_t length = sizeof(peer);
  int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &length,
                   SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return;
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  std::string from =
      Describe(transport::SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&peer), length));
  if (!options_.extended) {
    // Controller B: the twin that connected is the one we answer (SIPp keeps
    // the latest).
    AddLink(fd, base::Cat("3PCC twin ", from), outbound_[0].get());
    return;
  }
  AddLink(fd, base::Cat("3PCC instance at ", from), nullptr);
  if (!destinations_connected_) {
    if (absl::Status status = ConnectDestinations(); !status.ok() && sink_ != nullptr) {
      sink_->TwinLost(std::string(base::FromAbsl(status.message())));
    }
  }
}

void TwinHub::OnReadable(Link& link) {
  char buffer[16384];
  for (int round = 0; round < 64; ++round) {
    ssize_t n = recv(link.fd, buffer, sizeof(buffer), 0);
    if (n > 0) {
      std::vector<std::string> commands;
      bool ok = link.framer.Feed(std::string_view(buffer, static_cast<size_t>(n)), &commands);
      for (std::string& command : commands) {
        std::string_view source = options_.extended ? CommandSender(command) : std::string_view();
        if (sink_ != nullptr) sink_->DeliverCommand(source, std::move(command));
      }
      if (!ok) {
        Lose(link, base::Cat(link.description, " sent over ", options_.max_command_bytes,
                             " bytes without a command delimiter (ESC): not a 3PCC twin"));
        return;
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EINTR) continue;
    Lose(link, n == 0 ? base::Cat(link.description, " closed the connection")
                      : base::Cat(link.description, ": ", std::strerror(errno)));
    return;
  }
}

void TwinHub::Write(Link& link, std::string_view bytes) {
  if (link.fd < 0) return;
  if (!link.out.empty()) {
    link.out.append(bytes);
    return;
  }
  while (!bytes.empty()) {
    ssize_t n = send(link.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      link.out.assign(bytes);
      loop_.Modify(link.fd, EPOLLIN | EPOLLOUT, &link).IgnoreError();  // fails only for a bad fd
      return;
    }
    Lose(link, base::Cat(link.description, ": ", std::strerror(errno)));
    return;
  }
}

void TwinHub::OnWritable(Link& link) {
  std::string pending = std::move(link.out);
  link.out.clear();
  loop_.Modify(link.fd, EPOLLIN, &link).IgnoreError();
  Write(link, pending);
}

void TwinHub::Lose(Link& link, std::string why) {
  if (link.fd < 0) return;
  loop_.Unwatch(link.fd);
  close(link.fd);
  link.fd = -1;
  if (link.outbound != nullptr && link.outbound->link == &link) {
    link.outbound->up.store(false, std::memory_order_release);
    link.outbound->link = nullptr;
  }
  for (size_t i = 0; i < links_.size(); ++i) {
    if (links_[i].get() == &link) {
      closed_.push_back(std::move(links_[i]));
      links_.erase(links_.begin() + static_cast<long>(i));
      break;
    }
  }
  if (!stopping_.load(std::memory_order_acquire) && sink_ != nullptr) {
    sink_->TwinLost(std::move(why));
  }
}

TwinHub::Outbound* TwinHub::FindOutbound(std::string_view dest) {
  if (!options_.extended) return outbound_.empty() ? nullptr : outbound_[0].get();
  for (auto& outbound : outbound_) {
    if (outbound->name == dest) return outbound.get();
  }
  return nullptr;
}

bool TwinHub::Send(std::string_view dest, std::string message) {
  Outbound* outbound = FindOutbound(dest);
  if (outbound == nullptr || stopping_.load(std::memory_order_acquire)) return false;
  // A slave connects to its destinations when its first twin connects; a
  // command before that waits for the connection like SIPp's buffer would.
  if (!outbound->up.load(std::memory_order_acquire) &&
      !(options_.extended && !options_.master && !destinations_connected_)) {
    return false;
  }
  loop_.Post([this, outbound, message = std::move(message)] {
    std::string frame;
    AppendFrame(message, &frame);
    if (outbound->link == nullptr) {
      if (sink_ != nullptr && !stopping_.load()) {
        sink_->TwinLost(base::Cat("a command for ", outbound->description,
                                  " could not be sent: not connected"));
      }
      return;
    }
    Write(*outbound->link, frame);
  });
  return true;
}

void TwinHub::Start(CommandSink* sink) {
  if (started_) return;
  started_ = true;
  sink_ = sink;
  thread_ = std::thread([this] { loop_.Run(); });
}

void TwinHub::FlushAll(int64_t budget_ms) {
  int64_t deadline = clock_.NowMillis() + budget_ms;
  std::vector<Link*> links;
  for (auto& link : links_) links.push_back(link.get());  // Write() may drop one
  for (Link* link : links) {
    while (link->fd >= 0 && !link->out.empty() && clock_.NowMillis() < deadline) {
      pollfd poll_fd{link->fd, POLLOUT, 0};
      if (poll(&poll_fd, 1, static_cast<int>(deadline - clock_.NowMillis())) <= 0) break;
      std::string pending = std::move(link->out);
      link->out.clear();
      Write(*link, pending);
    }
  }
}

void TwinHub::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (!started_) return;
  // Commands posted before Stop() are written first (the loop runs posted
  // tasks in order), then the buffers are flushed and the loop ends.
  loop_.Post([this] {
    stopping_.store(true, std::memory_order_release);
    FlushAll(kStopFlushMs);
    for (auto& link : links_) {
      if (link->fd >= 0) shutdown(link->fd, SHUT_WR);
    }
    loop_.Stop();
  });
  thread_.join();
}

}  // namespace sipfleet::twin
