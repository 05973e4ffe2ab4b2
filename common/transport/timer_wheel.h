#ifndef SIPFLEET_COMMON_TRANSPORT_TIMER_WHEEL_H_
#define SIPFLEET_COMMON_TRANSPORT_TIMER_WHEEL_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sipfleet::transport {

// A hashed timing wheel with 1 ms slots (Varghese & Lauck, scheme 6) owned by
// one worker thread. Entries carry an opaque 64-bit token (a call handle with
// its generation); cancellation is lazy: the owner ignores a fired token whose
// generation or deadline is stale. Entries beyond one revolution stay in their
// slot until their deadline comes round.
//
// Memory follows the last revolution: each slot is a vector, and when a slot
// comes round holding less than half of its capacity, the rest is given back
// (down to kMinSlotCapacity). So the wheel holds at most about twice the
// entries scheduled in the last revolution (4096 ms) it went through,
// whatever burst came before; an idle wheel (nothing pending) skips its
// slots and keeps what it had. (Kept for good, each slot's
// capacity was its busiest millisecond ever: a loaded worker's catch-up
// bursts raised the slots one by one and the resident set grew through a
// whole soak, issue 17.)
class TimerWheel {
 public:
  static constexpr int kSlotBits = 12;  // 4096 slots of 1 ms
  static constexpr int64_t kSlots = int64_t{1} << kSlotBits;
  static constexpr size_t kMinSlotCapacity = 8;  // never given back

  explicit TimerWheel(int64_t now_ms) : current_ms_(now_ms), slots_(kSlots) {}

  // Schedules `token` to fire at `deadline_ms` (clamped to the current tick).
  void Schedule(int64_t deadline_ms, uint64_t token);

  // Fires every entry whose deadline is <= now_ms, in deadline-slot order
  // (the entries of one slot in the order they were scheduled), calling
  // fire(token). `fire` may schedule new entries.
  template <typename Fn>
  void Advance(int64_t now_ms, Fn&& fire);

  // Milliseconds until the earliest pending slot, capped at `cap_ms`; 0 if an
  // entry is due. Cheap: scans at most `cap_ms` slots.
  int64_t MillisUntilNext(int64_t now_ms, int64_t cap_ms) const;

  // Pending entries.
  size_t size() const { return size_; }
  // Entries the slots can hold without allocating (their capacities' sum).
  size_t capacity() const;

 private:
  struct Entry {
    int64_t deadline_ms;
    uint64_t token;
  };
  // After `slot` came round holding `held` entries: gives back what the
  // slot did not need this revolution.
  static void Trim(std::vector<Entry>& slot, size_t held);

  int64_t current_ms_;  // every slot before this tick has been processed
  std::vector<std::vector<Entry>> slots_;
  std::vector<Entry> firing_;
  size_t size_ = 0;
};

template <typename Fn>
void TimerWheel::Advance(int64_t now_ms, Fn&& fire) {
  while (current_ms_ <= now_ms) {
    if (size_ == 0) {
      current_ms_ = now_ms + 1;
      return;
    }
    std::vector<Entry>& slot = slots_[current_ms_ & (kSlots - 1)];
    if (!slot.empty()) {
      const size_t held = slot.size();
      firing_.clear();
      size_t kept = 0;
      for (const Entry& e : slot) {
        if (e.deadline_ms <= current_ms_) {
          firing_.push_back(e);
        } else {
          slot[kept++] = e;
        }
      }
      slot.resize(kept);
      Trim(slot, held);
      size_ -= firing_.size();
      ++current_ms_;
      for (const Entry& e : firing_) fire(e.token);
      continue;
    }
    if (slot.capacity() > 2 * kMinSlotCapacity) Trim(slot, 0);
    ++current_ms_;
  }
}

}  // namespace sipfleet::transport

#endif  // SIPFLEET_COMMON_TRANSPORT_TIMER_WHEEL_H_
