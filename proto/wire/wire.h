#ifndef SIPFLEET_PROTO_WIRE_WIRE_H_
#define SIPFLEET_PROTO_WIRE_WIRE_H_

// Conversions between sipfleet's own types and the generated control-plane
// messages. The generated types stop here and in the agent/master binaries;
// common/ never sees them (DESIGN.md "Dependency direction").

#include "absl/status/statusor.h"
#include "common/cluster/stats_report.h"
#include "sipfleet/control/v1/control.pb.h"

namespace sipfleet::wire {

namespace v1 = ::sipfleet::control::v1;

// Exact: histograms travel as sparse buckets plus their exact scalars.
void ToProto(const cluster::StatsReport& report, v1::StatsReport* out);
// Errors: InvalidArgument for a malformed histogram (bad bucket index,
// bucket arrays of different lengths) or too many counters.
absl::StatusOr<cluster::StatsReport> FromProto(const v1::StatsReport& report);

void HistogramToProto(const stats::Histogram& histogram, v1::HistogramDelta* out);
absl::StatusOr<stats::Histogram> HistogramFromProto(const v1::HistogramDelta& in);

}  // namespace sipfleet::wire

#endif  // SIPFLEET_PROTO_WIRE_WIRE_H_
