#include "common/base/clock.h"

#include <ctime>

namespace sipfleet::base {
namespace {
int64_t ReadClock(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}
}  // namespace

int64_t SystemClock::NowMicros() const { return ReadClock(CLOCK_MONOTONIC); }
int64_t SystemClock::WallMicros() const { return ReadClock(CLOCK_REALTIME); }

}  // namespace sipfleet::base
