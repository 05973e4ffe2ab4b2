#ifndef SIPFLEET_COMMON_TWIN_COMMAND_ROUTER_H_
#define SIPFLEET_COMMON_TWIN_COMMAND_ROUTER_H_

#include <string>
#include <string_view>

namespace sipfleet::twin {

// Receives the commands a router brings in. Implemented by the engine,
// which hands each command to the worker owning its Call-ID.
class CommandSink {
 public:
  virtual ~CommandSink() = default;
  // A command (without its delimiter) from instance `source`: the sender
  // named by its `From:` line in extended mode, "" otherwise. Called from
  // the router's own thread.
  virtual void DeliverCommand(std::string_view source, std::string message) = 0;
  // The channel to a twin is gone or unusable; `what` says which and why
  // ("3PCC twin 127.0.0.1:6060 closed the connection"). Called once per lost
  // channel, from the router's thread, never during Stop().
  virtual void TwinLost(std::string what) = 0;
};

// Carries <sendCmd> commands between instances: the TCP twin hub for
// -3pcc and extended mode, later gRPC between agents. Send() is
// thread-safe; Start() and Stop() are called by the controlling thread.
class CommandRouter {
 public:
  virtual ~CommandRouter() = default;
  // Queues `message` (the expanded <sendCmd> text, without delimiter) for
  // instance `dest` ("" = the -3pcc twin; ignored outside extended mode).
  // Returns false when it cannot go: no twin connected, an unknown name, or
  // the channel is lost. The caller's call then fails as FailedCmdNotSent.
  virtual bool Send(std::string_view dest, std::string message) = 0;
  // Starts delivering incoming commands to `sink`, which must stay valid
  // until Stop() returns.
  virtual void Start(CommandSink* sink) = 0;
  // Writes what is queued (waiting a bounded time), stops delivering and
  // closes the channels. Idempotent; the sink is not called afterwards.
  virtual void Stop() = 0;
};

}  // namespace sipfleet::twin

#endif  // SIPFLEET_COMMON_TWIN_COMMAND_ROUTER_H_
