#include "common/results/timeline.h"

#include <algorithm>

#include "common/results/figures.h"

namespace sipfleet::results {

Timeline::Timeline(const stats::ShardLayout& layout, int64_t start_us)
    : start_us_(start_us), previous_us_(start_us), previous_(stats::EmptySnapshot(layout)) {}

void Timeline::Add(const stats::Snapshot& total, int64_t now_us, double target_calls_per_s,
                   uint64_t current_calls) {
  if (now_us <= previous_us_) return;
  stats::Snapshot delta = stats::Delta(total, previous_);
  const double seconds = static_cast<double>(now_us - previous_us_) / 1e6;
  Period period;
  period.end_s = static_cast<double>(now_us - start_us_) / 1e6;
  period.target_calls_per_s = target_calls_per_s;
  period.achieved_calls_per_s = static_cast<double>(delta.TotalCallsCreated()) / seconds;
  period.current_calls = current_calls;
  period.successful_calls = delta.Get(stats::Counter::kSuccessfulCall);
  period.failed_calls = delta.Get(stats::Counter::kFailedCall);
  period.retransmissions = delta.Get(stats::Counter::kRetransmissions);
  for (const stats::Histogram& rtd : delta.response_times) {
    period.rtds.push_back({PercentileMs(rtd, 50), PercentileMs(rtd, 95), PercentileMs(rtd, 99)});
  }
  previous_ = total;
  previous_us_ = now_us;
  std::lock_guard<std::mutex> lock(mutex_);
  periods_.push_back(std::move(period));
}

size_t Timeline::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return periods_.size();
}

std::vector<Period> Timeline::Periods(size_t from, size_t to) const {
  std::lock_guard<std::mutex> lock(mutex_);
  to = std::min(to, periods_.size());
  if (from >= to) return {};
  return std::vector<Period>(periods_.begin() + static_cast<ptrdiff_t>(from),
                             periods_.begin() + static_cast<ptrdiff_t>(to));
}

}  // namespace sipfleet::results
