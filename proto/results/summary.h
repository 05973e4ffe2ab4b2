#ifndef SIPFLEET_PROTO_RESULTS_SUMMARY_H_
#define SIPFLEET_PROTO_RESULTS_SUMMARY_H_

// The results schema (sipfleet/results/v1/summary.proto) filled from a
// results::RunView: the one place that turns a run's figures into the
// summary message. Generated types stop here and in the binaries.

#include <string>

#include "absl/status/status.h"
#include "common/results/run_view.h"
#include "sipfleet/results/v1/summary.pb.h"

namespace sipfleet::summary {

namespace v1 = ::sipfleet::results::v1;

// The summary of `view` (merged figures, agents, thresholds, timeline).
// `timeline_from`: the timeline holds the periods from that index on (the
// live page polls for the periods it has not seen; files take them all).
v1::Summary BuildSummary(const results::RunView& view, std::string_view version,
                         size_t timeline_from = 0);

// The summary as protobuf's JSON (two-space indented when `pretty`,
// primitive fields always printed, proto field names).
std::string SummaryJson(const results::RunView& view, std::string_view version, bool pretty,
                        size_t timeline_from = 0);

// Writes SummaryJson(view, version, true) to `path`. Errors: the file
// cannot be written.
absl::Status WriteSummaryFile(const std::string& path, const results::RunView& view,
                              std::string_view version);

}  // namespace sipfleet::summary

#endif  // SIPFLEET_PROTO_RESULTS_SUMMARY_H_
