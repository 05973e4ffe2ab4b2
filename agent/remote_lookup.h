#ifndef SIPFLEET_AGENT_REMOTE_LOOKUP_H_
#define SIPFLEET_AGENT_REMOTE_LOOKUP_H_

// The run's remote host name, looked up at prepare without stopping the
// agent's heartbeats. getaddrinfo(3) blocks for as long as the resolver
// takes: 5 s per try and server by default (resolv.conf(5)), so a name that
// a cluster's DNS does not know yet (podman's resolver before the pod runs,
// a Kubernetes headless Service before the pod is ready) can hold the caller
// for tens of seconds, past the master's lease.

#include <chrono>
#include <functional>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/transport/socket_address.h"

namespace sipfleet::agent {

struct LookupPolicy {
  // How long a name that does not resolve is tried again (-resolve_wait).
  // Zero: one lookup, whose answer is final however long it takes.
  std::chrono::milliseconds wait{0};
  std::chrono::milliseconds retry{250};  // between a failed lookup and the next
  // A lookup unanswered this long gets another beside it (with `wait` only):
  // one stuck on an upstream server's timeouts must not hide the answer a
  // resolver gives as soon as the name is published.
  std::chrono::milliseconds hedge{1000};
  int max_outstanding = 16;              // lookups in flight at once
  std::chrono::milliseconds beat{1000};  // `beat` runs at least this often
};

using Lookup = std::function<absl::StatusOr<transport::SocketAddress>()>;

// Runs `lookup` on threads of their own and waits for an answer, calling
// `beat` every policy.beat meanwhile. With policy.wait (capped at a day), a
// failed lookup is tried again after policy.retry and a slow one is hedged
// after policy.hedge, at most policy.max_outstanding in flight, until
// policy.wait has passed; `say` is told once, at the first failure or the
// first hedge, what is happening. Returns the first success, else the last
// failure, else (nothing answered by the deadline) DeadlineExceeded naming
// `name`. Lookups still in flight at return are left to end on their own
// threads (as long as the resolver's timeouts), which own what they touch.
absl::StatusOr<transport::SocketAddress> LookUpWhileBeating(
    const Lookup& lookup, const LookupPolicy& policy, std::string_view name,
    absl::FunctionRef<void()> beat, absl::FunctionRef<void(std::string_view)> say);

}  // namespace sipfleet::agent

#endif  // SIPFLEET_AGENT_REMOTE_LOOKUP_H_
