#ifndef SIPFLEET_AGENT_AGENT_SESSION_H_
#define SIPFLEET_AGENT_AGENT_SESSION_H_

#include <cstdint>
#include <string>

#include "common/base/clock.h"
#include "common/cluster/credentials.h"
#include "common/stats/shard.h"

namespace sipfleet::agent {

// sipfleet-agent's exit codes beyond SIPp's.
inline constexpr int kExitLeaseExpired = 95;  // the master went silent
inline constexpr int kExitRefused = 255;      // registration refused, cannot dial

struct AgentOptions {
  std::string master;         // host:port of sipfleet-master
  std::string name;           // unique in the cluster
  int64_t lease_ms = 3000;    // dead-man's switch: master silence tolerated
  int64_t tick_ms = 200;      // statistics report period
  int64_t connect_timeout_ms = 10000;
  int64_t drain_limit_ms = 5000;  // after the lease: drain this long, then abort
  // Prepare: how long the remote host's name may take to resolve (DNS that
  // lags the pods); see agent/remote_lookup.h.
  int64_t resolve_wait_ms = 15000;
  bool allow_exec = false;    // <exec command=> runs only when true
  // Plain-text gRPC beyond loopback must be asked for (issue 6: off loopback
  // the control plane uses mutual TLS, see common/cluster/credentials.h).
  bool allow_plaintext_remote = false;
  cluster::ControlTlsOptions ctl_tls;  // -ctl_tls_*: mutual TLS with the master
  uint32_t capacity = 0;      // 0: the number of cores
  int pid = 0;                // [pid] and Call-IDs; 0: getpid()
};

struct AgentResult {
  int exit_code = 0;
  std::string message;  // one line for the operator
  // The engine's own final statistics (empty if it never ran), as it
  // counted them, independent of what reached the master.
  stats::Snapshot totals;
};

// Runs one agent to its end: dials the master, registers, prepares and runs
// the shard it is given, streams statistics every tick, and returns when the
// master says Shutdown, refuses it, or goes silent past the lease (then new
// calls stop at once, running ones drain, and the result says so). Blocking;
// call from one thread. Never exits the process.
AgentResult RunAgent(const AgentOptions& options, const base::Clock& clock);

}  // namespace sipfleet::agent

#endif  // SIPFLEET_AGENT_AGENT_SESSION_H_
