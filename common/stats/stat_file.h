#ifndef SIPFLEET_COMMON_STATS_STAT_FILE_H_
#define SIPFLEET_COMMON_STATS_STAT_FILE_H_

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/stats/shard.h"
#include "common/stats/stat_csv.h"

namespace sipfleet::stats {

// SIPp's -trace_stat file (SIPP_NOTES §8.1): the header, then one row per
// WriteRow() with periodic columns taken against the previous row. Used by
// sipfleet for its engine and by sipfleet-master for the merged cluster.
class StatFile {
 public:
  // Truncates `path` and writes the header. Errors: the file cannot be
  // written.
  static absl::StatusOr<std::unique_ptr<StatFile>> Open(const std::string& path,
                                                        const ShardLayout& layout,
                                                        const StatCsvOptions& options,
                                                        int64_t start_wall_us);

  // One row for the cumulative snapshot `now` taken at `wall_us`;
  // `target_rate` is the rate asked for now (keys and -rate_increase change
  // it). Flushed at once.
  void WriteRow(const Snapshot& now, int64_t wall_us, double target_rate);

 private:
  StatFile(const ShardLayout& layout, const StatCsvOptions& options, int64_t start_wall_us)
      : writer_(layout, options),
        previous_(EmptySnapshot(layout)),
        start_wall_us_(start_wall_us),
        last_reset_wall_us_(start_wall_us) {}

  StatCsvWriter writer_;
  std::ofstream out_;
  Snapshot previous_;
  int64_t start_wall_us_;
  int64_t last_reset_wall_us_;
};

}  // namespace sipfleet::stats

#endif  // SIPFLEET_COMMON_STATS_STAT_FILE_H_
