#ifndef SIPFLEET_COMMON_TWIN_RELAY_ROUTER_H_
#define SIPFLEET_COMMON_TWIN_RELAY_ROUTER_H_

// A CommandRouter whose commands travel through a relay that routes them by
// instance name (issue 6: the cluster master, over each agent's gRPC
// stream) instead of the twin hub's TCP connections. Transport-agnostic:
// the owner hands outgoing commands to an Outlet and brings incoming ones
// in with Deliver(). Keeps the hub's SIPp semantics: in extended mode the
// sender is the command's `From:` line, otherwise ""; abort_call commands
// are ordinary commands (the worker interprets them); a lost peer or
// channel reaches the sink as TwinLost(), never after Stop().

#include <algorithm>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/twin/command.h"
#include "common/twin/command_router.h"

namespace sipfleet::twin {

struct RelayOptions {
  std::string self;  // this instance's name (the source of what it sends)
  // Extended mode (<sendCmd dest=>/<recvCmd src=>): commands go to their
  // dest= name, which must be one of `destinations`. Otherwise (-3pcc twin
  // mode) every command goes to `twin`.
  bool extended = false;
  std::string twin;
  std::vector<std::string> destinations;
  // Commands (and lost-peer reports) arriving before Start() are held, up
  // to this many.
  size_t max_early_commands = 100000;
};

// One command on its way through the relay.
struct RelayedCommand {
  std::string source;   // the sending instance
  std::string dest;     // the receiving instance
  std::string call_id;  // CommandCallId(text), for the relay's routing
  std::string text;     // the command without delimiter
};

class RelayRouter final : public CommandRouter {
 public:
  // Queues one command for the relay; thread-safe, must not block on the
  // network, returns false when it cannot queue (channel closed). Commands
  // queued by one thread leave in the order queued (per-Call-ID order:
  // a call's commands come from the worker owning it).
  using Outlet = std::function<bool(RelayedCommand)>;

  RelayRouter(RelayOptions options, Outlet outlet)
      : options_(std::move(options)), outlet_(std::move(outlet)) {}

  // CommandRouter. `dest` is the dest= name (extended mode) or ignored.
  // False (the call fails as FailedCmdNotSent, as with the hub): stopped, a
  // name not among the destinations, a peer or the channel already lost.
  bool Send(std::string_view dest, std::string message) override {
    std::string target(options_.extended ? dest : std::string_view(options_.twin));
    {
      std::lock_guard<std::mutex> lock(state_mutex_);
      if (stopped_ || channel_lost_ || Contains(lost_peers_, target)) return false;
    }
    if (options_.extended && !Contains(options_.destinations, target)) return false;
    RelayedCommand command;
    command.source = options_.self;
    command.dest = std::move(target);
    command.call_id.assign(CommandCallId(message));
    command.text = std::move(message);
    return outlet_(std::move(command));
  }

  // Hands the sink what was held so far (commands and losses, in the order
  // they came), then each as it comes.
  void Start(CommandSink* sink) override {
    std::lock_guard<std::mutex> lock(sink_mutex_);
    if (stopped_sink_) return;
    sink_ = sink;
    for (EarlyEvent& event : early_) {
      if (event.lost) {
        sink_->TwinLost(std::move(event.text));
      } else {
        DeliverLocked(std::move(event.text));
      }
    }
    early_.clear();
  }

  // The sink is not called once Stop() returns. Writing out what is queued
  // is the outlet owner's job (it flushes before closing its channel).
  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(state_mutex_);
      stopped_ = true;
    }
    std::lock_guard<std::mutex> lock(sink_mutex_);
    stopped_sink_ = true;
    sink_ = nullptr;
    early_.clear();
  }

  // From the relay's thread: a command for this instance. Returns false if
  // it was dropped (held commands over max_early_commands, or stopped).
  bool Deliver(std::string text) {
    std::lock_guard<std::mutex> lock(sink_mutex_);
    if (stopped_sink_) return false;
    if (sink_ == nullptr) {
      if (early_.size() >= options_.max_early_commands) return false;
      NoteSender(text);  // its loss before Start() is then ours to report
      early_.push_back({false, std::move(text)});
      return true;
    }
    DeliverLocked(std::move(text));
    return true;
  }

  // From the relay's thread: instance `peer` is gone (its agent was lost) or
  // cannot be reached; `what` says why. Reported to the sink (once per peer)
  // if this instance talks to it; later Send()s to it fail.
  void PeerLost(const std::string& peer, std::string what) {
    const bool ours = options_.extended ? Contains(options_.destinations, peer) || Heard(peer)
                                        : peer == options_.twin;
    {
      std::lock_guard<std::mutex> lock(state_mutex_);
      if (!ours || Contains(lost_peers_, peer)) return;
      lost_peers_.push_back(peer);
    }
    Lose(std::move(what));
  }

  // From the relay's thread: the relay itself is gone (every peer with it).
  void ChannelLost(std::string what) {
    {
      std::lock_guard<std::mutex> lock(state_mutex_);
      if (channel_lost_) return;
      channel_lost_ = true;
    }
    Lose(std::move(what));
  }

 private:
  static bool Contains(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  }
  bool Heard(const std::string& peer) {
    std::lock_guard<std::mutex> lock(state_mutex_);
    return Contains(heard_from_, peer);
  }
  // Extended mode: remembers who sent `text` (PeerLost reports the loss of
  // an instance we only receive from). Returns the sender, "" otherwise.
  std::string NoteSender(std::string_view text) {
    std::string source(options_.extended ? CommandSender(text) : std::string_view());
    if (!source.empty()) {
      std::lock_guard<std::mutex> lock(state_mutex_);
      if (!Contains(heard_from_, source) && heard_from_.size() < 1024) heard_from_.push_back(source);
    }
    return source;
  }
  void DeliverLocked(std::string text) {
    std::string source = NoteSender(text);
    sink_->DeliverCommand(source, std::move(text));
  }
  // Before Start() the loss is held (always: a loss is never dropped), so a
  // peer lost while this instance prepares still fails its calls.
  void Lose(std::string what) {
    std::lock_guard<std::mutex> lock(sink_mutex_);
    if (stopped_sink_) return;
    if (sink_ == nullptr) {
      early_.push_back({true, std::move(what)});
      return;
    }
    sink_->TwinLost(std::move(what));
  }

  const RelayOptions options_;
  const Outlet outlet_;
  // sink_mutex_ is taken before state_mutex_, never the other way round.
  std::mutex sink_mutex_;
  CommandSink* sink_ = nullptr;
  bool stopped_sink_ = false;
  struct EarlyEvent {
    bool lost;         // a TwinLost report, else a command
    std::string text;  // the command, or what was lost and why
  };
  std::vector<EarlyEvent> early_;
  std::mutex state_mutex_;
  bool stopped_ = false;
  bool channel_lost_ = false;
  std::vector<std::string> lost_peers_;
  std::vector<std::string> heard_from_;  // extended: instances that sent us commands
};

}  // namespace sipfleet::twin

#endif  // SIPFLEET_COMMON_TWIN_RELAY_ROUTER_H_
