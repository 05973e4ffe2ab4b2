#ifndef SIPFLEET_COMMON_TRANSPORT_EVENT_LOOP_H_
#define SIPFLEET_COMMON_TRANSPORT_EVENT_LOOP_H_

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "common/base/clock.h"
#include "common/transport/timer_wheel.h"

namespace sipfleet::transport {

// Receives readiness events for one file descriptor.
class FdHandler {
 public:
  virtual ~FdHandler() = default;
  virtual void OnEvents(uint32_t epoll_events) = 0;
};

// A source of deadlines finer than the 1 ms wheel (media packets, RTP
// timing within 1 ms of a recording). Times are the loop clock's micros.
class PreciseTimer {
 public:
  static constexpr int64_t kNone = INT64_MAX;
  virtual ~PreciseTimer() = default;
  // Earliest pending deadline, kNone when idle.
  virtual int64_t NextDueMicros() const = 0;
  // Runs everything due at or before `now_us`.
  virtual void RunDue(int64_t now_us) = 0;
};

// Work held to the end of the loop's current iteration (a stream's writes:
// one write() carries every message of the iteration instead of one each).
class DeferredFlush {
 public:
  virtual void FlushDeferred() = 0;

 protected:
  ~DeferredFlush() = default;
};

// One worker's event loop: epoll for sockets, a 1 ms timer wheel, and a queue
// of closures other threads post to it (the only cross-thread entry point).
// Owned by its worker; every method but Post() and Stop() must be called on
// the loop's thread.
class EventLoop {
 public:
  explicit EventLoop(const base::Clock& clock);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  absl::Status Init();

  // Registers `fd` for `events` (EPOLLIN, EPOLLEXCLUSIVE...). The handler
  // must outlive the registration.
  absl::Status Watch(int fd, uint32_t events, FdHandler* handler);
  // Changes the events watched for `fd` (EPOLLOUT while a write is pending).
  absl::Status Modify(int fd, uint32_t events, FdHandler* handler);
  void Unwatch(int fd);

  // Thread-safe: runs `task` on the loop thread during its next iteration.
  void Post(absl::AnyInvocable<void() &&> task);
  // Thread-safe: makes Run() return after the current iteration.
  void Stop();

  TimerWheel& timers() { return timers_; }
  const base::Clock& clock() const { return clock_; }

  // Called for each expired timer token.
  void set_timer_handler(absl::AnyInvocable<void(uint64_t)> handler) {
    timer_handler_ = std::move(handler);
  }
  // Registers the loop's one precise-deadline source (may be null). The
  // loop wakes for its deadlines with microsecond resolution, even while the
  // batching tick would otherwise sleep past them.
  void set_precise_timer(PreciseTimer* timer) { precise_ = timer; }

  // Called once at the end of every iteration (flush batched sends).
  void set_iteration_end_handler(absl::AnyInvocable<void()> handler) {
    iteration_end_ = std::move(handler);
  }

  // Runs `flush->FlushDeferred()` once, after this iteration's end handler.
  // Returns a ticket for CancelFlush(), which whoever schedules must call
  // before `flush` dies unless the flush already ran. O(1) both.
  size_t ScheduleFlush(DeferredFlush* flush) {
    flushes_.push_back(flush);
    return flushes_.size() - 1;
  }
  void CancelFlush(DeferredFlush* flush, size_t ticket);

  // Batching granularity under load (SIPp's -timer_resol, default 1 ms).
  // After an iteration that found work, the next one first sleeps to the next
  // tick boundary and then drains everything that arrived meanwhile, so a
  // loaded worker wakes at most once per tick instead of once per packet. An
  // idle loop still wakes on the first packet. 0 disables the batching.
  void set_tick_micros(int64_t tick) { tick_micros_ = tick; }

  // One iteration: waits at most `max_wait_ms` for sockets, then runs posted
  // tasks, due timers, the iteration-end handler and the deferred flushes.
  // max_wait_ms == 0 never sleeps (tests on a manual clock).
  void RunOnce(int max_wait_ms);
  // Iterates until Stop().
  void Run();
  bool stopped() const { return stop_.load(std::memory_order_acquire); }

 private:
  void DrainPosted();
  void RunFlushes();
  void SleepToNextTick();
  // Waits for sockets until `timeout_us` from now (-1 = forever).
  int Wait(epoll_event* events, int max_events, int64_t timeout_us);
  // Micros until the precise timer's deadline (0 if due), -1 if none.
  int64_t MicrosUntilPrecise() const;

  const base::Clock& clock_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  TimerWheel timers_;
  std::mutex posted_mutex_;
  std::vector<absl::AnyInvocable<void() &&>> posted_;
  std::vector<absl::AnyInvocable<void() &&>> running_;
  std::atomic<bool> has_posted_{false};
  std::atomic<bool> stop_{false};
  absl::AnyInvocable<void(uint64_t)> timer_handler_;
  absl::AnyInvocable<void()> iteration_end_;
  PreciseTimer* precise_ = nullptr;
  std::vector<DeferredFlush*> flushes_;   // scheduled this iteration
  std::vector<DeferredFlush*> flushing_;  // being run (null: cancelled)
  int64_t tick_micros_ = 1000;
  bool busy_ = false;  // the previous iteration found work
};

}  // namespace sipfleet::transport

#endif  // SIPFLEET_COMMON_TRANSPORT_EVENT_LOOP_H_
