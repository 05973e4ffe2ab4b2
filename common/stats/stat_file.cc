#include "common/stats/stat_file.h"

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::stats {

absl::StatusOr<std::unique_ptr<StatFile>> StatFile::Open(const std::string& path,
                                                         const ShardLayout& layout,
                                                         const StatCsvOptions& options,
                                                         int64_t start_wall_us) {
  std::unique_ptr<StatFile> file(new StatFile(layout, options, start_wall_us));
  file->out_.open(path, std::ios::trunc);
  if (!file->out_) return absl::InvalidArgumentError(base::Cat("cannot write ", path));
  file->out_ << file->writer_.HeaderRow();
  return file;
}

void StatFile::WriteRow(const Snapshot& now, int64_t wall_us, double target_rate) {
  Snapshot periodic = Delta(now, previous_);
  RowInput row;
  row.start_wall_micros = start_wall_us_;
  row.last_reset_wall_micros = last_reset_wall_us_;
  row.current_wall_micros = wall_us;
  row.target_rate = target_rate;
  row.cumulative = &now;
  row.periodic = &periodic;
  row.periodic_elapsed_micros = wall_us - last_reset_wall_us_;
  row.cumulative_elapsed_micros = wall_us - start_wall_us_;
  out_ << writer_.Row(row);
  out_.flush();
  previous_ = now;
  last_reset_wall_us_ = wall_us;
}

}  // namespace sipfleet::stats
