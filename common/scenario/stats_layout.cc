#include "common/scenario/stats_layout.h"

namespace sipfleet::scenario {

stats::ShardLayout StatsLayoutFor(const Scenario& scenario) {
  stats::ShardLayout layout;
  layout.rtd_names = scenario.rtd_names;
  layout.response_time_repartition_ms = scenario.response_time_repartition_ms;
  layout.call_length_repartition_ms = scenario.call_length_repartition_ms;
  layout.user_counter_names = scenario.counter_names;
  layout.message_count = scenario.elements.size();
  return layout;
}

}  // namespace sipfleet::scenario
