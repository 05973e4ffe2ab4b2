#ifndef SIPFLEET_MASTER_SESSION_H_
#define SIPFLEET_MASTER_SESSION_H_

// The gRPC side of the master: the Control service, one bidirectional
// session per agent (control.proto). Sessions hand every message to the
// Registry and write what the run sends them; they hold no run state.

#include <cstdint>

#include "common/base/clock.h"
#include "grpcpp/grpcpp.h"
#include "master/registry.h"
#include "sipfleet/control/v1/control.grpc.pb.h"

namespace sipfleet::master {

class ControlService final : public v1::Control::CallbackService {
 public:
  // Agents are admitted to `registry` and told to keep a lease of `lease_ms`.
  ControlService(Registry* registry, const base::Clock& clock, int64_t lease_ms)
      : registry_(registry), clock_(clock), lease_ms_(lease_ms) {}

  grpc::ServerBidiReactor<v1::AgentMessage, v1::MasterMessage>* Session(
      grpc::CallbackServerContext* context) override;

 private:
  Registry* registry_;
  const base::Clock& clock_;
  int64_t lease_ms_;
};

}  // namespace sipfleet::master

#endif  // SIPFLEET_MASTER_SESSION_H_
