#ifndef SIPFLEET_COMMON_STATS_STAT_CSV_H_
#define SIPFLEET_COMMON_STATS_STAT_CSV_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/stats/shard.h"

namespace sipfleet::stats {

// How StatCsvWriter renders rows. The defaults reproduce SIPp 3.6.1.
struct StatCsvOptions {
  // SIPp's -stat_delimiter.
  std::string delimiter = ";";
  // SIPp's -periodic_rtd: the repartition columns count the period's samples
  // (taken from RowInput::periodic) instead of all samples since the start.
  bool periodic_rtd = false;
  // SIPp keeps response times and call lengths in whole ms, so its
  // HH:MM:SS:micro averages always end in "000". false reproduces that
  // (truncated to ms); true prints our microsecond resolution instead.
  bool microsecond_times = false;
  // SIPp computes CallLengthStDev of exactly one sample as 0/0 and prints the
  // NaN cast to unsigned long: "2562047788015:12:55:808000". true reproduces
  // that; false prints 0 (as SIPp does for a response time's stdev).
  bool single_sample_stdev_quirk = false;
  // Zone of the date/time parts of the timestamps (SIPp: localtime()).
  absl::TimeZone time_zone = absl::LocalTimeZone();
};

// The data of one CSV row. Wall times are µs since the Unix epoch.
struct RowInput {
  // StartTime: when the run (or the last full reset) started.
  int64_t start_wall_micros = 0;
  // LastResetTime: when the previous row's periodic counters were reset (the
  // start time for the first row).
  int64_t last_reset_wall_micros = 0;
  // CurrentTime: when this row's data was taken.
  int64_t current_wall_micros = 0;
  // TargetRate: the -r value in calls per rate period (printed like C++
  // `ostream << double`: "50", "7.5"), or, in -users mode, the user count.
  double target_rate = 0;
  std::optional<int64_t> target_users;
  // Totals since the start, and the change since the last row (Delta()).
  // Both required, not owned; must outlive the Row() call.
  const Snapshot* cumulative = nullptr;
  const Snapshot* periodic = nullptr;
  // ElapsedTime(P) / (C), which also divide the CallRate columns. SIPp uses
  // CurrentTime - LastResetTime and CurrentTime - StartTime.
  int64_t periodic_elapsed_micros = 0;
  int64_t cumulative_elapsed_micros = 0;
};

// Writes SIPp's `-trace_stat` file format: a header line, then one line per
// row, each cell followed by the delimiter (so lines end in a delimiter).
// Columns, in order: times and rates; the (P)/(C) counter pairs of
// counters.h; per RTD its mean and stdev (P)/(C); call length mean and stdev
// (P)/(C); per user counter (P)/(C) (named "GenericCounter<n>" when the name
// is all digits); per RTD a repartition group, then the call length group,
// each group starting with an empty cell. Immutable after construction;
// safe to use from any thread.
class StatCsvWriter {
 public:
  explicit StatCsvWriter(ShardLayout layout, std::string delimiter = ";");
  StatCsvWriter(ShardLayout layout, StatCsvOptions options);

  // The header line, including its terminating "\n".
  std::string HeaderRow() const;
  // One data line, including its terminating "\n". Snapshots are expected
  // to have the layout's shape; missing parts print as zero.
  std::string Row(const RowInput& input) const;

 private:
  ShardLayout layout_;  // Repartition boundaries sorted ascending.
  StatCsvOptions options_;
};

// SIPp's default statistics file name: "<stem>_<pid>_.csv".
std::string DefaultStatFileName(std::string_view scenario_file_stem, int pid);

// The cell formats, shared with the screens.
//
// "YYYY-MM-DD\tHH:MM:SS.uuuuuu\tssssssssss.uuuuuu" (SIPp's formatTime).
std::string FormatSippTimestamp(int64_t wall_micros, absl::TimeZone zone);
// "HH:MM:SS" of whole seconds of `millis` (SIPp's msToHHMMSS); hours grow
// past two digits as needed.
std::string FormatSippHhMmSs(uint64_t millis);
// "HH:MM:SS:uuuuuu" where uuuuuu is the ms remainder times 1000 (SIPp's
// msToHHMMSSus).
std::string FormatSippHhMmSsMillis(uint64_t millis);
// "HH:MM:SS:uuuuuu" with true microseconds.
std::string FormatHhMmSsMicros(uint64_t micros);
// SIPp's CallRate cell: 1000 * calls / elapsed_ms computed in float, printed
// like `ostream << float` (%g, 6 significant digits); "0" if elapsed_ms <= 0.
std::string FormatSippCallRate(uint64_t calls, int64_t elapsed_ms);

}  // namespace sipfleet::stats

#endif  // SIPFLEET_COMMON_STATS_STAT_CSV_H_
