#include "master/relay.h"

#include <algorithm>
#include <functional>

#include "common/base/strings.h"
#include "master/registry.h"

namespace sipfleet::master {
namespace {

// Agents running `instance`, not lost.
std::vector<size_t> Runners(const std::string& instance,
                            const std::vector<std::unique_ptr<Agent>>& agents) {
  std::vector<size_t> out;
  for (size_t i = 0; i < agents.size(); ++i) {
    if (agents[i]->registered && !agents[i]->lost && agents[i]->instance == instance) {
      out.push_back(i);
    }
  }
  return out;
}

}  // namespace

Relay::Decision Relay::Route(size_t from, const v1::ThreePccCommand& command,
                             const std::vector<std::unique_ptr<Agent>>& agents) {
  Learn(from, command, agents);
  Decision decision;
  std::vector<size_t> runners = Runners(command.dest_instance(), agents);
  if (runners.size() == 1) {
    decision.to = runners[0];
  } else if (!runners.empty()) {
    auto it = learned_.find(base::Cat(command.dest_instance(), "\n", command.call_id()));
    if (it != learned_.end() &&
        std::find(runners.begin(), runners.end(), it->second) != runners.end()) {
      decision.to = it->second;
    } else {
      decision.to = runners[std::hash<std::string>()(command.call_id()) % runners.size()];
    }
  }
  if (decision.to.has_value()) {
    ++routed_;
  } else {
    ++unrouted_;
    decision.first_report = unknown_reported_.insert(command.dest_instance()).second;
  }
  return decision;
}

void Relay::Learn(size_t from, const v1::ThreePccCommand& command,
                  const std::vector<std::unique_ptr<Agent>>& agents) {
  if (command.call_id().empty() || Runners(command.source_instance(), agents).size() < 2) return;
  std::string key = base::Cat(command.source_instance(), "\n", command.call_id());
  if (learned_.insert_or_assign(key, from).second) learned_order_.push_back(std::move(key));
  if (learned_order_.size() > kMaxLearned) {
    learned_.erase(learned_order_.front());
    learned_order_.pop_front();
  }
}

}  // namespace sipfleet::master
