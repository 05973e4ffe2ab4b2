#ifndef SIPFLEET_COMMON_SCENARIO_ATTRIBUTE_CHECK_H_
#define SIPFLEET_COMMON_SCENARIO_ATTRIBUTE_CHECK_H_

#include <string>
#include <string_view>
#include <vector>

#include "pugixml.hpp"

namespace sipfleet::scenario::internal {

class LineIndex;

// Lists the attributes of the scenario's elements and actions that the
// loader does not know, one warning per attribute:
//   "uac.xml:12: warning: unknown attribute 'retrams' on <send> (closest known: 'retrans')"
// SIPp ignores unknown attributes and so does the loader (the scenario still
// loads); the warning points at the likely misspelling. Elements the loader
// does not know are its own errors and are skipped here.
std::vector<std::string> CheckAttributes(const pugi::xml_node& root, std::string_view file_name,
                                         const LineIndex& lines);

}  // namespace sipfleet::scenario::internal

#endif  // SIPFLEET_COMMON_SCENARIO_ATTRIBUTE_CHECK_H_
