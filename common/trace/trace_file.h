#ifndef SIPFLEET_COMMON_TRACE_TRACE_FILE_H_
#define SIPFLEET_COMMON_TRACE_TRACE_FILE_H_

#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sipfleet::trace {

// How one trace file is opened and kept within its size limit.
struct FileOptions {
  std::string path;
  // false: append to an existing file (SIPp's -*_overwrite false).
  bool overwrite = true;
  // Past this many bytes the file is rotated (ring_files > 0) or started
  // over (truncated); 0 = no limit. Checked after each entry, so a file
  // ends at an entry boundary and may pass the limit by one entry, as SIPp's.
  int64_t max_bytes = 0;
  // SIPp's -ringbuffer_files: rotated copies kept, oldest deleted first.
  // Rotated names are "<stem>_<epoch s><ext>", then "<stem>_<epoch s>.2<ext>",
  // ".3" ... for further rotations in the same second.
  int ring_files = 0;
  // Written at the top of every new file (errors.log's banner).
  std::string header;
  // Create the file at the first write instead of at Open() (SIPp creates
  // errors.log only when there is an error).
  bool lazy = false;
};

// One trace file on disk. Only its owner's thread (the TraceSet flusher, or
// the controlling thread for per-period files) calls it.
class TraceFile {
 public:
  // `wall_seconds` names rotated files; defaults to time(nullptr).
  static absl::StatusOr<std::unique_ptr<TraceFile>> Open(
      FileOptions options, std::function<int64_t()> wall_seconds = nullptr);
  ~TraceFile();
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;

  // Writes `data`, made of entries ending at the ascending offsets `ends`
  // (the last one == data.size()). Empty `ends` means one entry.
  absl::Status Write(std::string_view data, std::span<const uint32_t> ends = {});
  // Pushes buffered bytes to the kernel.
  void Flush();
  // Closes the file; a later Write() appends to it again.
  void Close();

  const std::string& path() const { return options_.path; }
  // Bytes in the current file.
  int64_t bytes() const { return bytes_; }
  // Rotated files still kept, oldest first.
  const std::deque<std::string>& rotated() const { return rotated_; }

 private:
  TraceFile(FileOptions options, std::function<int64_t()> wall_seconds);
  absl::Status OpenFile(bool truncate);
  absl::Status WriteRaw(std::string_view data);
  absl::Status Rotate();
  std::string RotatedName(int64_t second, int sequence) const;

  FileOptions options_;
  std::function<int64_t()> wall_seconds_;
  FILE* file_ = nullptr;
  int64_t bytes_ = 0;
  bool truncate_next_open_;
  std::deque<std::string> rotated_;
  int64_t last_rotation_second_ = -1;
  int rotation_sequence_ = 0;
};

}  // namespace sipfleet::trace

#endif  // SIPFLEET_COMMON_TRACE_TRACE_FILE_H_
