#ifndef SIPFLEET_COMMON_RUNTIME_TIMER_LATENESS_H_
#define SIPFLEET_COMMON_RUNTIME_TIMER_LATENESS_H_

#include "common/stats/histogram.h"

namespace sipfleet::runtime {

// How late the call timers that keep held calls on time fired: UDP
// retransmissions (RFC 3261 §17.1.1.2 timer A, §17.1.2.2 timer E) and
// pauses, in microseconds from the timer's due millisecond to the loop
// iteration that ran it (the wheel's resolution is 1 ms, so under 1000 is on
// time). One per worker, written by its thread only; the engine merges them
// once the threads have stopped.
struct TimerLateness {
  stats::Histogram retransmissions_us;
  stats::Histogram pauses_us;
  void Merge(const TimerLateness& other) {
    retransmissions_us.Merge(other.retransmissions_us);
    pauses_us.Merge(other.pauses_us);
  }
};

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_TIMER_LATENESS_H_
