#ifndef SIPFLEET_COMMON_TRACE_TRACE_BUFFER_H_
#define SIPFLEET_COMMON_TRACE_TRACE_BUFFER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace sipfleet::trace {

// One worker's pending entries for one trace file. The worker appends; the
// flusher takes everything at once by swapping strings, so the lock is held
// for a format on one side and a swap on the other and is never waited on
// for I/O. Memory is bounded: once `cap_bytes` are pending, entries are
// dropped (and counted) until the flusher takes them.
class TraceBuffer {
 public:
  explicit TraceBuffer(size_t cap_bytes) : cap_bytes_(cap_bytes) {}

  // Appends one entry written by `build(std::string*)`, which must only
  // append. Returns false, without calling `build`, when the buffer is full.
  template <typename Build>
  bool Append(Build&& build) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (data_.size() >= cap_bytes_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    build(&data_);
    ends_.push_back(static_cast<uint32_t>(data_.size()));
    return true;
  }

  // Moves the pending entries into `*data` / `*ends` (their previous
  // contents are discarded and their capacity reused by the buffer).
  void Take(std::string* data, std::vector<uint32_t>* ends) {
    data->clear();
    ends->clear();
    std::lock_guard<std::mutex> lock(mutex_);
    data_.swap(*data);
    ends_.swap(*ends);
  }

  // Entries dropped because the buffer was full.
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  const size_t cap_bytes_;
  std::mutex mutex_;
  std::string data_;          // guarded by mutex_
  std::vector<uint32_t> ends_;  // entry end offsets in data_; guarded by mutex_
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace sipfleet::trace

#endif  // SIPFLEET_COMMON_TRACE_TRACE_BUFFER_H_
