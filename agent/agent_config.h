#ifndef SIPFLEET_AGENT_AGENT_CONFIG_H_
#define SIPFLEET_AGENT_AGENT_CONFIG_H_

// What an agent builds from a master's prepare: the scenario (from XML
// text, with the same loader as sipfleet), the -inf files (from the shipped
// shard of each file) and the EngineConfig for its stripe. No gRPC types.
// The SIPp options mean what they mean for sipfleet: both go through
// common/setup.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/cli/options.h"
#include "common/injection/injection_file.h"
#include "common/runtime/config.h"
#include "common/scenario/scenario.h"

namespace sipfleet::agent {

// The agent's part of the run, as the master planned it.
struct ShardPlan {
  uint32_t workers = 1;
  uint64_t call_number_offset = 0;
  uint64_t call_number_stride = 1;
};

// Parses SIPp options given as argv without the program name. Errors as
// cli::ParseCommandLine.
absl::StatusOr<cli::Options> ParseSippArgs(const std::vector<std::string>& args);

// Loads the scenario from `xml` named `file_name` (used in errors, which
// then read "file_name:line: ...").
absl::StatusOr<std::shared_ptr<const scenario::Scenario>> LoadScenarioText(
    const cli::Options& options, std::string_view xml, std::string_view file_name);

// The -inf files from their shipped contents, in -inf order: `contents` maps
// each -inf name to its text. Errors: NotFound when a file was not shipped,
// InvalidArgument for a bad file or -infindex.
absl::StatusOr<std::vector<std::shared_ptr<injection::InjectionFile>>> LoadInjectionTexts(
    const cli::Options& options, const std::vector<std::pair<std::string, std::string>>& contents);

// The engine configuration for `options` and this agent's stripe, with the
// remote host resolved to `remote` (setup::ResolveRemote's answer). `pid`
// is what [pid] and the Call-IDs carry.
absl::StatusOr<runtime::EngineConfig> BuildEngineConfig(const cli::Options& options,
                                                        const scenario::Scenario& scenario,
                                                        const transport::SocketAddress& remote,
                                                        const ShardPlan& shard, int pid);

}  // namespace sipfleet::agent

#endif  // SIPFLEET_AGENT_AGENT_CONFIG_H_
