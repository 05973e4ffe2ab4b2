#ifndef SIPFLEET_COMMON_CLUSTER_PLAN_H_
#define SIPFLEET_COMMON_CLUSTER_PLAN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace sipfleet::cluster {

// How a cluster run is cut into per-agent shards. Pure functions, no I/O:
// the master computes the plan once and ships each agent its part.
//
// Call numbers. The engine numbers client calls globally and each worker
// places one residue class of them (runtime/pacing.h, EngineConfig's
// call_number_offset/stride). The cluster's number space is cut into a cycle
// of `stride` residues; agent k owns `workers_k` consecutive residues
// [offset_k, offset_k + workers_k), one per engine worker. So:
// - no two workers anywhere place the same number, hence [call_number] and
//   the Call-IDs built from it ("<number>-<pid>@<ip>") never collide;
// - every agent applies the same Pacing (one interval for the total rate), so
//   agent k's rate is exactly total * workers_k / stride and the shares add
//   up to the total with no rounding;
// - -m is global: every worker stops at the first number above it, so the
//   cluster places exactly -m calls whatever the split.
// Weights are realised through worker counts: an agent of weight w runs
// w * workers_per_weight engine workers (an agent twice as big runs twice
// the workers and takes twice the calls).

// One agent's stripe of the call numbers.
struct Stripe {
  uint64_t offset = 0;   // worker i places offset + i + 1, + stride, ...
  uint64_t stride = 1;   // the cluster's cycle: sum of all workers
  uint32_t workers = 1;  // engine workers (= residues owned)

  friend bool operator==(const Stripe&, const Stripe&) = default;
};

// Stripes for agents of integer `weights` (each >= 1), in order, each
// running weight * workers_per_weight workers. Errors: InvalidArgument for
// no agents, a zero weight or zero workers_per_weight.
absl::StatusOr<std::vector<Stripe>> PlanStripes(absl::Span<const uint32_t> weights,
                                                uint32_t workers_per_weight);

// The numbers in 1..max_calls that `stripe` places (how many calls of a -m
// run the agent makes).
uint64_t CallsInStripe(const Stripe& stripe, uint64_t max_calls);

// The agent's part of a total rate: total * workers / stride. Display only;
// the real pacing is the shared interval.
double RateShare(const Stripe& stripe, double total_rate);

// Splits an integer total (calls, -l, -users, CSV rows) in proportion to
// `weights` so the shares add up exactly to `total`: floor shares, then the
// remainder one by one to the largest fractional parts (ties: lower index).
// Empty weights give an empty result; if every weight is 0 all shares are 0.
std::vector<uint64_t> SplitByWeight(uint64_t total, absl::Span<const uint32_t> weights);

// A half-open range of CSV data rows (0-based record indices).
struct RowRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  friend bool operator==(const RowRange&, const RowRange&) = default;
};

// Contiguous, disjoint row ranges covering [0, row_count), sized by weight,
// so no two agents use one user.
std::vector<RowRange> PartitionRows(uint64_t row_count, absl::Span<const uint32_t> weights);

// The data rows of a SIPp -inf file as the loader counts them: lines after
// the first, up to the first blank line, not starting with '#'.
uint64_t CountCsvRows(std::string_view content);

// The file an agent gets: the first (order) line, then only the data rows in
// `range`. Errors: InvalidArgument if the range is empty or past the end
// (an agent would have no user to run with).
absl::StatusOr<std::string> CsvShard(std::string_view content, const RowRange& range);

}  // namespace sipfleet::cluster

#endif  // SIPFLEET_COMMON_CLUSTER_PLAN_H_
