#include "common/trace/trace_set.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "common/base/strings.h"
#include "common/base/thread_name.h"

namespace sipfleet::trace {
namespace {

constexpr size_t Index(TraceKind kind) { return static_cast<size_t>(kind); }

// Kinds whose entries workers buffer and the flusher writes.
constexpr TraceKind kFlushedKinds[] = {TraceKind::kMessages,  TraceKind::kShortMessages,
                                       TraceKind::kErrors,    TraceKind::kCallDebug,
                                       TraceKind::kLogs,      TraceKind::kRtt};

// Kinds the control commands may turn on although off at start.
bool Toggleable(TraceKind kind) {
  return kind == TraceKind::kMessages || kind == TraceKind::kShortMessages ||
         kind == TraceKind::kErrors || kind == TraceKind::kLogs || kind == TraceKind::kCallDebug;
}

// SIPp rotates (or truncates) these past -ringbuffer_size / -max_log_size.
bool Rotates(TraceKind kind) { return Toggleable(kind); }

}  // namespace

std::string_view DefaultSuffix(TraceKind kind) {
  switch (kind) {
    case TraceKind::kMessages:
      return "_messages.log";
    case TraceKind::kShortMessages:
      return "_shortmessages.log";
    case TraceKind::kErrors:
      return "_errors.log";
    case TraceKind::kErrorCodes:
      return "_error_codes.csv";
    case TraceKind::kCallDebug:
      return "_calldebug.log";
    case TraceKind::kLogs:
      return "_logs.log";
    case TraceKind::kRtt:
      return "_rtt.csv";
    case TraceKind::kCounts:
      return "_counts.csv";
    case TraceKind::kCount:
      break;
  }
  return "";
}

// ---------------------------------------------------------------- WorkerTrace

WorkerTrace::WorkerTrace(TraceSet* set)
    : set_(set), stamps_(set->config_.rfc3339 ? TimeStyle::kRfc3339 : TimeStyle::kSipp) {
  for (size_t i = 0; i < kNumTraceKinds; ++i) {
    if (set->files_[i] != nullptr && static_cast<TraceKind>(i) != TraceKind::kCounts) {
      buffers_[i] = std::make_unique<TraceBuffer>(set->config_.worker_buffer_bytes);
    }
  }
}

bool WorkerTrace::on(TraceKind kind) const { return set_->enabled(kind); }

bool WorkerTrace::Message(int64_t wall_us, std::string_view transport, Direction direction,
                          std::string_view message) {
  bool ok = true;
  if (on(TraceKind::kMessages)) {
    ok &= buffer(TraceKind::kMessages)->Append([&](std::string* out) {
      AppendMessageEntry(stamps_, wall_us, transport, direction, message, out);
    });
  }
  if (on(TraceKind::kShortMessages)) {
    ok &= buffer(TraceKind::kShortMessages)->Append([&](std::string* out) {
      AppendShortMessage(stamps_, wall_us, direction, message, out);
    });
  }
  return ok;
}

bool WorkerTrace::Error(int64_t wall_us, std::string_view text) {
  if (!on(TraceKind::kErrors)) return true;
  return buffer(TraceKind::kErrors)->Append([&](std::string* out) {
    AppendErrorEntry(stamps_, wall_us, text, out);
  });
}

bool WorkerTrace::UnexpectedMessage(std::string_view transport, std::string_view message) {
  if (!on(TraceKind::kMessages)) return true;
  return buffer(TraceKind::kMessages)->Append([&](std::string* out) {
    AppendUnexpectedMessageEntry(transport, message, out);
  });
}

bool WorkerTrace::ErrorCode(int code) {
  if (!on(TraceKind::kErrorCodes)) return true;
  return buffer(TraceKind::kErrorCodes)->Append([&](std::string* out) {
    base::Append(out, code, ',');
  });
}

bool WorkerTrace::Log(std::string_view text) {
  if (!on(TraceKind::kLogs)) return true;
  return buffer(TraceKind::kLogs)->Append([&](std::string* out) { base::Append(out, text, '\n'); });
}

bool WorkerTrace::Rtt(std::string_view rows) {
  if (!on(TraceKind::kRtt)) return true;
  return buffer(TraceKind::kRtt)->Append([&](std::string* out) { out->append(rows); });
}

bool WorkerTrace::CallEvent(std::unique_ptr<std::string>* history, std::string_view call_id,
                            int64_t start_wall_us, int64_t wall_us, std::string_view text) {
  if (*history == nullptr) {
    *history = std::make_unique<std::string>();
    AppendCallDebugHeader(call_id, history->get());
    AppendCallDebugEvent(stamps_, start_wall_us, CallStartText(call_id), history->get());
  }
  if ((*history)->size() >= set_->config_.call_history_bytes) {
    set_->history_drops_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  AppendCallDebugEvent(stamps_, wall_us, text, history->get());
  return true;
}

bool WorkerTrace::EndCall(std::unique_ptr<std::string>* history, bool failed) {
  bool ok = true;
  if (*history != nullptr && failed && on(TraceKind::kCallDebug)) {
    const std::string& block = **history;
    ok = buffer(TraceKind::kCallDebug)->Append([&](std::string* out) { out->append(block); });
  }
  history->reset();
  return ok;
}

// ------------------------------------------------------------------ TraceSet

TraceSet::TraceSet(const TraceConfig& config, const scenario::Scenario& scenario,
                   const base::Clock& clock)
    : config_(config),
      clock_(clock),
      start_wall_us_(clock.WallMicros()),
      counts_table_(scenario),
      next_period_wall_us_(start_wall_us_ + std::max<int64_t>(config.stat_period_ms, 1) * 1000),
      period_stamps_(config.rfc3339 ? TimeStyle::kRfc3339 : TimeStyle::kSipp) {}

absl::StatusOr<std::unique_ptr<TraceSet>> TraceSet::Open(const TraceConfig& config,
                                                         const scenario::Scenario& scenario,
                                                         int pid, const base::Clock& clock) {
  std::unique_ptr<TraceSet> set(new TraceSet(config, scenario, clock));
  if (absl::Status status = set->OpenFiles(scenario, pid); !status.ok()) return status;
  set->flusher_ = std::thread([raw = set.get()] {
    base::SetThreadName("sf-trace");
    raw->FlusherLoop();
  });
  return set;
}

absl::Status TraceSet::OpenFiles(const scenario::Scenario& scenario, int pid) {
  const int64_t limit =
      config_.ringbuffer_size > 0 ? config_.ringbuffer_size : config_.max_log_size;
  for (size_t i = 0; i < kNumTraceKinds; ++i) {
    const TraceKind kind = static_cast<TraceKind>(i);
    const TraceConfig::File& wanted = config_.files[i];
    if (!wanted.enabled && !Toggleable(kind)) continue;
    FileOptions options;
    options.path = !wanted.path.empty() ? wanted.path
                                        : base::Cat(scenario.stem, "_", pid, DefaultSuffix(kind));
    options.overwrite = wanted.overwrite;
    // Traces off at start get their file only if turned on later.
    options.lazy = !wanted.enabled || kind == TraceKind::kErrors;
    if (kind == TraceKind::kErrors) options.header = std::string(kErrorsHeader);
    if (Rotates(kind)) {
      options.max_bytes = limit;
      options.ring_files = config_.ringbuffer_files;
    }
    absl::StatusOr<std::unique_ptr<TraceFile>> file = TraceFile::Open(
        std::move(options), [this] { return clock_.WallMicros() / 1000000; });
    if (!file.ok()) return file.status();
    files_[i] = *std::move(file);
    enabled_[i].store(wanted.enabled, std::memory_order_relaxed);
  }
  if (files_[Index(TraceKind::kRtt)] != nullptr) {
    Note(files_[Index(TraceKind::kRtt)]->Write("Date_ms;response_time_ms;rtd_no\n"));
  }
  if (files_[Index(TraceKind::kCounts)] != nullptr) {
    Note(files_[Index(TraceKind::kCounts)]->Write(counts_table_.Header()));
  }
  // SIPp writes a first (all zero) row at the start.
  WritePeriodRows(stats::Snapshot{}, start_wall_us_, /*take_codes=*/false);
  return status();
}

TraceSet::~TraceSet() {
  StopFlusher();
  FlushNow();
}

void TraceSet::StopFlusher() {
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

void TraceSet::SetEnabled(TraceKind kind, bool on) {
  if (kind >= TraceKind::kCount || files_[Index(kind)] == nullptr) return;
  std::lock_guard<std::mutex> lock(flush_mutex_);
  if (closed_) return;
  enabled_[Index(kind)].store(on, std::memory_order_relaxed);
}

WorkerTrace* TraceSet::ForWorker(int index) {
  std::lock_guard<std::mutex> lock(workers_mutex_);
  if (index < 0) return nullptr;
  if (static_cast<size_t>(index) >= workers_.size()) workers_.resize(index + 1);
  if (workers_[index] == nullptr) workers_[index].reset(new WorkerTrace(this));
  return workers_[index].get();
}

std::vector<WorkerTrace*> TraceSet::Workers() const {
  std::lock_guard<std::mutex> lock(workers_mutex_);
  std::vector<WorkerTrace*> out;
  for (const auto& worker : workers_) {
    if (worker != nullptr) out.push_back(worker.get());
  }
  return out;
}

void TraceSet::Note(const absl::Status& status) {
  if (status.ok()) return;
  std::lock_guard<std::mutex> lock(status_mutex_);
  if (status_.ok()) status_ = status;
}

absl::Status TraceSet::status() const {
  std::lock_guard<std::mutex> lock(status_mutex_);
  return status_;
}

std::string TraceSet::path(TraceKind kind) const {
  if (kind >= TraceKind::kCount || files_[Index(kind)] == nullptr) return "";
  return files_[Index(kind)]->path();
}

uint64_t TraceSet::dropped() const {
  uint64_t total = history_drops_.load(std::memory_order_relaxed);
  for (WorkerTrace* worker : Workers()) {
    for (const auto& buffer : worker->buffers_) {
      if (buffer != nullptr) total += buffer->dropped();
    }
  }
  return total;
}

void TraceSet::FlushNow() {
  std::lock_guard<std::mutex> lock(flush_mutex_);
  if (closed_) return;
  const std::vector<WorkerTrace*> workers = Workers();
  for (TraceKind kind : kFlushedKinds) {
    TraceFile* file = files_[Index(kind)].get();
    if (file == nullptr) continue;
    for (WorkerTrace* worker : workers) {
      worker->buffer(kind)->Take(&scratch_, &scratch_ends_);
      Note(file->Write(scratch_, scratch_ends_));
    }
    file->Flush();
  }
}

void TraceSet::FlusherLoop() {
  std::unique_lock<std::mutex> lock(stop_mutex_);
  while (!stop_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(config_.flush_interval_ms));
    lock.unlock();
    FlushNow();
    lock.lock();
  }
}

void TraceSet::WritePeriodRows(const stats::Snapshot& cumulative, int64_t wall_us,
                               bool take_codes) {
  const int64_t elapsed_us = wall_us - start_wall_us_;
  if (TraceFile* counts = files_[Index(TraceKind::kCounts)].get(); counts != nullptr) {
    std::string row;
    counts_table_.AppendRow(period_stamps_, wall_us, elapsed_us, cumulative, &row);
    Note(counts->Write(row));
    counts->Flush();
  }
  if (TraceFile* codes_file = files_[Index(TraceKind::kErrorCodes)].get(); codes_file != nullptr) {
    std::string codes;
    if (take_codes) {
      for (WorkerTrace* worker : Workers()) {
        worker->buffer(TraceKind::kErrorCodes)->Take(&scratch_, &scratch_ends_);
        codes.append(scratch_);
      }
    }
    std::string row;
    AppendErrorCodesRow(period_stamps_, wall_us, elapsed_us, codes, &row);
    Note(codes_file->Write(row));
    codes_file->Flush();
  }
}

bool TraceSet::PeriodDue(int64_t wall_us) {
  if (files_[Index(TraceKind::kCounts)] == nullptr &&
      files_[Index(TraceKind::kErrorCodes)] == nullptr) {
    return false;
  }
  if (wall_us < next_period_wall_us_) return false;
  const int64_t period_us = std::max<int64_t>(config_.stat_period_ms, 1) * 1000;
  while (next_period_wall_us_ <= wall_us) next_period_wall_us_ += period_us;
  return true;
}

void TraceSet::OnStatPeriod(const stats::Snapshot& cumulative, int64_t wall_us) {
  std::lock_guard<std::mutex> lock(flush_mutex_);
  if (closed_) return;
  WritePeriodRows(cumulative, wall_us, /*take_codes=*/true);
}

void TraceSet::Close(const stats::Snapshot& final_snapshot) {
  StopFlusher();
  FlushNow();
  std::lock_guard<std::mutex> lock(flush_mutex_);
  if (closed_) return;
  // As the statistics file: the last period's row, then a final one.
  const int64_t now = clock_.WallMicros();
  WritePeriodRows(final_snapshot, now, /*take_codes=*/true);
  WritePeriodRows(final_snapshot, now, /*take_codes=*/true);
  closed_ = true;
  for (auto& flag : enabled_) flag.store(false, std::memory_order_relaxed);
  for (auto& file : files_) {
    if (file != nullptr) file->Close();
  }
}

}  // namespace sipfleet::trace
