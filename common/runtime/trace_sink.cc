#include "common/runtime/trace_sink.h"

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::runtime {

absl::StatusOr<std::unique_ptr<TraceSink>> TraceSink::Open(const std::string& path) {
  FILE* file = fopen(path.c_str(), "w");
  if (file == nullptr) {
    return absl::InvalidArgumentError(base::Cat("cannot open ", path, ": ", strerror(errno)));
  }
  return std::unique_ptr<TraceSink>(new TraceSink(file));
}

TraceSink::~TraceSink() { fclose(file_); }

void TraceSink::Write(std::string_view text) {
  std::lock_guard<std::mutex> lock(mutex_);
  fwrite(text.data(), 1, text.size(), file_);
  fflush(file_);
}

}  // namespace sipfleet::runtime
