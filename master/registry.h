#ifndef SIPFLEET_MASTER_REGISTRY_H_
#define SIPFLEET_MASTER_REGISTRY_H_

// Who is in the cluster and what they said: the agents' slots, their
// sessions' streams, leases (when each was last heard from and written to),
// clock offsets, prepare answers, statistics merged as they arrive, and the
// 3PCC relay between them. Shared by the gRPC session threads (session.h)
// and the run thread (run.h).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/clock.h"
#include "common/cluster/stats_report.h"
#include "common/stats/shard.h"
#include "master/options.h"
#include "master/relay.h"
#include "sipfleet/control/v1/control.pb.h"

namespace sipfleet::master {

namespace v1 = ::sipfleet::control::v1;

// Where the master's messages to one agent go: its control stream.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  // Queues `message` to be written in order; never blocks. False once the
  // stream is closing (the message is dropped).
  virtual bool Write(const v1::MasterMessage& message) = 0;
};

// One slot of the cluster: an agent of -agents, or a -late_slots spare.
struct Agent {
  std::string name;
  std::string peer;
  bool uas = false;
  uint32_t weight = 1;
  std::string instance;  // its 3PCC instance name, set when planned (under Registry::mutex_)
  // The session's stream, null once the session ended; used under
  // write_mutex only (the session clears it before the stream goes away).
  std::mutex write_mutex;
  MessageSink* stream = nullptr;
  // When the master last wrote to it (its monotonic ms): a heartbeat is
  // only due when nothing else went out for a while.
  std::atomic<int64_t> last_sent_ms{0};
  // Below: under Registry::mutex_.
  bool registered = false;
  bool connected = false;
  int64_t last_heard_ms = 0;
  enum class Prepare { kWaiting, kPrepared, kFailed } prepare = Prepare::kWaiting;
  std::string prepare_error;
  bool finished = false;
  int exit_code = 0;               // as its engine would exit alone (Finished)
  std::string finished_message;
  // Declared lost (-failure_policy continue): its statistics are frozen.
  bool lost = false;
  // A slot kept for a late joiner (-late_join share), after the others.
  bool spare = false;
  // Its wall clock minus the master's, from the clock sample with the
  // shortest round trip so far (NTP's estimate); rtt < 0: no sample yet.
  int64_t clock_offset_us = 0;
  int64_t clock_rtt_us = -1;
};

// NTP's offset of the agent's clock from the master's, from an agent's
// ClockSample that echoes a master sample, received at `master_now_us`.
// Returns {offset, round trip}; the round trip is -1 if the sample echoes
// nothing.
std::pair<int64_t, int64_t> ClockOffset(const v1::ClockSample& sample, int64_t master_now_us);

// The registry. Thread-safe.
class Registry {
 public:
  Registry(const MasterOptions& options, const base::Clock& clock);

  // Takes in a registration; the error text goes back in Refused.
  absl::StatusOr<size_t> Admit(const v1::Register& reg, const std::string& peer, MessageSink* stream);

  // Takes in one message of agent `index`. Waiters (WaitUntil) are woken
  // only by what they wait for: registration-time clock samples, prepare
  // answers, Finished; statistics and routine heartbeats only update state
  // (at 1,000 agents they are thousands a second).
  void OnMessage(size_t index, const v1::AgentMessage& message);
  void OnSessionEnd(size_t index);

  // Forwards a 3PCC command from agent `from` to the agent running its
  // destination instance at once, on the sender's session thread: one
  // sender's commands keep their order (so do one call's). A command no
  // agent can take is counted, reported once per name, and answered with a
  // loss notice (the sender handles it as a lost twin).
  void Route3pcc(size_t from, v1::ThreePccCommand command);

  // False if the agent's session is gone or the write failed.
  bool Send(size_t index, const v1::MasterMessage& message);
  // When the master last wrote to agent `index` (any thread).
  int64_t LastSentMs(size_t index) const {
    return agents_[index]->last_sent_ms.load(std::memory_order_relaxed);
  }

  // Waits until `done()` (called under the lock) or `timeout_ms`; returns done().
  template <typename Predicate>
  bool WaitUntil(Predicate done, int64_t timeout_ms) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return done(); });
  }

  // The run is planned: from now on only -late_join share slots admit.
  void Close();

  std::mutex& mutex() { return mutex_; }
  // Under mutex().
  std::vector<std::unique_ptr<Agent>>& agents() { return agents_; }
  cluster::StatsMerger& merger() { return *merger_; }
  // Every UAC agent's applied reports merged: merger().Total() of that
  // role, kept up to date as reports arrive. Under mutex().
  const stats::Snapshot& uac_total() const { return uac_total_; }
  // The shortest lease an agent said it keeps itself (0: none said). Under mutex().
  int64_t min_agent_lease_ms() const { return min_agent_lease_ms_; }
  // 3PCC commands routed and not routed so far. Under mutex().
  const Relay& relay() const { return relay_; }
  int64_t NowMs() const { return clock_.NowMicros() / 1000; }

 private:
  // The slot a registering agent takes. Under mutex_.
  absl::StatusOr<size_t> FreeSlot(const std::string& name) const;

  const MasterOptions& options_;
  const base::Clock& clock_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::unique_ptr<Agent>> agents_;
  std::unique_ptr<cluster::StatsMerger> merger_;
  stats::Snapshot uac_total_, uas_total_;
  int64_t min_agent_lease_ms_ = 0;
  bool closed_ = false;
  Relay relay_;  // under mutex_
};

}  // namespace sipfleet::master

#endif  // SIPFLEET_MASTER_REGISTRY_H_
