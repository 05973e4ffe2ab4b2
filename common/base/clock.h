#ifndef SIPFLEET_COMMON_BASE_CLOCK_H_
#define SIPFLEET_COMMON_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace sipfleet::base {

// Monotonic and wall-clock time source. Implementations must be thread-safe;
// each worker reads the clock on its own thread.
class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic microseconds since an arbitrary epoch.
  virtual int64_t NowMicros() const = 0;
  // Wall-clock microseconds since the Unix epoch (for logs and CSV rows).
  virtual int64_t WallMicros() const = 0;
  int64_t NowMillis() const { return NowMicros() / 1000; }
};

// The real clocks: CLOCK_MONOTONIC and CLOCK_REALTIME.
class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  int64_t WallMicros() const override;
};

// A clock that moves only when told to, for deterministic tests.
// Wall time is monotonic time plus a fixed offset.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_micros = 1'000'000) : now_(start_micros) {}
  int64_t NowMicros() const override { return now_.load(std::memory_order_relaxed); }
  int64_t WallMicros() const override { return NowMicros() + kWallOffsetMicros; }
  void AdvanceMicros(int64_t delta) { now_.fetch_add(delta, std::memory_order_relaxed); }
  void AdvanceMillis(int64_t delta) { AdvanceMicros(delta * 1000); }

  static constexpr int64_t kWallOffsetMicros = 1'700'000'000'000'000;

 private:
  std::atomic<int64_t> now_;
};

}  // namespace sipfleet::base

#endif  // SIPFLEET_COMMON_BASE_CLOCK_H_
