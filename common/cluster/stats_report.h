#ifndef SIPFLEET_COMMON_CLUSTER_STATS_REPORT_H_
#define SIPFLEET_COMMON_CLUSTER_STATS_REPORT_H_

#include <cstdint>
#include <set>
#include <vector>

#include "absl/status/status.h"
#include "common/stats/shard.h"

namespace sipfleet::cluster {

// One agent's statistics report: the change since its previous report, with
// a sequence number. The histograms' buckets, counts and sums are exact
// deltas; their min()/max() are the agent's cumulative extremes (a delta
// alone only knows bucket bounds of its extremes, see Histogram::Subtract),
// so merging every report gives back exactly the histogram the agent holds.
struct StatsReport {
  uint64_t sequence = 0;  // 1, 2, 3, ... per agent
  bool final = false;     // nothing follows: the agent's engine has stopped
  stats::Snapshot delta;
  uint64_t open_calls = 0;  // a gauge, not a delta
};

// Agent side: turns successive cumulative snapshots of one engine into
// reports. Not thread-safe; one per agent.
class ReportBuilder {
 public:
  // The next report: `cumulative` minus the previous one passed in.
  // Precondition: snapshots of the same engine, in time order (every field
  // monotonic, as Engine::Snapshot() guarantees).
  StatsReport Next(const stats::Snapshot& cumulative, uint64_t open_calls, bool final);

 private:
  stats::Snapshot previous_;
  uint64_t sequence_ = 0;
};

// Master side: merges the reports of `agent_count` agents exactly. Each
// sequence number of an agent is applied once: a repeat is ignored, and
// reports may arrive in any order (merging is a sum). Not thread-safe.
class StatsMerger {
 public:
  explicit StatsMerger(size_t agent_count);

  // Applies `report` of agent `agent` (0-based). Returns true if applied,
  // false for a duplicate. Errors: OutOfRange for a bad agent index,
  // InvalidArgument for sequence 0.
  absl::StatusOr<bool> Apply(size_t agent, const StatsReport& report);

  // Every agent's reports merged: equal to the snapshot of one shard fed
  // every sample of every agent.
  stats::Snapshot Total() const;
  // The merge of the listed agents only (e.g. one role's agents, whose
  // scenario shares one layout).
  stats::Snapshot Total(const std::vector<size_t>& agents) const;
  // One agent's reports merged (its cumulative statistics).
  const stats::Snapshot& Agent(size_t agent) const { return agents_[agent].total; }
  // True once the agent's final report and every report before it arrived.
  bool Complete(size_t agent) const;
  uint64_t OpenCalls(size_t agent) const { return agents_[agent].open_calls; }
  size_t agent_count() const { return agents_.size(); }

 private:
  struct PerAgent {
    stats::Snapshot total;
    uint64_t contiguous = 0;       // every sequence <= this was applied
    std::set<uint64_t> above;      // applied sequences > contiguous
    uint64_t final_sequence = 0;   // 0 until the final report arrives
    uint64_t open_calls = 0;
    uint64_t open_calls_sequence = 0;  // the gauge comes from the newest report
  };
  std::vector<PerAgent> agents_;
};

}  // namespace sipfleet::cluster

#endif  // SIPFLEET_COMMON_CLUSTER_STATS_REPORT_H_
