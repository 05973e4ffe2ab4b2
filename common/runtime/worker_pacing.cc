// Client call generation (worker.h): when a worker starts calls, which
// numbers, and how fast it may when the peer (or this loop) falls behind.
#include "common/runtime/worker.h"

#include <algorithm>
#include <cmath>

namespace sipfleet::runtime {

using stats::Counter;

void Worker::SetUsers(uint64_t quota, uint32_t first_user_id, uint32_t stride) {
  users_mode_ = true;
  users_quota_ = quota;
  next_user_id_ = first_user_id;
  user_id_stride_ = stride;
}

void Worker::PostPacing(const Pacing& pacing) {
  loop_.Post([this, pacing] {
    pacing_ = pacing;
    pacer_armed_ = false;  // a stale pacer timer only causes an extra check
    PlaceDueCalls();
  });
}

void Worker::PostWake() {
  loop_.Post([this] { PlaceDueCalls(); });
}

void Worker::PostUsers(uint64_t quota) {
  loop_.Post([this, quota] {
    users_quota_ = quota;
    PlaceDueCalls();
  });
}

uint32_t Worker::TakeUserId() {
  if (!free_user_ids_.empty()) {
    uint32_t id = free_user_ids_.back();
    free_user_ids_.pop_back();
    return id;
  }
  uint32_t id = next_user_id_;
  next_user_id_ += user_id_stride_;
  return id;
}

void Worker::ArmPacer(int64_t due_us) {
  if (pacer_armed_) return;
  loop_.timers().Schedule((due_us + 999) / 1000, kPacerToken);
  pacer_armed_ = true;
}

void Worker::PlaceDueCalls() {
  // A call that fails while it starts ends inside StartClientCall and comes
  // back here; the outer pass carries on instead.
  if (placing_ || scenario_.mode != scenario::Mode::kClient) return;
  placing_ = true;
  if (users_mode_) {
    PlaceUserCalls();
  } else {
    PlaceRateCalls();
  }
  placing_ = false;
  UpdateFinished();
}

uint64_t Worker::NumberOfClaim(uint64_t k) const {
  const uint64_t workers = std::max<uint64_t>(shared_->workers.size(), 1);
  return first_number_ + k % workers + (k / workers) * stride_;
}

int Worker::ActivePlacers() const {
  const int workers = static_cast<int>(shared_->workers.size());
  if (workers <= 1 || !pacing_.running()) return 1;
  // This process's share of the rate: its W numbers in every `stride`.
  double rate = 1e6 / pacing_.interval_us * static_cast<double>(workers) /
                static_cast<double>(stride_);
  return std::clamp(static_cast<int>(std::ceil(rate / kCallsPerPlacer)), 1, workers);
}

uint64_t Worker::TotalOpenCalls() const {
  uint64_t open = 0;
  for (const Worker* worker : shared_->workers) open += worker->open_calls();
  return shared_->workers.empty() ? open_calls() : open;
}

void Worker::PlaceRateCalls() {
  if (!pacing_.running() || no_new_calls_ || index_ >= ActivePlacers()) return;
  const uint64_t last = config_.max_calls > 0 ? config_.max_calls : ~uint64_t{0} / 2;
  const uint64_t limit = shared_->call_limit.load(std::memory_order_relaxed);
  int64_t now = clock_.NowMicros();
  std::atomic<uint64_t>& claimed = shared_->claimed_calls;
  uint64_t k = claimed.load(std::memory_order_acquire);
  int budget = kMaxPlacedPerPass;
  // -l: the open calls of every worker, read once a pass (each read is one
  // atomic per worker); the calls this pass places are added as they start.
  uint64_t open = limit > 0 ? TotalOpenCalls() : 0;
  while (!shared_->stop_new_calls.load(std::memory_order_relaxed)) {
    const uint64_t number = NumberOfClaim(k);
    if (number > last) break;
    int64_t due = pacing_.DueMicros(number);
    if (due > now) {
      ArmPacer(due);
      break;
    }
    if ((limit > 0 && open >= limit) || WindowFull()) {
      // Held back (-l, the congestion window): look again in a millisecond;
      // a call ending on another worker may free -l.
      ArmPacer(now + 1000);
      break;
    }
    if (budget-- == 0) {
      // This pass's share is placed: the rest at the next millisecond tick
      // (now + 1000 would round to the one after: a pass every ~2 ms capped
      // a worker at ~32k calls/s).
      ArmPacer(now + 1);
      break;
    }
    if (!claimed.compare_exchange_weak(k, k + 1, std::memory_order_acq_rel)) continue;
    if (now - due > kLateMicros) stats_.Increment(Counter::kLateCalls);
    if (NumberOfClaim(k + 1) > last) {
      // The last call is placed: the other workers learn that they are done
      // once their own calls end (one that placed nothing has no event).
      for (Worker* worker : shared_->workers) {
        if (worker != this) worker->loop_.Post([worker] { worker->UpdateFinished(); });
      }
    }
    StartClientCall(number);
    ++open;
    k = claimed.load(std::memory_order_acquire);
  }
}

void Worker::PlaceUserCalls() {
  if (!pacing_.running()) return;  // paused
  const uint64_t last = config_.max_calls > 0 ? config_.max_calls : ~uint64_t{0} / 2;
  // At most one quota of starts per pass, so calls that fail as they start
  // cannot hold the loop here; the rest wait for the next tick.
  uint64_t budget = users_quota_;
  while (open_calls_.load(std::memory_order_relaxed) < users_quota_ && next_call_number_ <= last &&
         !shared_->stop_new_calls.load(std::memory_order_relaxed)) {
    if (WindowFull() || budget-- == 0) {
      // Held back (the congestion window, or this pass's share): look
      // again next tick.
      ArmPacer(clock_.NowMicros() + 1000);
      break;
    }
    uint64_t number = next_call_number_;
    next_call_number_ += stride_;
    StartClientCall(number);
  }
}

void Worker::UpdateFinished() {
  const uint64_t last = config_.max_calls > 0 ? config_.max_calls : ~uint64_t{0} / 2;
  const uint64_t next =
      users_mode_ ? next_call_number_
                  : NumberOfClaim(shared_->claimed_calls.load(std::memory_order_acquire));
  bool no_more = scenario_.mode == scenario::Mode::kServer || next > last || no_new_calls_ ||
                 shared_->stop_new_calls.load(std::memory_order_relaxed);
  finished_.store(no_more && open_calls_.load(std::memory_order_relaxed) == 0,
                  std::memory_order_release);
}

void Worker::OpenWindow(int64_t delay_ms) {
  if (delay_ms >= 0 && (base_delay_ms_ < 0 || delay_ms < base_delay_ms_)) base_delay_ms_ = delay_ms;
  if (delay_ms >= 0 && delay_ms > base_delay_ms_ + kTargetDelayMs) {
    const int64_t now = clock_.NowMillis();
    if (now - window_cut_ms_ >= delay_ms) {
      window_cut_ms_ = now;
      window_threshold_ = window_ = std::max(window_ * 0.75, kMinWindow);
    }
    return;
  }
  window_ += window_ < window_threshold_ ? 1.0 : 1.0 / window_;
  window_ = std::min(window_, kMaxWindow);
}

void Worker::CutWindow() {
  const int64_t now = clock_.NowMillis();
  // One cut per loss episode: RFC 3261's T1, SIPp's default retransmission
  // interval.
  if (now - window_cut_ms_ < 500) return;
  window_cut_ms_ = now;
  window_threshold_ = window_ = std::max(window_ / 2, kMinWindow);
}

}  // namespace sipfleet::runtime
