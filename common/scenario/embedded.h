#ifndef SIPFLEET_COMMON_SCENARIO_EMBEDDED_H_
#define SIPFLEET_COMMON_SCENARIO_EMBEDDED_H_

#include <optional>
#include <string_view>
#include <vector>

namespace sipfleet::scenario {

// The scenarios built into the binary (`-sn name`, `-sd name`), generated at
// build time from the XML files in scenarios/.
std::optional<std::string_view> EmbeddedScenario(std::string_view name);
std::vector<std::string_view> EmbeddedScenarioNames();

}  // namespace sipfleet::scenario

#endif  // SIPFLEET_COMMON_SCENARIO_EMBEDDED_H_
