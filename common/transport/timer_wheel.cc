#include "common/transport/timer_wheel.h"

#include <algorithm>

namespace sipfleet::transport {

void TimerWheel::Schedule(int64_t deadline_ms, uint64_t token) {
  deadline_ms = std::max(deadline_ms, current_ms_);
  slots_[deadline_ms & (kSlots - 1)].push_back(Entry{deadline_ms, token});
  ++size_;
}

int64_t TimerWheel::MillisUntilNext(int64_t now_ms, int64_t cap_ms) const {
  if (size_ == 0) return cap_ms;
  // Far behind (the loop was busy): let Advance() catch up first.
  if (current_ms_ + 64 <= now_ms) return 0;
  for (int64_t t = current_ms_; t <= now_ms + cap_ms; ++t) {
    const std::vector<Entry>& slot = slots_[t & (kSlots - 1)];
    for (const Entry& e : slot) {
      if (e.deadline_ms <= t) return t > now_ms ? t - now_ms : 0;
    }
  }
  return cap_ms;
}

}  // namespace sipfleet::transport
