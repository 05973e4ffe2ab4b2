#ifndef SIPFLEET_COMMON_SCENARIO_VARIABLES_H_
#define SIPFLEET_COMMON_SCENARIO_VARIABLES_H_

#include <cstdint>

namespace sipfleet::scenario {

// Where a scenario variable lives (SIPP_NOTES §3.6): per call (default),
// per user (<User>, with -users) or process-wide (<Global>, -set).
enum class VarScope : uint8_t { kCall, kUser, kGlobal };

// A variable resolved at load time: its scope and its index in that scope's
// table. index < 0 means "no variable".
struct VariableRef {
  VarScope scope = VarScope::kCall;
  int16_t index = -1;

  bool valid() const { return index >= 0; }
  friend bool operator==(const VariableRef&, const VariableRef&) = default;
};

}  // namespace sipfleet::scenario

#endif  // SIPFLEET_COMMON_SCENARIO_VARIABLES_H_
