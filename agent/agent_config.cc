#include "agent/agent_config.h"

#include <algorithm>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/scenario/loader.h"
#include "common/setup/engine_setup.h"

namespace sipfleet::agent {

absl::StatusOr<cli::Options> ParseSippArgs(const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  argv.reserve(args.size() + 1);
  argv.push_back("sipfleet-agent");
  argv.insert(argv.end(), args.begin(), args.end());
  return cli::ParseCommandLine(argv);
}

absl::StatusOr<std::shared_ptr<const scenario::Scenario>> LoadScenarioText(
    const cli::Options& options, std::string_view xml, std::string_view file_name) {
  return scenario::LoadScenario(xml, file_name, setup::ScenarioLoadOptions(options));
}

absl::StatusOr<std::vector<std::shared_ptr<injection::InjectionFile>>> LoadInjectionTexts(
    const cli::Options& options, const std::vector<std::pair<std::string, std::string>>& contents) {
  std::vector<std::shared_ptr<injection::InjectionFile>> files;
  for (const std::string& path : options.injection_files) {
    auto it = std::find_if(contents.begin(), contents.end(),
                           [&](const auto& entry) { return entry.first == path; });
    if (it == contents.end()) {
      return absl::NotFoundError(base::Cat("-inf ", path, ": not shipped by the master"));
    }
    absl::StatusOr<std::shared_ptr<injection::InjectionFile>> file =
        injection::InjectionFile::Parse(it->second, path);
    if (!file.ok()) return file.status();
    files.push_back(*std::move(file));
  }
  if (absl::Status status = setup::IndexInjectionFiles(options, files); !status.ok()) {
    return status;
  }
  // Files are not frozen: insert/replace actions may write to them, and
  // telling which do needs the scenario walk sipfleet_main.cc does (not yet
  // shared); an unfrozen file is correct, only slower to read.
  return files;
}

absl::StatusOr<runtime::EngineConfig> BuildEngineConfig(const cli::Options& options,
                                                        const scenario::Scenario& scenario,
                                                        const transport::SocketAddress& remote,
                                                        const ShardPlan& shard, int pid) {
  absl::StatusOr<runtime::EngineConfig> config = setup::BuildEngineConfig(options, scenario, remote);
  if (!config.ok()) return config.status();
  config->pid = pid;
  // -l arrives as this agent's share; SIPp's default (3 x duration x rate)
  // is computed by the master on the total and shared out too.
  config->call_limit = options.call_limit;
  config->workers = static_cast<int>(std::max<uint32_t>(shard.workers, 1));
  config->call_number_offset = shard.call_number_offset;
  config->call_number_stride = shard.call_number_stride;
  // Each agent draws its own random stream; the seed still makes runs repeatable.
  config->rng_seed = (options.seed ? options.seed : static_cast<uint64_t>(pid)) * 1000003 +
                     shard.call_number_offset;
  // A master could otherwise run commands on every agent host (issue 6):
  // the agent's own option decides, the caller sets it.
  config->allow_exec = false;
  return config;
}

}  // namespace sipfleet::agent
