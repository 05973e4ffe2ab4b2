#ifndef SIPFLEET_COMMON_RUNTIME_TRACE_SINK_H_
#define SIPFLEET_COMMON_RUNTIME_TRACE_SINK_H_

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sipfleet::runtime {

// An append-only trace file (-trace_err and friends) that several workers may
// write to. Writes are rare (errors), so a mutex is fine here; high-volume
// traces get per-worker buffers in a later issue.
class TraceSink {
 public:
  static absl::StatusOr<std::unique_ptr<TraceSink>> Open(const std::string& path);
  ~TraceSink();
  void Write(std::string_view text);

 private:
  explicit TraceSink(FILE* file) : file_(file) {}
  std::mutex mutex_;
  FILE* file_;
};

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_TRACE_SINK_H_
