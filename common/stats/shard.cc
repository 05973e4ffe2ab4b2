#include "common/stats/shard.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace sipfleet::stats {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

// Single-writer increment: a relaxed load and store, no locked RMW.
inline void Bump(std::atomic<uint64_t>& cell, uint64_t n) {
  cell.store(cell.load(kRelaxed) + n, kRelaxed);
}

std::unique_ptr<std::atomic<uint64_t>[]> MakeCells(size_t n) {
  auto cells = std::make_unique<std::atomic<uint64_t>[]>(n);
  for (size_t i = 0; i < n; ++i) cells[i].store(0, kRelaxed);
  return cells;
}

uint64_t SaturatingSub(uint64_t a, uint64_t b) {
  return a >= b ? a - b : 0;
}

// Adds `from` into `*into`, growing `*into` as needed.
void AddInto(std::vector<uint64_t>* into, const std::vector<uint64_t>& from) {
  if (into->size() < from.size()) into->resize(from.size(), 0);
  for (size_t i = 0; i < from.size(); ++i) (*into)[i] += from[i];
}

template <typename T>
const T* At(const std::vector<T>& v, size_t i) {
  return i < v.size() ? &v[i] : nullptr;
}

std::vector<uint64_t> SubVector(const std::vector<uint64_t>& now,
                                const std::vector<uint64_t>* before) {
  std::vector<uint64_t> out(now.size());
  for (size_t i = 0; i < now.size(); ++i) {
    const uint64_t old = before != nullptr && i < before->size() ? (*before)[i] : 0;
    out[i] = SaturatingSub(now[i], old);
  }
  return out;
}

}  // namespace

size_t RepartitionBucket(absl::Span<const int> boundaries, uint64_t millis) {
  for (size_t i = 0; i < boundaries.size(); ++i) {
    if (boundaries[i] > 0 && millis < static_cast<uint64_t>(boundaries[i])) return i;
  }
  return boundaries.size();
}

const Histogram& Snapshot::ResponseTime(size_t rtd) const {
  static const Histogram kEmpty;  // immutable: shared by every snapshot
  return rtd < response_times.size() ? response_times[rtd] : kEmpty;
}

uint64_t Snapshot::Get(size_t message_index, MessageCounter which) const {
  const size_t w = static_cast<size_t>(which);
  if (message_index >= messages.size() || w >= kNumMessageCounters) return 0;
  return messages[message_index][w];
}

uint64_t Snapshot::TotalCallsCreated() const {
  return Get(Counter::kIncomingCall) + Get(Counter::kOutgoingCall);
}

uint64_t Snapshot::CurrentCalls() const {
  return SaturatingSub(TotalCallsCreated(), Get(Counter::kCallsEnded));
}

Snapshot EmptySnapshot(const ShardLayout& layout) {
  Snapshot s;
  const size_t rtds = layout.rtd_names.size();
  const size_t rt_buckets = layout.response_time_repartition_ms.empty()
                                ? 0
                                : layout.response_time_repartition_ms.size() + 1;
  const size_t cl_buckets =
      layout.call_length_repartition_ms.empty() ? 0 : layout.call_length_repartition_ms.size() + 1;
  s.response_times.resize(rtds);
  s.response_time_repartition.assign(rtds, std::vector<uint64_t>(rt_buckets, 0));
  s.call_length_repartition.assign(cl_buckets, 0);
  s.user_counters.assign(layout.user_counter_names.size(), 0);
  s.messages.assign(layout.message_count, {});
  return s;
}

void Merge(Snapshot* into, const Snapshot& from) {
  for (size_t i = 0; i < kNumCounters; ++i) into->counters[i] += from.counters[i];
  if (into->response_times.size() < from.response_times.size()) {
    into->response_times.resize(from.response_times.size());
  }
  for (size_t i = 0; i < from.response_times.size(); ++i) {
    into->response_times[i].Merge(from.response_times[i]);
  }
  if (into->response_time_repartition.size() < from.response_time_repartition.size()) {
    into->response_time_repartition.resize(from.response_time_repartition.size());
  }
  for (size_t i = 0; i < from.response_time_repartition.size(); ++i) {
    AddInto(&into->response_time_repartition[i], from.response_time_repartition[i]);
  }
  into->call_length.Merge(from.call_length);
  AddInto(&into->call_length_repartition, from.call_length_repartition);
  AddInto(&into->user_counters, from.user_counters);
  if (into->messages.size() < from.messages.size()) into->messages.resize(from.messages.size());
  for (size_t i = 0; i < from.messages.size(); ++i) {
    for (size_t w = 0; w < kNumMessageCounters; ++w) into->messages[i][w] += from.messages[i][w];
  }
}

Snapshot Delta(const Snapshot& now, const Snapshot& before) {
  Snapshot d;
  for (size_t i = 0; i < kNumCounters; ++i) {
    d.counters[i] = SaturatingSub(now.counters[i], before.counters[i]);
  }
  d.response_times = now.response_times;
  for (size_t i = 0; i < d.response_times.size(); ++i) {
    if (const Histogram* old = At(before.response_times, i)) d.response_times[i].Subtract(*old);
  }
  d.response_time_repartition.reserve(now.response_time_repartition.size());
  for (size_t i = 0; i < now.response_time_repartition.size(); ++i) {
    d.response_time_repartition.push_back(
        SubVector(now.response_time_repartition[i], At(before.response_time_repartition, i)));
  }
  d.call_length = now.call_length;
  d.call_length.Subtract(before.call_length);
  d.call_length_repartition =
      SubVector(now.call_length_repartition, &before.call_length_repartition);
  d.user_counters = SubVector(now.user_counters, &before.user_counters);
  d.messages.resize(now.messages.size());
  for (size_t i = 0; i < now.messages.size(); ++i) {
    const auto* old = At(before.messages, i);
    for (size_t w = 0; w < kNumMessageCounters; ++w) {
      d.messages[i][w] = SaturatingSub(now.messages[i][w], old != nullptr ? (*old)[w] : 0);
    }
  }
  return d;
}

Shard::Shard(ShardLayout layout) : layout_(std::move(layout)) {
  std::sort(layout_.response_time_repartition_ms.begin(),
            layout_.response_time_repartition_ms.end());
  std::sort(layout_.call_length_repartition_ms.begin(), layout_.call_length_repartition_ms.end());
  for (std::atomic<uint64_t>& c : counters_) c.store(0, kRelaxed);
  const size_t rtds = layout_.rtd_names.size();
  response_times_.reserve(rtds);
  for (size_t i = 0; i < rtds; ++i) {
    response_times_.push_back(std::make_unique<AtomicHistogram>());
  }
  response_time_buckets_ = layout_.response_time_repartition_ms.empty()
                               ? 0
                               : layout_.response_time_repartition_ms.size() + 1;
  response_time_repartition_ = MakeCells(rtds * response_time_buckets_);
  call_length_ = std::make_unique<AtomicHistogram>();
  call_length_buckets_ = layout_.call_length_repartition_ms.empty()
                             ? 0
                             : layout_.call_length_repartition_ms.size() + 1;
  call_length_repartition_ = MakeCells(call_length_buckets_);
  user_counters_ = MakeCells(layout_.user_counter_names.size());
  messages_ = MakeCells(layout_.message_count * kNumMessageCounters);
}

void Shard::Increment(Counter counter, uint64_t n) {
  const size_t i = static_cast<size_t>(counter);
  assert(i < kNumCounters);
  if (i < kNumCounters) Bump(counters_[i], n);
}

void Shard::RecordResponseTime(size_t rtd_index, uint64_t micros) {
  assert(rtd_index < response_times_.size());
  if (rtd_index >= response_times_.size()) return;
  response_times_[rtd_index]->Record(micros);
  if (response_time_buckets_ != 0) {
    const size_t bucket = RepartitionBucket(layout_.response_time_repartition_ms, micros / 1000);
    Bump(response_time_repartition_[rtd_index * response_time_buckets_ + bucket], 1);
  }
}

void Shard::RecordCallLength(uint64_t micros) {
  call_length_->Record(micros);
  if (call_length_buckets_ != 0) {
    Bump(call_length_repartition_[RepartitionBucket(layout_.call_length_repartition_ms,
                                                    micros / 1000)],
         1);
  }
}

void Shard::IncrementUserCounter(size_t index, uint64_t n) {
  assert(index < layout_.user_counter_names.size());
  if (index < layout_.user_counter_names.size()) Bump(user_counters_[index], n);
}

void Shard::IncrementMessage(size_t message_index, MessageCounter which, uint64_t n) {
  const size_t w = static_cast<size_t>(which);
  assert(message_index < layout_.message_count && w < kNumMessageCounters);
  if (message_index < layout_.message_count && w < kNumMessageCounters) {
    Bump(messages_[message_index * kNumMessageCounters + w], n);
  }
}

Snapshot Shard::TakeSnapshot() const {
  Snapshot s = EmptySnapshot(layout_);
  for (size_t i = 0; i < kNumCounters; ++i) s.counters[i] = counters_[i].load(kRelaxed);
  for (size_t r = 0; r < response_times_.size(); ++r) {
    response_times_[r]->SnapshotInto(&s.response_times[r]);
    for (size_t b = 0; b < response_time_buckets_; ++b) {
      s.response_time_repartition[r][b] =
          response_time_repartition_[r * response_time_buckets_ + b].load(kRelaxed);
    }
  }
  call_length_->SnapshotInto(&s.call_length);
  for (size_t b = 0; b < call_length_buckets_; ++b) {
    s.call_length_repartition[b] = call_length_repartition_[b].load(kRelaxed);
  }
  for (size_t i = 0; i < s.user_counters.size(); ++i) {
    s.user_counters[i] = user_counters_[i].load(kRelaxed);
  }
  for (size_t m = 0; m < s.messages.size(); ++m) {
    for (size_t w = 0; w < kNumMessageCounters; ++w) {
      s.messages[m][w] = messages_[m * kNumMessageCounters + w].load(kRelaxed);
    }
  }
  return s;
}

}  // namespace sipfleet::stats
