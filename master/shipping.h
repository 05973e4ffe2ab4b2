#ifndef SIPFLEET_MASTER_SHIPPING_H_
#define SIPFLEET_MASTER_SHIPPING_H_

// What the master ships to the agents in their Prepare: scenario texts and
// their hashes, and the part of the SIPp command line each role gets.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace sipfleet::master {

absl::StatusOr<std::string> ReadFile(const std::string& path);
std::string Sha256Hex(std::string_view data);

// The scenario text a -sf/-sn pair names, and the name errors use:
// {name, text}. A file wins; an empty name is SIPp's default "uac".
absl::StatusOr<std::pair<std::string, std::string>> ScenarioText(const std::string& file,
                                                                 const std::string& name);

// "ipv4:10.0.0.2:41234" -> "ipv4:10.0.0.2": the host of a gRPC peer.
std::string PeerHost(const std::string& peer);

// The UAC agents' SIPp arguments: the command line without the options the
// master keeps for itself (the agents must not write their own statistics
// files, -l and -users are shared out, -inf files are shipped, -timeout and
// -rate_increase & co. act through the master's epochs and stops).
std::vector<std::string> AgentArgs(const std::vector<std::string>& sipp_args);

// The options of the SIPp command line that the UAS agents need as well so
// both sides of a call speak alike: the transport (-t) and its TLS and size
// options. (-uas_args, given after them, can still override.)
std::vector<std::string> TransportArgs(const std::vector<std::string>& sipp_args);

}  // namespace sipfleet::master

#endif  // SIPFLEET_MASTER_SHIPPING_H_
