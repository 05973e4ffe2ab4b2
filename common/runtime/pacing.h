#ifndef SIPFLEET_COMMON_RUNTIME_PACING_H_
#define SIPFLEET_COMMON_RUNTIME_PACING_H_

#include <cmath>
#include <cstdint>

namespace sipfleet::runtime {

// When client calls are due. Call numbers are global (unique across the
// workers of a process and, in a cluster, across agents); each worker places
// the numbers of its own stripe. Call n (n >= first_number) is due at
//   start_us + (n - first_number) * interval_us,
// and a number below first_number is overdue. No call is due while
// interval_us <= 0 (paused, or a rate of 0).
//
// A rate change or a pause is a new Pacing made by Repace(): the numbers
// already due under the old one keep their place, the rest follow the new
// interval from the moment of the change. Every party that applies the same
// Repace() to the same Pacing agrees on every call's due time, so workers
// (and agents) never need to talk to each other about pacing.
struct Pacing {
  int64_t start_us = 0;
  uint64_t first_number = 1;
  double interval_us = 0;  // <= 0: no calls due

  bool running() const { return interval_us > 0; }

  // Due time of call `number`; a number before first_number is due at
  // start_us. Meaningless when !running().
  int64_t DueMicros(uint64_t number) const {
    if (number <= first_number) return start_us;
    return start_us +
           static_cast<int64_t>(std::llround(static_cast<double>(number - first_number) * interval_us));
  }

  // The first call number not yet due at `now_us`.
  uint64_t NextNumberAt(int64_t now_us) const {
    if (!running() || now_us < start_us) return first_number;
    return first_number +
           static_cast<uint64_t>(std::floor(static_cast<double>(now_us - start_us) / interval_us)) + 1;
  }

  friend bool operator==(const Pacing&, const Pacing&) = default;
};

// The interval between calls for `rate` calls per `period_ms`; 0 (no calls)
// for a rate of 0.
inline double IntervalForRate(double rate, int64_t period_ms) {
  return rate > 0 ? static_cast<double>(period_ms) * 1000.0 / rate : 0.0;
}

// The pacing after a change at `now_us` to `interval_us` (<= 0 pauses): the
// calls due before the change stay due, the next one is due at once and the
// others follow at the new interval.
inline Pacing Repace(const Pacing& old, int64_t now_us, double interval_us) {
  Pacing next;
  next.start_us = now_us;
  next.first_number = old.NextNumberAt(now_us);
  next.interval_us = interval_us;
  return next;
}

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_PACING_H_
