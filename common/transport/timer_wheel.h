#ifndef SIPFLEET_COMMON_TRANSPORT_TIMER_WHEEL_H_
#define SIPFLEET_COMMON_TRANSPORT_TIMER_WHEEL_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace sipfleet::transport {

// A hashed timing wheel with 1 ms slots (Varghese & Lauck, scheme 6) owned by
// one worker thread. Entries carry an opaque 64-bit token (a call handle with
// its generation); cancellation is lazy: the owner ignores a fired token whose
// generation or deadline is stale. Entries beyond one revolution stay in their
// slot until their deadline comes round.
//
// Memory: the entries live in one pool, each slot a FIFO list through it, so
// the wheel holds as many entries as were ever pending at once (plus the
// pool's growth slack), however they were spread over the slots. (With one
// vector per slot, each of the 4096 slots kept the capacity of its own
// busiest millisecond: a loaded worker's catch-up bursts ratcheted them up
// one by one and the resident set grew through a whole soak, issue 17.)
class TimerWheel {
 public:
  static constexpr int kSlotBits = 12;  // 4096 slots of 1 ms
  static constexpr int64_t kSlots = int64_t{1} << kSlotBits;

  explicit TimerWheel(int64_t now_ms) : current_ms_(now_ms), slots_(kSlots) {}

  // Schedules `token` to fire at `deadline_ms` (clamped to the current tick).
  void Schedule(int64_t deadline_ms, uint64_t token);

  // Fires every entry whose deadline is <= now_ms, in deadline-slot order
  // (entries of one slot in the order they were scheduled), calling
  // fire(token). `fire` may schedule new entries.
  template <typename Fn>
  void Advance(int64_t now_ms, Fn&& fire);

  // Milliseconds until the earliest pending slot, capped at `cap_ms`; 0 if an
  // entry is due. Cheap: scans at most `cap_ms` slots.
  int64_t MillisUntilNext(int64_t now_ms, int64_t cap_ms) const;

  // Pending entries.
  size_t size() const { return size_; }
  // Entries the pool can hold without allocating: at least the most entries
  // ever pending at once, at most twice that (vector growth).
  size_t pool_capacity() const { return entries_.capacity(); }

 private:
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  struct Entry {
    int64_t deadline_ms;
    uint64_t token;
    uint32_t next;  // the next entry of its slot, or of the free list
  };
  struct Slot {
    uint32_t head = kNone;
    uint32_t tail = kNone;
  };

  // Appends entry `index` (its next is overwritten) to `slot`.
  void Append(Slot& slot, uint32_t index) {
    entries_[index].next = kNone;
    if (slot.tail == kNone) {
      slot.head = index;
    } else {
      entries_[slot.tail].next = index;
    }
    slot.tail = index;
  }

  int64_t current_ms_;  // every slot before this tick has been processed
  std::vector<Slot> slots_;
  std::vector<Entry> entries_;  // the pool: pending entries and free ones
  uint32_t free_ = kNone;       // free entries, linked through next
  std::vector<uint64_t> firing_;
  size_t size_ = 0;
};

template <typename Fn>
void TimerWheel::Advance(int64_t now_ms, Fn&& fire) {
  while (current_ms_ <= now_ms) {
    if (size_ == 0) {
      current_ms_ = now_ms + 1;
      return;
    }
    Slot& slot = slots_[current_ms_ & (kSlots - 1)];
    if (slot.head != kNone) {
      // Take the slot's list apart: due entries are freed and fired, later
      // revolutions go back in their order.
      firing_.clear();
      uint32_t index = slot.head;
      slot = Slot{};
      while (index != kNone) {
        Entry& e = entries_[index];
        const uint32_t next = e.next;
        if (e.deadline_ms <= current_ms_) {
          firing_.push_back(e.token);
          e.next = free_;
          free_ = index;
        } else {
          Append(slot, index);
        }
        index = next;
      }
      size_ -= firing_.size();
      ++current_ms_;
      for (uint64_t token : firing_) fire(token);
      continue;
    }
    ++current_ms_;
  }
}

}  // namespace sipfleet::transport

#endif  // SIPFLEET_COMMON_TRANSPORT_TIMER_WHEEL_H_
