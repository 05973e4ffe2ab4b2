#include "agent/remote_lookup.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::agent {
namespace {

using Clock = std::chrono::steady_clock;
using Answer = absl::StatusOr<transport::SocketAddress>;

// Lookups running on detached threads, answers queued in arrival order.
// The state is shared, so the waiter may go while a thread still blocks.
class Lookups {
 public:
  explicit Lookups(Lookup lookup) : state_(std::make_shared<State>(std::move(lookup))) {}

  void Start() {
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      ++state_->in_flight;
    }
    std::thread([state = state_] {
      Answer answer = state->lookup();
      std::lock_guard<std::mutex> lock(state->mutex);
      --state->in_flight;
      state->answers.push_back(std::move(answer));
      state->arrived.notify_all();
    }).detach();
  }

  int in_flight() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->in_flight;
  }

  // The next answer if one arrives by `until`.
  std::optional<Answer> NextBy(Clock::time_point until) {
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->arrived.wait_until(lock, until, [&] { return !state_->answers.empty(); });
    if (state_->answers.empty()) return std::nullopt;
    Answer answer = std::move(state_->answers.front());
    state_->answers.pop_front();
    return answer;
  }

 private:
  struct State {
    explicit State(Lookup l) : lookup(std::move(l)) {}
    const Lookup lookup;
    mutable std::mutex mutex;
    std::condition_variable arrived;
    std::deque<Answer> answers;
    int in_flight = 0;
  };
  std::shared_ptr<State> state_;
};

}  // namespace

absl::StatusOr<transport::SocketAddress> LookUpWhileBeating(
    const Lookup& lookup, const LookupPolicy& policy, std::string_view name,
    absl::FunctionRef<void()> beat, absl::FunctionRef<void(std::string_view)> say) {
  // A day at most, so the deadline cannot overflow the clock.
  const std::chrono::milliseconds wait = std::min<std::chrono::milliseconds>(
      policy.wait, std::chrono::hours(24));
  const bool retrying = wait.count() > 0;
  const Clock::time_point never = Clock::time_point::max();
  const Clock::time_point deadline = retrying ? Clock::now() + wait : never;
  const int cap = std::max(policy.max_outstanding, 1);
  Clock::time_point next_beat = Clock::now() + policy.beat;
  Clock::time_point next_start = Clock::now();  // when another lookup may start
  std::optional<Answer> last_failure;
  bool said = false;
  Lookups lookups(lookup);
  while (true) {
    Clock::time_point now = Clock::now();
    if (now >= next_start && lookups.in_flight() < cap) {
      if (lookups.in_flight() > 0 && !said) {
        say(base::Cat("no answer from the resolver for '", name, "' yet"));
        said = true;
      }
      lookups.Start();
      next_start = retrying ? now + policy.hedge : never;
    }
    // At the cap no lookup can start, so only an answer, a beat or the
    // deadline wakes us (a past next_start would make this loop spin).
    Clock::time_point wake = std::min(deadline, next_beat);
    if (lookups.in_flight() < cap) wake = std::min(wake, next_start);
    std::optional<Answer> answer = lookups.NextBy(wake);
    now = Clock::now();
    if (answer.has_value()) {
      if (answer->ok() || !retrying) return *std::move(answer);
      if (!said) {
        const absl::string_view failure = answer->status().message();
        say(std::string_view(failure.data(), failure.size()));
        said = true;
      }
      last_failure = std::move(answer);
      next_start = std::min(next_start, now + policy.retry);
    }
    if (now >= next_beat) {
      beat();
      next_beat = now + policy.beat;
    }
    if (now >= deadline) {
      if (last_failure.has_value()) return *std::move(last_failure);
      return absl::DeadlineExceededError(
          base::Cat("no answer from the resolver for '", name, "' within ",
                    wait.count() / 1000.0, " s"));
    }
  }
}

}  // namespace sipfleet::agent
