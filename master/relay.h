#ifndef SIPFLEET_MASTER_RELAY_H_
#define SIPFLEET_MASTER_RELAY_H_

// 3PCC between named instances: which agent takes a command sent to an
// instance name. The agents' scenarios say <sendCmd dest="s1"> (extended
// 3PCC) or talk to their twin (-twins); the master maps the name to the
// agents running it (Agent::instance, planned by Run::Prepare). The
// Registry owns one Relay and calls it under its lock; the forwarding
// itself is Registry::Route3pcc.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "sipfleet/control/v1/control.pb.h"

namespace sipfleet::master {

struct Agent;

class Relay {
 public:
  struct Decision {
    std::optional<size_t> to;   // the agent that takes it; none: no agent runs the instance
    bool first_report = false;  // the first unroutable command for that instance name
  };

  // Where `command`, sent by agent `from`, goes: the only runner of its
  // destination instance, or the one its Call-ID lives on (learned from
  // what the agents sent), or one fixed by the Call-ID's hash. Counts it.
  Decision Route(size_t from, const ::sipfleet::control::v1::ThreePccCommand& command,
                 const std::vector<std::unique_ptr<Agent>>& agents);

  uint64_t routed() const { return routed_; }
  uint64_t unrouted() const { return unrouted_; }

 private:
  // Remembers which agent a shared instance's Call-ID lives on.
  void Learn(size_t from, const ::sipfleet::control::v1::ThreePccCommand& command,
             const std::vector<std::unique_ptr<Agent>>& agents);

  uint64_t routed_ = 0;
  uint64_t unrouted_ = 0;
  std::set<std::string> unknown_reported_;
  // Where a Call-ID lives for instance names several agents share
  // ("instance\ncall-id" -> agent), learned from what they send; the oldest
  // are forgotten beyond kMaxLearned.
  static constexpr size_t kMaxLearned = size_t{1} << 20;
  std::unordered_map<std::string, size_t> learned_;
  std::deque<std::string> learned_order_;
};

}  // namespace sipfleet::master

#endif  // SIPFLEET_MASTER_RELAY_H_
