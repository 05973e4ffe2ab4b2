#include "master/shipping.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/scenario/embedded.h"

namespace sipfleet::master {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(base::Cat(path, ": cannot read"));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

// The scenario text a -sf/-sn pair names, and the name errors use.
absl::StatusOr<std::pair<std::string, std::string>> ScenarioText(const std::string& file,
                                                                 const std::string& name) {
  if (!file.empty()) {
    absl::StatusOr<std::string> text = ReadFile(file);
    if (!text.ok()) return text.status();
    return std::make_pair(file, *std::move(text));
  }
  std::string builtin = name.empty() ? "uac" : name;
  std::optional<std::string_view> xml = scenario::EmbeddedScenario(builtin);
  if (!xml) return absl::InvalidArgumentError(base::Cat("invalid default scenario name '", builtin, "'"));
  return std::make_pair(builtin, std::string(*xml));
}

// "ipv4:10.0.0.2:41234" -> "ipv4:10.0.0.2": the host of a gRPC peer.
std::string PeerHost(const std::string& peer) { return peer.substr(0, peer.rfind(':')); }

// Options the master keeps for itself: the agents must not write their own
// statistics files nor results (summary, thresholds, /metrics, pages: the
// master judges once on merged data), -l and -users are shared out, -inf
// files are shipped.
std::vector<std::string> AgentArgs(const std::vector<std::string>& sipp_args) {
  // (-rate_increase & co. and -timeout act on the whole cluster, through
  // the master's epochs and stops.)
  static constexpr std::string_view kDropWithValue[] = {
      "-stf", "-fd", "-l", "-users", "-slave_cfg", "-rate_increase", "-rate_interval", "-rate_max",
      "-timeout", "-screen_file", "-summary_json", "-threshold", "-metrics", "-report_html", "-web"};
  static constexpr std::string_view kDrop[] = {"-trace_stat", "-trace_screen", "-bg", "-no_rate_quit",
                                               "-timeout_error", "-web_control"};
  std::vector<std::string> out;
  for (size_t i = 0; i < sipp_args.size(); ++i) {
    const std::string& arg = sipp_args[i];
    if (std::find(std::begin(kDropWithValue), std::end(kDropWithValue), arg) != std::end(kDropWithValue)) {
      ++i;
      continue;
    }
    if (std::find(std::begin(kDrop), std::end(kDrop), arg) != std::end(kDrop)) continue;
    out.push_back(arg);
  }
  return out;
}

// The options of the SIPp command line that the UAS agents need as well so
// both sides of a call speak alike: the transport (-t) and its TLS and size
// options. (-uas_args, given after them, can still override.)
std::vector<std::string> TransportArgs(const std::vector<std::string>& sipp_args) {
  static constexpr std::string_view kShared[] = {"-t",       "-tls_cert", "-tls_key",
                                                 "-tls_ca",  "-tls_crl",  "-tls_version",
                                                 "-max_msg_size", "-buff_size"};
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < sipp_args.size(); ++i) {
    if (std::find(std::begin(kShared), std::end(kShared), sipp_args[i]) == std::end(kShared)) {
      continue;
    }
    out.push_back(sipp_args[i]);
    out.push_back(sipp_args[++i]);
  }
  return out;
}

}  // namespace sipfleet::master
