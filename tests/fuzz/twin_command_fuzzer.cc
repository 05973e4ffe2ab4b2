// libFuzzer target for SIPp's twin (3PCC) wire protocol (common/twin/
// command.h, slave_cfg.h): a TCP byte stream cut into commands, framed in
// one read and in pieces (same commands either way), each command read as
// the runtime reads it; the input also as a -slave_cfg file.

#include <string>
#include <string_view>
#include <vector>

#include "common/base/strings.h"
#include "common/twin/command.h"
#include "common/twin/slave_cfg.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using ::sipfleet::fuzz::Check;
namespace twin = ::sipfleet::twin;

constexpr size_t kLimit = 8192;

bool Frame(const std::vector<std::string_view>& reads, std::vector<std::string>* commands) {
  twin::CommandFramer framer(kLimit);
  for (std::string_view read : reads) {
    if (!framer.Feed(read, commands)) return false;
    Check(framer.pending() <= kLimit);
  }
  return true;
}

void Inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return;
  Check(part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> whole;
  std::vector<std::string> pieces;
  const bool whole_ok = Frame({input}, &whole);
  const bool pieces_ok = Frame(::sipfleet::fuzz::Chunks(input, input.substr(0, 16)), &pieces);
  if (whole_ok && pieces_ok) Check(whole == pieces);
  for (const std::string& command : whole) {
    Check(command.find(twin::kDelimiter) == std::string::npos);
    Inside(twin::CommandCallId(command), command);
    Inside(twin::CommandSender(command), command);
    Inside(twin::CommandForActions(command), command);
    Inside(twin::CommandBody(command), command);
    std::string header;
    for (int occurrence : {1, 2}) {
      (void)twin::CommandHeader(command, "Call-ID", true, occurrence, &header);
      (void)twin::CommandHeader(command, "From", false, occurrence, &header);
    }
    if (twin::IsAbortCommand(command)) {
      Check(!twin::AbortCommand(twin::CommandCallId(command)).empty());
    }
    std::string framed;
    twin::AppendFrame(command, &framed);
    std::vector<std::string> again;
    Check(Frame({framed}, &again) && again.size() == 1 && again[0] == command);
  }
  auto peers = twin::ParseSlaveCfg(input, "fuzz.cfg");
  if (!peers.ok()) {
    Check(sipfleet::base::FromAbsl(peers.status().message()).starts_with("fuzz.cfg"));
  } else {
    for (const twin::PeerAddress& peer : *peers) {
      Check(twin::FindPeer(*peers, peer.name) != nullptr);
    }
  }
  return 0;
}
