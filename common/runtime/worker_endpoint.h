#ifndef SIPFLEET_COMMON_RUNTIME_WORKER_ENDPOINT_H_
#define SIPFLEET_COMMON_RUNTIME_WORKER_ENDPOINT_H_

#include <memory>

#include "common/runtime/worker.h"
#include "common/transport/stream_connection.h"
#include "common/transport/udp_socket.h"

namespace sipfleet::runtime {

// Reads a per-call UDP socket (-t un) for its worker.
class Worker::UdpEndpointHandler final : public transport::FdHandler {
 public:
  UdpEndpointHandler(Worker* worker, uint32_t endpoint) : worker_(worker), endpoint_(endpoint) {}
  void OnEvents(uint32_t) override {
    if (!closed) worker_->OnUdpEndpointReadable(endpoint_);
  }
  bool closed = false;

 private:
  Worker* worker_;
  uint32_t endpoint_;
};

// One way out of a worker: a stream connection or a per-call UDP socket.
// Destroyed only at the end of a loop iteration (see
// StreamConnection's lifetime contract), so a handler never vanishes while
// the loop dispatches its events.
struct Worker::Endpoint {
  std::unique_ptr<transport::StreamConnection> stream;
  std::shared_ptr<transport::UdpSocket> udp;
  std::string ip;        // the socket's address for [server_ip] (ui)
  bool shared = false;   // every worker reads it (ui server): forward by Call-ID
  std::unique_ptr<UdpEndpointHandler> udp_handler;
  uint32_t refs = 0;      // calls using it, plus one for an accepted connection
  bool in_use = false;
  bool was_ready = false;  // the connection completed (TCP + TLS)
};

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_WORKER_ENDPOINT_H_
