#ifndef SIPFLEET_COMMON_TWIN_HUB_H_
#define SIPFLEET_COMMON_TWIN_HUB_H_

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/clock.h"
#include "common/transport/event_loop.h"
#include "common/transport/socket_address.h"
#include "common/twin/command.h"
#include "common/twin/command_router.h"
#include "common/twin/slave_cfg.h"

namespace sipfleet::twin {

// How this instance joins its twins, as SIPp decides it (SIPP_NOTES §2.5).
struct HubOptions {
  // -3pcc host:port: the instance whose first twin element is <sendCmd>
  // (controller A) connects there, the other (controller B) listens there.
  // One connection carries commands both ways.
  std::string twin_address;
  bool connect_to_twin = false;
  // Extended mode (-master/-slave with -slave_cfg): every instance listens
  // on its own address from `peers` and reads commands from the connections
  // it accepts; it sends on connections it opens to the `destinations` (the
  // dest= names of its <sendCmd>s): a master at once, a slave when its first
  // twin connects (SIPp: "the master must be launched last").
  bool extended = false;
  bool master = false;
  std::string self;  // this instance's name in `peers`
  std::vector<PeerAddress> peers;
  std::vector<std::string> destinations;
  // A command longer than this without a delimiter ends its connection.
  size_t max_command_bytes = size_t{1} << 20;
};

// The twin channel of one instance: owns the sockets and one I/O thread.
// Workers hand commands to Send() (thread-safe); incoming commands go to
// the sink from the hub thread.
class TwinHub final : public CommandRouter {
 public:
  // Binds the listening socket and makes the connections the role needs
  // now. Errors (exit 255 in SIPp): Unavailable "cannot connect to 3PCC twin
  // 127.0.0.1:6060: Connection refused", FailedPrecondition for a bind error,
  // InvalidArgument for a bad address.
  static absl::StatusOr<std::unique_ptr<TwinHub>> Open(HubOptions options);
  ~TwinHub() override;

  bool Send(std::string_view dest, std::string message) override;
  void Start(CommandSink* sink) override;
  void Stop() override;

  // The listening address (port 0 resolved), for tests.
  const transport::SocketAddress& listen_address() const { return listen_address_; }

 private:
  struct Link;
  struct Outbound;
  class Acceptor;

  explicit TwinHub(HubOptions options);
  absl::Status Listen(const transport::SocketAddress& address);
  // Connects `outbound` to `address` (blocking, bounded); on the hub thread
  // once Start()ed.
  absl::Status Connect(Outbound& outbound, const transport::SocketAddress& address);
  absl::Status ConnectDestinations();
  Link* AddLink(int fd, std::string description, Outbound* outbound);
  void OnAccept();
  void OnReadable(Link& link);
  void OnWritable(Link& link);
  void Write(Link& link, std::string_view bytes);
  // Closes `link`; reports the loss to the sink unless stopping.
  void Lose(Link& link, std::string why);
  void FlushAll(int64_t budget_ms);
  Outbound* FindOutbound(std::string_view dest);

  HubOptions options_;
  base::SystemClock clock_;
  transport::EventLoop loop_;
  std::thread thread_;
  CommandSink* sink_ = nullptr;
  int listen_fd_ = -1;
  transport::SocketAddress listen_address_;
  std::unique_ptr<Acceptor> acceptor_;
  std::vector<std::unique_ptr<Outbound>> outbound_;  // fixed after Open()
  std::vector<std::unique_ptr<Link>> links_;         // hub thread only
  std::vector<std::unique_ptr<Link>> closed_;        // freed at iteration end
  bool destinations_connected_ = false;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace sipfleet::twin

#endif  // SIPFLEET_COMMON_TWIN_HUB_H_
