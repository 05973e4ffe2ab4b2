#include "common/transport/timer_wheel.h"

#include <algorithm>

namespace sipfleet::transport {

void TimerWheel::Schedule(int64_t deadline_ms, uint64_t token) {
  deadline_ms = std::max(deadline_ms, current_ms_);
  slots_[deadline_ms & (kSlots - 1)].push_back(Entry{deadline_ms, token});
  ++size_;
}

void TimerWheel::Trim(std::vector<Entry>& slot, size_t held) {
  const size_t enough = std::max(held, kMinSlotCapacity);
  if (slot.capacity() <= 2 * enough) return;  // at most one doubling too many
  std::vector<Entry> smaller;
  smaller.reserve(enough);
  smaller.assign(slot.begin(), slot.end());
  slot.swap(smaller);
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

size_t TimerWheel::capacity() const {
  size_t sum = 0;
  for (const std::vector<Entry>& slot : slots_) sum += slot.capacity();
  return sum;
}

}  // namespace sipfleet::transport
