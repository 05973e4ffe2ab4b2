#ifndef SIPFLEET_COMMON_SCENARIO_LOADER_H_
#define SIPFLEET_COMMON_SCENARIO_LOADER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/scenario/scenario.h"

namespace sipfleet::scenario {

struct LoadOptions {
  // -key name value
  absl::flat_hash_map<std::string, std::string> generic_keys;
  // -inf paths in command-line order: [field file="x"] and the lookup,
  // insert and replace actions name one of them; the first is the default.
  std::vector<std::string> injection_files;
  // -set names: global variables declared from the command line.
  std::vector<std::string> global_variables;
  // Where relative media paths (play_pcap_*, rtp_stream) are looked up, in
  // order; "" is the working folder. The loader puts the scenario file's
  // folder first, as SIPp does.
  std::vector<std::string> media_search_dirs = {""};
  int rtp_payload = 8;  // -rtp_payload: rtp_stream's default payload type
};

// Loads a SIPp XML scenario from text. `file_name` is used in errors, which
// always read "file:line: what is wrong" (InvalidArgument for bad input,
// Unimplemented for SIPp features not supported yet). Never exits.
absl::StatusOr<std::shared_ptr<const Scenario>> LoadScenario(std::string_view xml_text,
                                                             std::string_view file_name,
                                                             const LoadOptions& options);

// Reads and loads a scenario file.
absl::StatusOr<std::shared_ptr<const Scenario>> LoadScenarioFile(const std::string& path,
                                                                 const LoadOptions& options);

}  // namespace sipfleet::scenario

#endif  // SIPFLEET_COMMON_SCENARIO_LOADER_H_
