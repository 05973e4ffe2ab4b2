#include "common/results/threshold.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "absl/strings/str_format.h"
#include "common/base/strings.h"

namespace sipfleet::results {
namespace {

using Kind = Threshold::Kind;
using Op = Threshold::Op;

// Reads an expression left to right; errors name the 1-based column.
class Cursor {
 public:
  Cursor(std::string_view text, size_t column_offset) : text_(text), offset_(column_offset) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  size_t pos() const { return pos_; }
  // Consumes and returns the longest run of characters for which `accept` holds.
  template <typename Predicate>
  std::string_view TakeWhile(Predicate accept) {
    size_t start = pos_;
    while (!AtEnd() && accept(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  bool Consume(std::string_view token) {
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  absl::Status ErrorAt(size_t pos, std::string_view what) const {
    return absl::InvalidArgumentError(
        base::Cat("threshold '", text_, "': column ", offset_ + pos + 1, ": ", what));
  }

 private:
  std::string_view text_;
  size_t offset_;
  size_t pos_ = 0;
};

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Resolves the metric name; false if unknown.
bool ResolveMetric(std::string_view name, const stats::ShardLayout& layout, Threshold* out) {
  if (name == "call_length") {
    out->kind = Kind::kDuration;
    out->rtd = -1;
    return true;
  }
  if (name == "calls_per_s") {
    out->kind = Kind::kCallsPerSecond;
    return true;
  }
  if (name.size() > 3 && name.substr(0, 3) == "rtd") {
    auto it = std::find(layout.rtd_names.begin(), layout.rtd_names.end(), name.substr(3));
    if (it != layout.rtd_names.end()) {
      out->kind = Kind::kDuration;
      out->rtd = static_cast<int>(it - layout.rtd_names.begin());
      return true;
    }
  }
  if (std::optional<stats::Counter> counter = CounterFromMetricName(name)) {
    out->kind = Kind::kCounter;
    out->counter = *counter;
    return true;
  }
  return false;
}

std::string KnownRtds(const stats::ShardLayout& layout) {
  std::string names;
  for (const std::string& rtd : layout.rtd_names) {
    base::Append(&names, names.empty() ? "" : ", ", "rtd", rtd);
  }
  return names.empty() ? "none in this scenario" : names;
}

// The percentile of a "p<number>" aggregate, if it is one.
std::optional<double> PercentileOf(std::string_view aggregate) {
  double value;
  if (aggregate.size() < 2 || aggregate[0] != 'p' ||
      !base::ParseDouble(aggregate.substr(1), &value) || value < 0 || value > 100 ||
      !std::isdigit(static_cast<unsigned char>(aggregate[1]))) {
    return std::nullopt;
  }
  return value;
}

bool AggregateFits(Kind kind, std::string_view aggregate) {
  switch (kind) {
    case Kind::kDuration:
      return aggregate == "count" || aggregate == "min" || aggregate == "mean" ||
             aggregate == "avg" || aggregate == "max" || aggregate == "stddev" ||
             PercentileOf(aggregate).has_value();
    case Kind::kCounter:
      return aggregate == "count" || aggregate == "rate";
    case Kind::kCallsPerSecond:
      return aggregate == "mean";
  }
  return false;
}

std::string_view AggregatesFor(Kind kind) {
  switch (kind) {
    case Kind::kDuration:
      return "count, min, mean, avg, max, stddev or p<0-100> expected";
    case Kind::kCounter:
      return "count or rate expected";
    case Kind::kCallsPerSecond:
      return "mean expected";
  }
  return "";
}

bool TakeOp(Cursor& cursor, Op* op) {
  static constexpr std::pair<std::string_view, Op> kOps[] = {
      {"<=", Op::kLessEqual}, {">=", Op::kGreaterEqual}, {"==", Op::kEqual},
      {"!=", Op::kNotEqual},  {"<", Op::kLess},          {">", Op::kGreater}};
  for (const auto& [text, value] : kOps) {
    if (cursor.Consume(text)) {
      *op = value;
      return true;
    }
  }
  return false;
}

bool IsCount(std::string_view aggregate) { return aggregate == "count"; }

// Converts `number` given with `unit` to the threshold's own unit; false if
// the unit does not fit the metric.
bool ApplyUnit(const Threshold& threshold, std::string_view unit, double number, double* limit) {
  if (threshold.kind == Kind::kDuration && !IsCount(threshold.aggregate)) {
    if (unit.empty() || unit == "ms") {
      *limit = number;
    } else if (unit == "us") {
      *limit = number / 1000.0;
    } else if (unit == "s") {
      *limit = number * 1000.0;
    } else {
      return false;
    }
    return true;
  }
  if (threshold.aggregate == "rate") {
    if (unit == "%") {
      *limit = number / 100.0;
      return true;
    }
    *limit = number;
    return unit.empty();
  }
  *limit = number;
  return unit.empty();
}

bool Compare(double value, Op op, double limit) {
  switch (op) {
    case Op::kLess:
      return value < limit;
    case Op::kLessEqual:
      return value <= limit;
    case Op::kGreater:
      return value > limit;
    case Op::kGreaterEqual:
      return value >= limit;
    case Op::kEqual:
      return value == limit;
    case Op::kNotEqual:
      return value != limit;
  }
  return false;
}

std::optional<double> DurationFigure(const Threshold& threshold, const stats::Histogram& h) {
  const std::string& aggregate = threshold.aggregate;
  if (aggregate == "count") return static_cast<double>(h.count());
  if (h.count() == 0) return std::nullopt;
  if (aggregate == "min") return static_cast<double>(h.min()) / 1000.0;
  if (aggregate == "max") return static_cast<double>(h.max()) / 1000.0;
  if (aggregate == "mean" || aggregate == "avg") return h.Mean() / 1000.0;
  if (aggregate == "stddev") return h.StdDev() / 1000.0;
  return PercentileMs(h, PercentileOf(aggregate).value_or(100));
}

std::optional<double> Measure(const Threshold& threshold, const RunFigures& figures) {
  const stats::Snapshot& total = *figures.total;
  switch (threshold.kind) {
    case Kind::kDuration: {
      return DurationFigure(threshold, threshold.rtd >= 0
                                           ? total.ResponseTime(static_cast<size_t>(threshold.rtd))
                                           : total.call_length);
    }
    case Kind::kCounter: {
      double count = static_cast<double>(total.Get(threshold.counter));
      if (threshold.aggregate == "count") return count;
      uint64_t ended = total.Get(stats::Counter::kSuccessfulCall) +
                       total.Get(stats::Counter::kFailedCall);
      if (ended == 0) return std::nullopt;
      return count / static_cast<double>(ended);
    }
    case Kind::kCallsPerSecond:
      if (figures.elapsed_s <= 0) return std::nullopt;
      return AchievedCallsPerSecond(figures);
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<Threshold> ParseThreshold(std::string_view expression,
                                         const stats::ShardLayout& layout) {
  size_t leading = 0;
  while (leading < expression.size() && expression[leading] == ' ') ++leading;
  std::string_view text = expression.substr(leading);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  Cursor cursor(text, leading);
  Threshold threshold;
  threshold.expression = std::string(text);

  std::string_view metric = cursor.TakeWhile(IsNameChar);
  if (metric.empty()) return cursor.ErrorAt(0, "a metric name expected");
  if (!ResolveMetric(metric, layout, &threshold)) {
    return cursor.ErrorAt(0, base::Cat("unknown metric '", metric,
                                       "' (call_length, calls_per_s, a counter such as "
                                       "failed_calls, or an RTD: ",
                                       KnownRtds(layout), ")"));
  }
  threshold.metric = std::string(metric);
  if (!cursor.Consume(".")) return cursor.ErrorAt(cursor.pos(), "'.' and an aggregate expected");

  size_t aggregate_pos = cursor.pos();
  std::string_view aggregate = cursor.TakeWhile(
      [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.'; });
  if (!AggregateFits(threshold.kind, aggregate)) {
    return cursor.ErrorAt(aggregate_pos, base::Cat("aggregate '", aggregate, "' does not fit ",
                                                   metric, ": ", AggregatesFor(threshold.kind)));
  }
  threshold.aggregate = std::string(aggregate);

  while (cursor.Peek() == ' ') cursor.Consume(" ");
  if (!TakeOp(cursor, &threshold.op)) {
    return cursor.ErrorAt(cursor.pos(), "an operator expected (<, <=, >, >=, ==, !=)");
  }
  while (cursor.Peek() == ' ') cursor.Consume(" ");

  size_t number_pos = cursor.pos();
  std::string_view number_text = cursor.TakeWhile([](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+';
  });
  double number;
  if (number_text.empty() || !base::ParseDouble(number_text, &number) || !std::isfinite(number)) {
    return cursor.ErrorAt(number_pos, "a number expected");
  }
  size_t unit_pos = cursor.pos();
  std::string_view unit =
      cursor.TakeWhile([](char c) {
        return std::isalpha(static_cast<unsigned char>(c)) || c == '%';
      });
  if (!ApplyUnit(threshold, unit, number, &threshold.limit)) {
    return cursor.ErrorAt(unit_pos, base::Cat("unit '", unit, "' does not fit ", metric, ".",
                                              aggregate,
                                              threshold.kind == Kind::kDuration &&
                                                      !IsCount(aggregate)
                                                  ? " (us, ms or s)"
                                                  : threshold.aggregate == "rate"
                                                        ? " (% or none)"
                                                        : " (none)"));
  }
  if (!cursor.AtEnd()) {
    size_t suffix_pos = cursor.pos();
    if (!cursor.Consume(":abort") || !cursor.AtEnd()) {
      return cursor.ErrorAt(suffix_pos, "end of expression or ':abort' expected");
    }
    threshold.abort_on_fail = true;
  }
  return threshold;
}

ThresholdResult Evaluate(const Threshold& threshold, const RunFigures& figures) {
  ThresholdResult result;
  result.measured = Measure(threshold, figures);
  if (!result.measured.has_value()) return result;
  result.passed = Compare(*result.measured, threshold.op, threshold.limit);
  const std::string& aggregate = threshold.aggregate;
  const bool grows = aggregate == "count" || aggregate == "max";
  const bool shrinks = aggregate == "min";
  const double value = *result.measured;
  // A count or max only grows and a min only shrinks as samples are added:
  // once over an upper bound (or under a lower bound) it cannot come back.
  // For == that holds once the value went past the limit.
  const bool over = threshold.op == Op::kLess || threshold.op == Op::kLessEqual ||
                    (threshold.op == Op::kEqual && value > threshold.limit);
  const bool under = threshold.op == Op::kGreater || threshold.op == Op::kGreaterEqual ||
                     (threshold.op == Op::kEqual && value < threshold.limit);
  result.final_failure = !result.passed && ((grows && over) || (shrinks && under));
  return result;
}

bool ShouldAbort(const Threshold& threshold, const ThresholdResult& result) {
  if (!threshold.abort_on_fail || !result.measured.has_value() || result.passed) return false;
  if (result.final_failure) return true;
  const std::string& aggregate = threshold.aggregate;
  const bool monotonic = aggregate == "count" || aggregate == "max" || aggregate == "min";
  return !monotonic;
}

std::string_view OpText(Op op) {
  switch (op) {
    case Op::kLess:
      return "<";
    case Op::kLessEqual:
      return "<=";
    case Op::kGreater:
      return ">";
    case Op::kGreaterEqual:
      return ">=";
    case Op::kEqual:
      return "==";
    case Op::kNotEqual:
      return "!=";
  }
  return "?";
}

std::string_view DisplayUnit(const Threshold& threshold) {
  if (threshold.kind == Kind::kDuration && !IsCount(threshold.aggregate)) return "ms";
  if (threshold.aggregate == "rate") return "%";
  if (threshold.kind == Kind::kCallsPerSecond) return "calls/s";
  return "";
}

std::string FormatMeasured(const Threshold& threshold, double value) {
  std::string_view unit = DisplayUnit(threshold);
  if (unit == "%") return absl::StrFormat("%.4g %%", value * 100);
  if (unit.empty()) return absl::StrFormat("%.15g", value);
  return absl::StrFormat("%.3f %s", value, base::ToAbsl(unit));
}

std::string ThresholdTable(const std::vector<Threshold>& thresholds,
                           const std::vector<ThresholdResult>& results) {
  size_t width = std::string_view("threshold").size();
  for (const Threshold& t : thresholds) width = std::max(width, t.expression.size());
  std::string out = absl::StrFormat("%-*s  %-16s  %s\n", static_cast<int>(width), "threshold",
                                    "measured", "result");
  for (size_t i = 0; i < thresholds.size() && i < results.size(); ++i) {
    const Threshold& t = thresholds[i];
    const ThresholdResult& r = results[i];
    std::string measured = r.measured ? FormatMeasured(t, *r.measured) : "no data";
    std::string verdict = "pass";
    if (!r.passed) {
      verdict = base::Cat("FAIL (limit ", OpText(t.op), " ", FormatMeasured(t, t.limit));
      if (r.measured) {
        base::Append(&verdict, ", off by ", FormatMeasured(t, std::fabs(*r.measured - t.limit)));
      }
      verdict += ")";
    }
    absl::StrAppendFormat(&out, "%-*s  %-16s  %s\n", static_cast<int>(width), t.expression,
                          measured, verdict);
  }
  return out;
}

}  // namespace sipfleet::results
