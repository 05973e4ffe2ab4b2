#ifndef SIPFLEET_COMMON_SETUP_ENGINE_SETUP_H_
#define SIPFLEET_COMMON_SETUP_ENGINE_SETUP_H_

// From SIPp's command line to what the engine runs: the scenario, the
// EngineConfig, the TLS context and the -inf files. Shared by sipfleet and
// sipfleet-agent, so a SIPp option means the same on both.

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "common/cli/options.h"
#include "common/injection/injection_file.h"
#include "common/runtime/config.h"
#include "common/scenario/loader.h"
#include "common/scenario/scenario.h"
#include "common/stats/stat_csv.h"
#include "common/tls/tls_context.h"
#include "common/transport/socket_address.h"

namespace sipfleet::setup {

// How SIPp's options shape scenario loading (-key, -inf, -set, -rtp_payload,
// the media search folders).
scenario::LoadOptions ScenarioLoadOptions(const cli::Options& options);

// The scenario of -sf or -sn (uac when neither is given). Media files are
// looked up next to the scenario, in the working folder, $SIPFLEET_DATA_DIR
// and the installed data folder. Errors carry `file:line:`; load warnings
// are printed to stderr (PrintWarnings).
absl::StatusOr<std::shared_ptr<const scenario::Scenario>> LoadScenarioFor(
    const cli::Options& options);

// Writes the scenario's load warnings (unknown attributes) to stderr, one a
// line. LoadScenarioFor does so itself.
void PrintWarnings(const scenario::Scenario& scenario);

// The remote host[:port] of the command line (127.0.0.1 when none is given),
// resolved; port 5060 when it names none.
absl::StatusOr<transport::SocketAddress> ResolveRemote(const cli::Options& options);

// The engine configuration SIPp's options ask for (SIPp's defaults, the
// default -l, the routed source address when -i is not given).
absl::StatusOr<runtime::EngineConfig> BuildEngineConfig(const cli::Options& options,
                                                        const scenario::Scenario& scenario);

// The same with the remote host already resolved (ResolveRemote's answer),
// for a caller that must not block on the resolver here.
absl::StatusOr<runtime::EngineConfig> BuildEngineConfig(const cli::Options& options,
                                                        const scenario::Scenario& scenario,
                                                        const transport::SocketAddress& remote);

// The TLS context of -t l1/ln (-tls_cert, -tls_key, -tls_ca, -tls_crl,
// -tls_version), server or client as the scenario is.
absl::StatusOr<std::unique_ptr<tls::TlsContext>> MakeTlsContext(const cli::Options& options,
                                                                const scenario::Scenario& scenario);

// Builds the -infindex indexes of `files` (in -inf order).
absl::Status IndexInjectionFiles(
    const cli::Options& options,
    const std::vector<std::shared_ptr<injection::InjectionFile>>& files);

// Loads the -inf files, builds -infindex indexes and freezes the files no
// insert/replace action writes to (reads then take no lock).
absl::StatusOr<std::vector<std::shared_ptr<injection::InjectionFile>>> LoadInjectionFiles(
    const cli::Options& options, const scenario::Scenario& scenario);

// The -trace_stat file's options (-stat_delimiter, -periodic_rtd).
stats::StatCsvOptions StatCsvOptionsFor(const cli::Options& options);

}  // namespace sipfleet::setup

#endif  // SIPFLEET_COMMON_SETUP_ENGINE_SETUP_H_
