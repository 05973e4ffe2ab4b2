#ifndef SIPFLEET_COMMON_TRACE_TRACE_SET_H_
#define SIPFLEET_COMMON_TRACE_TRACE_SET_H_

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/clock.h"
#include "common/scenario/scenario.h"
#include "common/stats/shard.h"
#include "common/trace/layout.h"
#include "common/trace/timestamp.h"
#include "common/trace/trace_buffer.h"
#include "common/trace/trace_file.h"

namespace sipfleet::trace {

// The trace files a run can write (SIPP_NOTES §2.3 "Tracing", §8.2).
enum class TraceKind : uint8_t {
  kMessages,       // -trace_msg        <stem>_<pid>_messages.log
  kShortMessages,  // -trace_shortmsg   <stem>_<pid>_shortmessages.log
  kErrors,         // -trace_err        <stem>_<pid>_errors.log
  kErrorCodes,     // -trace_error_codes <stem>_<pid>_error_codes.csv
  kCallDebug,      // -trace_calldebug  <stem>_<pid>_calldebug.log
  kLogs,           // -trace_logs       <stem>_<pid>_logs.log
  kRtt,            // -trace_rtt        <stem>_<pid>_rtt.csv
  kCounts,         // -trace_counts     <stem>_<pid>_counts.csv
  kCount,
};
inline constexpr size_t kNumTraceKinds = static_cast<size_t>(TraceKind::kCount);

// SIPp's default file name suffix of `kind` ("_messages.log", ...).
std::string_view DefaultSuffix(TraceKind kind);

// What to trace. Defaults are SIPp's.
struct TraceConfig {
  struct File {
    bool enabled = false;
    std::string path;        // "" = "<stem>_<pid><suffix>" in the current directory
    bool overwrite = true;   // -*_overwrite
  };
  std::array<File, kNumTraceKinds> files;
  File& operator[](TraceKind kind) { return files[static_cast<size_t>(kind)]; }
  const File& operator[](TraceKind kind) const { return files[static_cast<size_t>(kind)]; }

  int ringbuffer_files = 0;     // -ringbuffer_files
  int64_t ringbuffer_size = 0;  // -ringbuffer_size (bytes); 0 = none
  int64_t max_log_size = 0;     // -max_log_size (bytes); 0 = none
  bool rfc3339 = false;         // -rfc3339
  // Pending bytes per worker and file before entries are dropped.
  size_t worker_buffer_bytes = size_t{4} << 20;
  // Bytes of one call's -trace_calldebug history before events are dropped.
  size_t call_history_bytes = size_t{64} << 10;
  // How often the flusher writes the workers' buffers out.
  int64_t flush_interval_ms = 25;
  // -fd: the period of the counts and error codes rows.
  int64_t stat_period_ms = 60000;
};

class TraceSet;

// A worker's side of the traces: its buffers and timestamp cache. Used only
// by its worker's thread; never blocks on I/O. Methods returning bool return
// false when an entry was dropped (buffer full), for the worker's
// kTraceDrops counter.
class WorkerTrace {
 public:
  // Whether `kind` is being traced now (SetEnabled may change it any time).
  bool on(TraceKind kind) const;
  // messages.log and shortmessages.log, each if on.
  bool Message(int64_t wall_us, std::string_view transport, Direction direction,
               std::string_view message);
  bool Error(int64_t wall_us, std::string_view text);
  // messages.log's extra entry for an unexpected message, if on.
  bool UnexpectedMessage(std::string_view transport, std::string_view message);
  // An unexpected response's status code for error_codes.csv.
  bool ErrorCode(int code);
  // A <log> action line (a newline is added).
  bool Log(std::string_view text);
  // Ready -trace_rtt rows.
  bool Rtt(std::string_view rows);

  // -trace_calldebug: appends an event to a call's history, starting it
  // (header and "Starting call" at `start_wall_us`) when `*history` is null.
  // Past TraceConfig::call_history_bytes the event is dropped.
  bool CallEvent(std::unique_ptr<std::string>* history, std::string_view call_id,
                 int64_t start_wall_us, int64_t wall_us, std::string_view text);
  // Ends a call's history: written to calldebug.log if the call failed,
  // discarded otherwise. `*history` is null afterwards.
  bool EndCall(std::unique_ptr<std::string>* history, bool failed);

 private:
  friend class TraceSet;
  explicit WorkerTrace(TraceSet* set);
  TraceBuffer* buffer(TraceKind kind) const { return buffers_[static_cast<size_t>(kind)].get(); }

  TraceSet* set_;
  TimestampFormatter stamps_;
  std::array<std::unique_ptr<TraceBuffer>, kNumTraceKinds> buffers_;
};

// The trace files of one run, opened from the options, scenario and pid.
// Workers fill their WorkerTrace buffers; one background thread writes them
// out every flush_interval_ms and at Close(). Per-period files (counts and
// error codes) are written by the controlling thread through OnStatPeriod()
// and Close(). All methods are thread-safe unless stated.
class TraceSet {
 public:
  static absl::StatusOr<std::unique_ptr<TraceSet>> Open(const TraceConfig& config,
                                                        const scenario::Scenario& scenario,
                                                        int pid, const base::Clock& clock);
  // Writes what is buffered; without Close() no final rows are written.
  ~TraceSet();

  bool enabled(TraceKind kind) const {
    return enabled_[static_cast<size_t>(kind)].load(std::memory_order_relaxed);
  }
  // Runtime toggle (control commands "trace messages on" ...). Turning on a
  // trace that was off at start creates its file at the first entry; kinds
  // without a file (counts, error codes, rtt off at start) stay off.
  void SetEnabled(TraceKind kind, bool on);

  // The buffers of worker `index`; stable for the TraceSet's lifetime.
  WorkerTrace* ForWorker(int index);

  // Controlling thread: true once per -fd period (from Open()) when counts
  // or error codes are traced; the caller then calls OnStatPeriod().
  bool PeriodDue(int64_t wall_us);
  // Controlling thread: one -trace_counts row and one error codes row.
  void OnStatPeriod(const stats::Snapshot& cumulative, int64_t wall_us);
  // Controlling thread, once workers stopped: stops the flusher, writes all
  // buffered entries and the final rows, closes the files. Idempotent.
  void Close(const stats::Snapshot& final_snapshot);

  // Writes everything buffered now (the flusher does it periodically).
  void FlushNow();
  // Entries dropped by full buffers, all workers.
  uint64_t dropped() const;
  // The first write error, if any.
  absl::Status status() const;
  // The path of `kind`'s file ("" if it has none).
  std::string path(TraceKind kind) const;
  const TraceConfig& config() const { return config_; }

 private:
  friend class WorkerTrace;
  TraceSet(const TraceConfig& config, const scenario::Scenario& scenario, const base::Clock& clock);
  absl::Status OpenFiles(const scenario::Scenario& scenario, int pid);
  void FlusherLoop();
  void StopFlusher();
  void WritePeriodRows(const stats::Snapshot& cumulative, int64_t wall_us, bool take_codes);
  void Note(const absl::Status& status);
  std::vector<WorkerTrace*> Workers() const;

  const TraceConfig config_;
  const base::Clock& clock_;
  const int64_t start_wall_us_;
  CountsTable counts_table_;
  std::array<std::atomic<bool>, kNumTraceKinds> enabled_{};
  std::array<std::unique_ptr<TraceFile>, kNumTraceKinds> files_;

  mutable std::mutex workers_mutex_;
  std::vector<std::unique_ptr<WorkerTrace>> workers_;  // guarded by workers_mutex_

  std::mutex flush_mutex_;  // serialises writers of files_ (flusher, FlushNow, Close)
  std::string scratch_;     // guarded by flush_mutex_
  std::vector<uint32_t> scratch_ends_;
  TimestampFormatter period_stamps_;  // controlling thread
  int64_t next_period_wall_us_;       // controlling thread
  bool closed_ = false;               // guarded by flush_mutex_

  mutable std::mutex status_mutex_;
  absl::Status status_;  // guarded by status_mutex_
  std::atomic<uint64_t> history_drops_{0};

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stop_ = false;  // guarded by stop_mutex_
  std::thread flusher_;
};

}  // namespace sipfleet::trace

#endif  // SIPFLEET_COMMON_TRACE_TRACE_SET_H_
