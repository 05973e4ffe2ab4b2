#ifndef SIPFLEET_COMMON_RESULTS_THRESHOLD_H_
#define SIPFLEET_COMMON_RESULTS_THRESHOLD_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/results/figures.h"
#include "common/stats/shard.h"

namespace sipfleet::results {

// A pass/fail condition on the run's merged figures (-threshold, k6-like):
//
//   expression := metric '.' aggregate op number [unit] [':abort']
//   metric     := rtd<name> | call_length          (durations, in ms)
//               | <counter name>                  (figures.h, e.g. failed_calls)
//               | calls_per_s                     (calls created per second)
//   aggregate  := count | min | mean | avg | max | stddev | p<0-100>  (durations)
//               | count | rate                                         (counters)
//               | mean                                                 (calls_per_s)
//   op         := < | <= | > | >= | == | !=
//   unit       := us | ms | s (durations; none means ms) | % (rate; none
//                 means a fraction)
//
// A counter's rate is its count per ended call (successful + failed).
struct Threshold {
  enum class Kind { kDuration, kCounter, kCallsPerSecond };
  enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

  std::string expression;  // as given, without surrounding blanks
  std::string metric;      // "rtd1", "call_length", "failed_calls", ...
  std::string aggregate;   // "p99", "count", "rate", ...
  Kind kind = Kind::kCounter;
  int rtd = -1;  // kDuration: index in the layout's rtd_names, -1 = call length
  stats::Counter counter = stats::Counter::kCount;  // kCounter
  Op op = Op::kLess;
  double limit = 0;  // ms for durations, a fraction for rates, else a plain number
  bool abort_on_fail = false;
};

// Parses one -threshold expression against the run's statistics layout
// (RTD names). Errors: InvalidArgument "threshold 'EXPR': column N: what"
// with N the 1-based column of the first offending character.
absl::StatusOr<Threshold> ParseThreshold(std::string_view expression,
                                         const stats::ShardLayout& layout);

// A threshold judged on a run's figures.
struct ThresholdResult {
  // Empty when there is nothing to measure yet (no sample, no ended call);
  // at the end of a run that counts as a failure.
  std::optional<double> measured;
  bool passed = false;
  // True when no later data can make it pass: a count or max over an upper
  // bound, a min under a lower bound (these only ever grow or shrink).
  bool final_failure = false;
};
ThresholdResult Evaluate(const Threshold& threshold, const RunFigures& figures);

// True when a running threshold calls for its `:abort`: a final failure, or
// for the aggregates that can move both ways (percentiles, mean, rate) a
// failure on the data so far (k6's abortOnFail).
bool ShouldAbort(const Threshold& threshold, const ThresholdResult& result);

// "<=" etc.
std::string_view OpText(Threshold::Op op);
// The unit `measured` and `limit` are shown in: "ms", "%" (rates, shown as
// percentages), "calls/s" or "".
std::string_view DisplayUnit(const Threshold& threshold);
// `value` in DisplayUnit() ("12.345 ms", "0.25 %", "3").
std::string FormatMeasured(const Threshold& threshold, double value);

// The end-of-run table: threshold, measured value, pass or FAIL (with the
// limit and by how much it was missed). One line per threshold after a
// header; ends with '\n'.
std::string ThresholdTable(const std::vector<Threshold>& thresholds,
                           const std::vector<ThresholdResult>& results);

}  // namespace sipfleet::results

#endif  // SIPFLEET_COMMON_RESULTS_THRESHOLD_H_
