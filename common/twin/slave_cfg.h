#ifndef SIPFLEET_COMMON_TWIN_SLAVE_CFG_H_
#define SIPFLEET_COMMON_TWIN_SLAVE_CFG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sipfleet::twin {

// One line of an extended-3PCC `-slave_cfg` file: `name;host:port`.
struct PeerAddress {
  std::string name;
  std::string host;  // as written, brackets removed from an IPv6 literal
  uint16_t port = 0;
  int line = 0;      // 1-based, for messages
};

// Parses the text of a -slave_cfg file. Blank lines are skipped; anything
// after a second ';' is ignored (as SIPp does). Errors are InvalidArgument
// "file:line: what" for a line without ';', an empty name, a missing or bad
// port, or a name given twice.
absl::StatusOr<std::vector<PeerAddress>> ParseSlaveCfg(std::string_view text,
                                                       std::string_view file_name);
// Reads and parses `path`; NotFound if it cannot be opened.
absl::StatusOr<std::vector<PeerAddress>> LoadSlaveCfg(const std::string& path);

// The entry named `name`, or null.
const PeerAddress* FindPeer(const std::vector<PeerAddress>& peers, std::string_view name);

}  // namespace sipfleet::twin

#endif  // SIPFLEET_COMMON_TWIN_SLAVE_CFG_H_
