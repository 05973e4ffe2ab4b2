#include "common/transport/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "common/base/strings.h"

namespace sipfleet::transport {
namespace {
constexpr int kMaxEvents = 64;
// A precise deadline is slept toward only this close; the rest is spun, so a
// late wake-up of the thread (timer slack, a virtual CPU's scheduling) does
// not delay a media packet.
constexpr int64_t kPreciseSpinMicros = 300;

int64_t MonotonicMicros() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
}
}  // namespace

EventLoop::EventLoop(const base::Clock& clock) : clock_(clock), timers_(clock.NowMillis()) {}

EventLoop::~EventLoop() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

absl::Status EventLoop::Init() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    return absl::InternalError(base::Cat("event loop setup: ", strerror(errno)));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // nullptr marks the wake-up eventfd
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    return absl::InternalError(base::Cat("epoll_ctl: ", strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status EventLoop::Watch(int fd, uint32_t events, FdHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    return absl::InternalError(base::Cat("epoll_ctl add fd ", fd, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status EventLoop::Modify(int fd, uint32_t events, FdHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0) {
    return absl::InternalError(base::Cat("epoll_ctl mod fd ", fd, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

void EventLoop::Unwatch(int fd) { epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::Post(absl::AnyInvocable<void() &&> task) {
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    posted_.push_back(std::move(task));
  }
  if (!has_posted_.exchange(true, std::memory_order_acq_rel)) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t rc = write(wake_fd_, &one, sizeof(one));
  }
}

void EventLoop::Stop() {
  stop_.store(true, std::memory_order_release);
  uint64_t one = 1;
  [[maybe_unused]] ssize_t rc = write(wake_fd_, &one, sizeof(one));
}

void EventLoop::DrainPosted() {
  if (!has_posted_.load(std::memory_order_acquire)) return;
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    running_.swap(posted_);
    has_posted_.store(false, std::memory_order_release);
  }
  for (auto& task : running_) std::move(task)();
  running_.clear();
}

void EventLoop::SleepToNextTick() {
  // Real time on purpose: this paces the thread, whatever clock the loop's
  // timers read. A precise deadline before the tick boundary wakes us early.
  int64_t now_us = MonotonicMicros();
  int64_t wake_us = (now_us / tick_micros_ + 1) * tick_micros_;
  if (int64_t until = MicrosUntilPrecise(); until >= 0) {
    wake_us = std::min(wake_us, now_us + std::max<int64_t>(until - kPreciseSpinMicros, 0));
  }
  timespec wake{static_cast<time_t>(wake_us / 1'000'000),
                static_cast<long>((wake_us % 1'000'000) * 1000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, nullptr) == EINTR) {
  }
}

int EventLoop::Wait(epoll_event* events, int max_events, int64_t timeout_us) {
  if (timeout_us < 0) return epoll_wait(epoll_fd_, events, max_events, -1);
  timespec timeout{static_cast<time_t>(timeout_us / 1'000'000),
                   static_cast<long>((timeout_us % 1'000'000) * 1000)};
  // epoll_pwait2 (Linux 5.11) takes a nanosecond timeout.
  return epoll_pwait2(epoll_fd_, events, max_events, &timeout, nullptr);
}

void EventLoop::RunOnce(int max_wait_ms) {
  int64_t timeout_us = 0;
  if (max_wait_ms > 0 && busy_ && tick_micros_ > 0) {
    SleepToNextTick();
  } else if (!has_posted_.load(std::memory_order_acquire)) {
    timeout_us = timers_.MillisUntilNext(clock_.NowMillis(), max_wait_ms) * 1000;
    if (int64_t until = MicrosUntilPrecise(); until >= 0 && timeout_us > 0) {
      timeout_us = std::min(timeout_us, std::max<int64_t>(until - kPreciseSpinMicros, 0));
    }
  }
  epoll_event events[kMaxEvents];
  int n = Wait(events, kMaxEvents, timeout_us);
  busy_ = n > 0;
  for (int i = 0; i < n; ++i) {
    if (events[i].data.ptr == nullptr) {
      uint64_t value;
      [[maybe_unused]] ssize_t rc = read(wake_fd_, &value, sizeof(value));
      continue;
    }
    static_cast<FdHandler*>(events[i].data.ptr)->OnEvents(events[i].events);
  }
  DrainPosted();
  if (precise_ != nullptr) {
    // Woken just before a precise deadline: spin the last stretch (real
    // time, so a manual test clock cannot hold the loop here).
    if (int64_t until = MicrosUntilPrecise(); until > 0 && until <= kPreciseSpinMicros) {
      const int64_t spin_end = MonotonicMicros() + until;
      while (MonotonicMicros() < spin_end) {
      }
    }
    precise_->RunDue(clock_.NowMicros());
  }
  if (timer_handler_) {
    timers_.Advance(clock_.NowMillis(), [this](uint64_t token) { timer_handler_(token); });
  }
  if (iteration_end_) iteration_end_();
  RunFlushes();
}

// A flush may schedule others (a failed write closes a connection; its owner
// may send elsewhere): runs until none is left.
void EventLoop::RunFlushes() {
  while (!flushes_.empty()) {
    flushing_.swap(flushes_);  // tickets now index flushing_
    for (DeferredFlush* flush : flushing_) {
      if (flush != nullptr) flush->FlushDeferred();
    }
    flushing_.clear();
  }
}

// The ticket is the flush's index in flushes_, or in flushing_ once
// RunFlushes() swapped the lists.
void EventLoop::CancelFlush(DeferredFlush* flush, size_t ticket) {
  if (ticket < flushes_.size() && flushes_[ticket] == flush) flushes_[ticket] = nullptr;
  if (ticket < flushing_.size() && flushing_[ticket] == flush) flushing_[ticket] = nullptr;
}

int64_t EventLoop::MicrosUntilPrecise() const {
  if (precise_ == nullptr) return -1;
  int64_t due = precise_->NextDueMicros();
  if (due == PreciseTimer::kNone) return -1;
  return std::max<int64_t>(due - clock_.NowMicros(), 0);
}

void EventLoop::Run() {
  // With no timer pending (a worker that places no calls), only a socket or
  // a Post() has anything to do: wake rarely instead of 100 times a second.
  while (!stopped()) RunOnce(timers_.size() == 0 && precise_ == nullptr ? 200 : 10);
}

}  // namespace sipfleet::transport
