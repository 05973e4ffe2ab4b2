#include "common/stats/stat_csv.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sipfleet::stats {
namespace {

// What SIPp prints for a NaN standard deviation: (unsigned long)NaN on
// x86-64 is 2^63 ms.
constexpr uint64_t kNanMillis = uint64_t{1} << 63;

// This Abseil build has its own absl::string_view, which StrCat needs.
absl::string_view Piece(std::string_view s) { return absl::string_view(s.data(), s.size()); }
template <typename T>
const T& Piece(const T& t) {
  return t;
}

class Line {
 public:
  explicit Line(std::string_view delimiter) : delimiter_(Piece(delimiter)) {}
  template <typename... T>
  void Cell(const T&... parts) {
    absl::StrAppend(&text_, Piece(parts)..., delimiter_);
  }
  std::string Finish() && {
    text_.push_back('\n');
    return std::move(text_);
  }

 private:
  absl::string_view delimiter_;
  std::string text_;
};

// SIPp's findCounter(): an all-digit counter name "7" is shown as
// "GenericCounter7".
std::string UserCounterColumn(std::string_view name) {
  const bool numeric =
      std::all_of(name.begin(), name.end(), [](char c) { return absl::ascii_isdigit(c); });
  return numeric ? absl::StrCat("GenericCounter", Piece(name)) : std::string(name);
}

void RepartitionHeader(Line* line, std::string_view name, const std::vector<int>& boundaries) {
  if (boundaries.empty()) return;
  line->Cell(name);
  for (int b : boundaries) line->Cell(name, "_<", b);
  line->Cell(name, "_>=", boundaries.back());
}

// An empty cell, then one cell per bucket (boundaries + 1 of them).
void RepartitionCells(Line* line, const std::vector<int>& boundaries,
                      const std::vector<uint64_t>* counts) {
  if (boundaries.empty()) return;
  line->Cell("");
  for (size_t i = 0; i <= boundaries.size(); ++i) {
    line->Cell(counts != nullptr && i < counts->size() ? (*counts)[i] : 0);
  }
}

std::string FormatTargetRate(const RowInput& input) {
  if (input.target_users.has_value()) return absl::StrCat(*input.target_users);
  // `ostream << double` with default flags is printf's %g.
  return absl::StrFormat("%g", input.target_rate);
}

uint64_t ElapsedMillis(int64_t micros) { return micros > 0 ? micros / 1000 : 0; }

}  // namespace

std::string FormatSippTimestamp(int64_t wall_micros, absl::TimeZone zone) {
  int64_t seconds = wall_micros / 1'000'000;
  int64_t micros = wall_micros % 1'000'000;
  if (micros < 0) {
    micros += 1'000'000;
    --seconds;
  }
  return absl::StrCat(absl::FormatTime("%Y-%m-%d\t%H:%M:%S", absl::FromUnixSeconds(seconds), zone),
                      absl::StrFormat(".%06d\t%010d.%06d", micros, seconds, micros));
}

std::string FormatSippHhMmSs(uint64_t millis) {
  const uint64_t seconds = millis / 1000;
  return absl::StrFormat("%02d:%02d:%02d", seconds / 3600, seconds % 3600 / 60, seconds % 60);
}

std::string FormatSippHhMmSsMillis(uint64_t millis) {
  const uint64_t seconds = millis / 1000;
  return absl::StrFormat("%02d:%02d:%02d:%06d", seconds / 3600, seconds % 3600 / 60, seconds % 60,
                         millis % 1000 * 1000);
}

std::string FormatHhMmSsMicros(uint64_t micros) {
  const uint64_t seconds = micros / 1'000'000;
  return absl::StrFormat("%02d:%02d:%02d:%06d", seconds / 3600, seconds % 3600 / 60, seconds % 60,
                         micros % 1'000'000);
}

std::string FormatSippCallRate(uint64_t calls, int64_t elapsed_ms) {
  if (elapsed_ms <= 0) return "0";
  // Exactly SIPp's arithmetic (CStat::dumpData): single precision.
  const float rate = 1000 * static_cast<float>(calls) / static_cast<float>(elapsed_ms);
  return absl::StrFormat("%g", static_cast<double>(rate));
}

std::string DefaultStatFileName(std::string_view scenario_file_stem, int pid) {
  return absl::StrCat(Piece(scenario_file_stem), "_", pid, "_.csv");
}

StatCsvWriter::StatCsvWriter(ShardLayout layout, std::string delimiter)
    : StatCsvWriter(std::move(layout), StatCsvOptions{.delimiter = std::move(delimiter)}) {}

StatCsvWriter::StatCsvWriter(ShardLayout layout, StatCsvOptions options)
    : layout_(std::move(layout)), options_(std::move(options)) {
  std::sort(layout_.response_time_repartition_ms.begin(),
            layout_.response_time_repartition_ms.end());
  std::sort(layout_.call_length_repartition_ms.begin(), layout_.call_length_repartition_ms.end());
}

std::string StatCsvWriter::HeaderRow() const {
  Line line(options_.delimiter);
  for (std::string_view name :
       {"StartTime", "LastResetTime", "CurrentTime", "ElapsedTime(P)", "ElapsedTime(C)",
        "TargetRate", "CallRate(P)", "CallRate(C)", "IncomingCall(P)", "IncomingCall(C)",
        "OutgoingCall(P)", "OutgoingCall(C)", "TotalCallCreated", "CurrentCall"}) {
    line.Cell(name);
  }
  for (size_t i = static_cast<size_t>(Counter::kSuccessfulCall);
       i <= static_cast<size_t>(kLastSippCsvCounter); ++i) {
    const std::string_view name = CounterName(static_cast<Counter>(i));
    line.Cell(name, "(P)");
    line.Cell(name, "(C)");
  }
  for (const std::string& rtd : layout_.rtd_names) {
    line.Cell("ResponseTime", rtd, "(P)");
    line.Cell("ResponseTime", rtd, "(C)");
    line.Cell("ResponseTime", rtd, "StDev(P)");
    line.Cell("ResponseTime", rtd, "StDev(C)");
  }
  line.Cell("CallLength(P)");
  line.Cell("CallLength(C)");
  line.Cell("CallLengthStDev(P)");
  line.Cell("CallLengthStDev(C)");
  for (const std::string& name : layout_.user_counter_names) {
    const std::string column = UserCounterColumn(name);
    line.Cell(column, "(P)");
    line.Cell(column, "(C)");
  }
  for (const std::string& rtd : layout_.rtd_names) {
    RepartitionHeader(&line, absl::StrCat("ResponseTimeRepartition", rtd),
                      layout_.response_time_repartition_ms);
  }
  RepartitionHeader(&line, "CallLengthRepartition", layout_.call_length_repartition_ms);
  return std::move(line).Finish();
}

std::string StatCsvWriter::Row(const RowInput& input) const {
  const Snapshot empty;
  const Snapshot& cum = input.cumulative != nullptr ? *input.cumulative : empty;
  const Snapshot& per = input.periodic != nullptr ? *input.periodic : empty;
  const uint64_t periodic_ms = ElapsedMillis(input.periodic_elapsed_micros);
  const uint64_t cumulative_ms = ElapsedMillis(input.cumulative_elapsed_micros);

  // Mean and sample stdev cells of a histogram of µs.
  const auto mean_cell = [&](const Histogram& h) {
    const uint64_t mean = h.count() == 0 ? 0 : h.sum() / h.count();
    return options_.microsecond_times ? FormatHhMmSsMicros(mean)
                                      : FormatSippHhMmSsMillis(mean / 1000);
  };
  const auto stdev_cell = [&](const Histogram& h, bool quirk) {
    if (quirk && h.count() == 1) return FormatSippHhMmSsMillis(kNanMillis);
    const auto stdev = static_cast<uint64_t>(h.StdDev());
    return options_.microsecond_times ? FormatHhMmSsMicros(stdev)
                                      : FormatSippHhMmSsMillis(stdev / 1000);
  };

  Line line(options_.delimiter);
  line.Cell(FormatSippTimestamp(input.start_wall_micros, options_.time_zone));
  line.Cell(FormatSippTimestamp(input.last_reset_wall_micros, options_.time_zone));
  line.Cell(FormatSippTimestamp(input.current_wall_micros, options_.time_zone));
  line.Cell(FormatSippHhMmSs(periodic_ms));
  line.Cell(FormatSippHhMmSs(cumulative_ms));
  line.Cell(FormatTargetRate(input));
  line.Cell(FormatSippCallRate(per.TotalCallsCreated(), static_cast<int64_t>(periodic_ms)));
  line.Cell(FormatSippCallRate(cum.TotalCallsCreated(), static_cast<int64_t>(cumulative_ms)));
  line.Cell(per.Get(Counter::kIncomingCall));
  line.Cell(cum.Get(Counter::kIncomingCall));
  line.Cell(per.Get(Counter::kOutgoingCall));
  line.Cell(cum.Get(Counter::kOutgoingCall));
  line.Cell(cum.TotalCallsCreated());
  line.Cell(cum.CurrentCalls());
  for (size_t i = static_cast<size_t>(Counter::kSuccessfulCall);
       i <= static_cast<size_t>(kLastSippCsvCounter); ++i) {
    line.Cell(per.counters[i]);
    line.Cell(cum.counters[i]);
  }
  const Histogram no_samples;
  for (size_t r = 0; r < layout_.rtd_names.size(); ++r) {
    const Histogram& p = r < per.response_times.size() ? per.response_times[r] : no_samples;
    const Histogram& c = r < cum.response_times.size() ? cum.response_times[r] : no_samples;
    line.Cell(mean_cell(p));
    line.Cell(mean_cell(c));
    line.Cell(stdev_cell(p, false));
    line.Cell(stdev_cell(c, false));
  }
  line.Cell(mean_cell(per.call_length));
  line.Cell(mean_cell(cum.call_length));
  line.Cell(stdev_cell(per.call_length, options_.single_sample_stdev_quirk));
  line.Cell(stdev_cell(cum.call_length, options_.single_sample_stdev_quirk));
  for (size_t i = 0; i < layout_.user_counter_names.size(); ++i) {
    line.Cell(i < per.user_counters.size() ? per.user_counters[i] : 0);
    line.Cell(i < cum.user_counters.size() ? cum.user_counters[i] : 0);
  }
  const Snapshot& repartition = options_.periodic_rtd ? per : cum;
  for (size_t r = 0; r < layout_.rtd_names.size(); ++r) {
    RepartitionCells(&line, layout_.response_time_repartition_ms,
                     r < repartition.response_time_repartition.size()
                         ? &repartition.response_time_repartition[r]
                         : nullptr);
  }
  RepartitionCells(&line, layout_.call_length_repartition_ms, &repartition.call_length_repartition);
  return std::move(line).Finish();
}

}  // namespace sipfleet::stats
