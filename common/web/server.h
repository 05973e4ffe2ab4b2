#ifndef SIPFLEET_COMMON_WEB_SERVER_H_
#define SIPFLEET_COMMON_WEB_SERVER_H_

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace sipfleet::web {

// Keys pressed through the web page (-web_control): the HTTP threads push,
// the run's controlling thread drains them into control::Controller::OnKey,
// so a button acts exactly like the key. Thread-safe.
class KeyQueue {
 public:
  void Push(char key);
  // The keys pushed since the last call, in order.
  std::string Drain();

 private:
  std::mutex mutex_;
  std::string keys_;
};

// What a server serves. Every callback runs on an HTTP thread and must only
// read published, immutable data (never wait on the engine's workers).
struct Routes {
  // GET /metrics (Prometheus text format 0.0.4); unset = 404.
  std::function<std::string()> metrics;
  // GET /summary.json[?timeline_from=N] with N (0 when absent or bad): the
  // timeline from period N on; unset = 404.
  std::function<std::string(size_t timeline_from)> summary_json;
  // GET / (the live page); unset = 404.
  std::function<std::string()> page;
  // POST /control?action=...; null = every POST is refused (403).
  KeyQueue* keys = nullptr;
};

// A small HTTP server (cpp-httplib) on its own threads, for -metrics and
// -web. Binds at Start(); Stop() or the destructor ends it.
class Server {
 public:
  // `listen` is "[host:]port" (host defaults to 127.0.0.1; port 0 picks a
  // free one). Errors: InvalidArgument for a bad `listen`, FailedPrecondition
  // when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(std::string_view option,
                                                       std::string_view listen, Routes routes);
  ~Server();

  int port() const { return port_; }
  const std::string& host() const { return host_; }

 private:
  struct Impl;
  Server() = default;

  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::string host_;
  int port_ = 0;
};

// The key a control action stands for: "rate_up" '+', "rate_down" '-',
// "pause" 'p' (SIPp's p toggles pause and resume), "quit" 'q'; '\0' if
// unknown.
char KeyForAction(std::string_view action);

}  // namespace sipfleet::web

#endif  // SIPFLEET_COMMON_WEB_SERVER_H_
