#ifndef SIPFLEET_COMMON_SCENARIO_FIELD_USE_H_
#define SIPFLEET_COMMON_SCENARIO_FIELD_USE_H_

#include <vector>

#include "common/scenario/scenario.h"

namespace sipfleet::scenario {

// The widest [fieldN] a scenario reads from one -inf file.
struct FieldUse {
  int file = 0;    // -inf index
  int fields = 0;  // N + 1 for the widest [fieldN]
  int line = 0;    // scenario line of the first element using that N
};

// One entry per -inf file the scenario's messages and actions read with
// [fieldN] (<send>, <sendCmd>, <DefaultMessage>, action texts, keyword
// parameters such as [authentication username=[field0]]), by file index.
std::vector<FieldUse> WidestFieldUses(const Scenario& scenario);

}  // namespace sipfleet::scenario

#endif  // SIPFLEET_COMMON_SCENARIO_FIELD_USE_H_
