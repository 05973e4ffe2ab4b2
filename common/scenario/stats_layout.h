#ifndef SIPFLEET_COMMON_SCENARIO_STATS_LAYOUT_H_
#define SIPFLEET_COMMON_SCENARIO_STATS_LAYOUT_H_

#include "common/scenario/scenario.h"
#include "common/stats/shard.h"

namespace sipfleet::scenario {

// What a scenario has counted (RTDs, repartitions, counter= names, one row
// per element): the layout of every statistics shard, stat file and screen
// of a run, standalone or merged by a cluster master.
stats::ShardLayout StatsLayoutFor(const Scenario& scenario);

}  // namespace sipfleet::scenario

#endif  // SIPFLEET_COMMON_SCENARIO_STATS_LAYOUT_H_
