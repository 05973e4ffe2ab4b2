#include "common/twin/slave_cfg.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::twin {
namespace {

absl::Status LineError(std::string_view file, int line, std::string_view what) {
  return absl::InvalidArgumentError(base::Cat(file, ":", line, ": ", what));
}

// "host:port", "[v6]:port".
bool SplitHostPort(std::string_view text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view name = text.substr(0, colon);
  if (name.starts_with('[') && name.ends_with(']')) name = name.substr(1, name.size() - 2);
  if (name.empty()) return false;
  if (!base::ParseInt(text.substr(colon + 1), port) || *port == 0) return false;
  host->assign(name);
  return true;
}

}  // namespace

absl::StatusOr<std::vector<PeerAddress>> ParseSlaveCfg(std::string_view text,
                                                       std::string_view file_name) {
  std::vector<PeerAddress> peers;
  int number = 0;
  for (std::string_view rest = text; !rest.empty();) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ++number;
    line = base::TrimBlanks(line);
    if (line.ends_with('\r')) line = base::TrimBlanks(line.substr(0, line.size() - 1));
    if (line.empty()) continue;
    std::vector<std::string_view> fields = base::SplitTrimmed(line, ';');
    if (fields.size() < 2) {
      return LineError(file_name, number, base::Cat("'", line, "' is not name;host:port"));
    }
    PeerAddress peer;
    peer.name.assign(fields[0]);
    peer.line = number;
    if (peer.name.empty()) return LineError(file_name, number, "empty instance name");
    if (!SplitHostPort(fields[1], &peer.host, &peer.port)) {
      return LineError(file_name, number,
                       base::Cat("'", fields[1], "' is not host:port (a port 1-65535 is needed)"));
    }
    if (FindPeer(peers, peer.name) != nullptr) {
      return LineError(file_name, number, base::Cat("instance '", peer.name, "' is listed twice"));
    }
    peers.push_back(std::move(peer));
  }
  return peers;
}

absl::StatusOr<std::vector<PeerAddress>> LoadSlaveCfg(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(base::Cat("cannot open -slave_cfg file ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseSlaveCfg(text.str(), path);
}

const PeerAddress* FindPeer(const std::vector<PeerAddress>& peers, std::string_view name) {
  for (const PeerAddress& peer : peers) {
    if (peer.name == name) return &peer;
  }
  return nullptr;
}

}  // namespace sipfleet::twin
