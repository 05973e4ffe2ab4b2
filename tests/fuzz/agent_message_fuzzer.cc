// libFuzzer target for what the master does with an agent's message (the
// payload of its gRPC stream, master/master.cc OnMessage): decode the
// protobuf, turn a statistics report into our types (proto/wire), apply it
// to the cluster's merger twice (the second is a duplicate) and merge the
// totals, as the master does for every report. Input: a 2-byte big-endian
// length, that many bytes of one agent's message, the rest another agent's:
// their reports need not share a layout, and the merge must cope. Strings (names, errors) are
// only copied by the master and not exercised further here.

#include <algorithm>
#include <string>
#include <string_view>

#include "common/cluster/stats_report.h"
#include "common/stats/shard.h"
#include "proto/wire/wire.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

namespace v1 = ::sipfleet::control::v1;
using ::sipfleet::fuzz::Check;

// Decodes and applies one agent's message; false if it is not an applied
// statistics report.
bool ApplyMessage(std::string_view bytes, size_t agent, sipfleet::cluster::StatsMerger* merger,
                  sipfleet::stats::Snapshot* role_total) {
  v1::AgentMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
  if (message.kind_case() != v1::AgentMessage::kStats) return false;
  absl::StatusOr<sipfleet::cluster::StatsReport> report =
      sipfleet::wire::FromProto(message.stats());
  if (!report.ok()) return false;
  absl::StatusOr<bool> applied = merger->Apply(agent, *report);
  if (!applied.ok()) return false;
  Check(*applied);
  absl::StatusOr<bool> again = merger->Apply(agent, *report);
  Check(again.ok() && !*again);  // a repeat is ignored
  sipfleet::stats::Merge(role_total, report->delta);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.size() < 2) return 0;
  size_t first = (static_cast<unsigned char>(input[0]) << 8) | static_cast<unsigned char>(input[1]);
  input.remove_prefix(2);
  first = std::min(first, input.size());
  sipfleet::cluster::StatsMerger merger(2);
  sipfleet::stats::Snapshot role_total;
  bool any = ApplyMessage(input.substr(0, first), 0, &merger, &role_total);
  any |= ApplyMessage(input.substr(first), 1, &merger, &role_total);
  if (any) {
    sipfleet::stats::Snapshot total = merger.Total();
    sipfleet::stats::Snapshot both = merger.Total({0, 1});
    (void)total;
    (void)both;
  }
  return 0;
}
