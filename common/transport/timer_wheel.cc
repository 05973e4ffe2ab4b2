#include "common/transport/timer_wheel.h"

#include <algorithm>

namespace sipfleet::transport {

void TimerWheel::Schedule(int64_t deadline_ms, uint64_t token) {
  deadline_ms = std::max(deadline_ms, current_ms_);
  uint32_t index = free_;
  if (index != kNone) {
    free_ = entries_[index].next;
    entries_[index].deadline_ms = deadline_ms;
    entries_[index].token = token;
  } else {
    index = static_cast<uint32_t>(entries_.size());
    entries_.push_back(Entry{deadline_ms, token, kNone});
  }
  Append(slots_[deadline_ms & (kSlots - 1)], index);
  ++size_;
}

int64_t TimerWheel::MillisUntilNext(int64_t now_ms, int64_t cap_ms) const {
  if (size_ == 0) return cap_ms;
  // Far behind (the loop was busy): let Advance() catch up first.
  if (current_ms_ + 64 <= now_ms) return 0;
  for (int64_t t = current_ms_; t <= now_ms + cap_ms; ++t) {
    for (uint32_t i = slots_[t & (kSlots - 1)].head; i != kNone; i = entries_[i].next) {
      if (entries_[i].deadline_ms <= t) return t > now_ms ? t - now_ms : 0;
    }
  }
  return cap_ms;
}

}  // namespace sipfleet::transport
