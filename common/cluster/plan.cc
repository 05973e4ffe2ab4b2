#include "common/cluster/plan.h"

#include <algorithm>
#include <numeric>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::cluster {
namespace {

// Lines of `content` without their terminators ("\r\n" or "\n").
std::vector<std::string_view> Lines(std::string_view content) {
  std::vector<std::string_view> lines;
  while (!content.empty()) {
    size_t end = content.find('\n');
    std::string_view line = content.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    content.remove_prefix(end + 1);
  }
  return lines;
}

// Same rule as injection::InjectionFile::Parse: data stops at a blank line,
// '#' lines are comments.
bool IsDataRow(std::string_view line) { return !line.empty() && line[0] != '#'; }

}  // namespace

absl::StatusOr<std::vector<Stripe>> PlanStripes(absl::Span<const uint32_t> weights,
                                                uint32_t workers_per_weight) {
  if (weights.empty()) return absl::InvalidArgumentError("a cluster needs at least one agent");
  if (workers_per_weight == 0) return absl::InvalidArgumentError("at least one worker is needed");
  std::vector<Stripe> stripes;
  uint64_t offset = 0;
  for (size_t k = 0; k < weights.size(); ++k) {
    if (weights[k] == 0) {
      return absl::InvalidArgumentError(base::Cat("agent ", k + 1, ": weight must be >= 1"));
    }
    Stripe stripe;
    stripe.offset = offset;
    stripe.workers = weights[k] * workers_per_weight;
    offset += stripe.workers;
    stripes.push_back(stripe);
  }
  for (Stripe& stripe : stripes) stripe.stride = offset;
  return stripes;
}

uint64_t CallsInStripe(const Stripe& stripe, uint64_t max_calls) {
  // Numbers n in 1..max_calls with (n - 1) mod stride in [offset, offset + workers).
  const uint64_t full_cycles = max_calls / stripe.stride;
  const uint64_t rest = max_calls % stripe.stride;  // residues 0..rest-1 of a partial cycle
  uint64_t partial = 0;
  if (rest > stripe.offset) partial = std::min<uint64_t>(rest - stripe.offset, stripe.workers);
  return full_cycles * stripe.workers + partial;
}

double RateShare(const Stripe& stripe, double total_rate) {
  return total_rate * static_cast<double>(stripe.workers) / static_cast<double>(stripe.stride);
}

std::vector<uint64_t> SplitByWeight(uint64_t total, absl::Span<const uint32_t> weights) {
  std::vector<uint64_t> shares(weights.size(), 0);
  const uint64_t weight_sum = std::accumulate(weights.begin(), weights.end(), uint64_t{0});
  if (weight_sum == 0) return shares;
  // 128-bit products: total * weight cannot overflow.
  std::vector<uint64_t> remainders(weights.size());
  uint64_t given = 0;
  for (size_t k = 0; k < weights.size(); ++k) {
    absl::uint128 product = absl::uint128(total) * weights[k];
    shares[k] = absl::Uint128Low64(product / weight_sum);
    remainders[k] = absl::Uint128Low64(product % weight_sum);
    given += shares[k];
  }
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  for (size_t i = 0; given < total; ++i, ++given) ++shares[order[i]];
  return shares;
}

std::vector<RowRange> PartitionRows(uint64_t row_count, absl::Span<const uint32_t> weights) {
  std::vector<RowRange> ranges;
  uint64_t begin = 0;
  for (uint64_t share : SplitByWeight(row_count, weights)) {
    ranges.push_back(RowRange{begin, begin + share});
    begin += share;
  }
  return ranges;
}

uint64_t CountCsvRows(std::string_view content) {
  std::vector<std::string_view> lines = Lines(content);
  uint64_t rows = 0;
  for (size_t i = 1; i < lines.size() && !lines[i].empty(); ++i) rows += IsDataRow(lines[i]);
  return rows;
}

absl::StatusOr<std::string> CsvShard(std::string_view content, const RowRange& range) {
  std::vector<std::string_view> lines = Lines(content);
  if (range.begin >= range.end) {
    return absl::InvalidArgumentError("no CSV row for this agent (more agents than users)");
  }
  std::string out;
  if (!lines.empty()) base::Append(&out, lines[0], "\n");
  uint64_t row = 0;
  for (size_t i = 1; i < lines.size() && !lines[i].empty() && row < range.end; ++i) {
    if (!IsDataRow(lines[i])) continue;
    if (row >= range.begin) base::Append(&out, lines[i], "\n");
    ++row;
  }
  if (row < range.end) {
    return absl::InvalidArgumentError(
        base::Cat("CSV rows [", range.begin, ", ", range.end, ") past the file's ", row, " rows"));
  }
  return out;
}

}  // namespace sipfleet::cluster
