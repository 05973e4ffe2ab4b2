#include "common/trace/trace_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "common/base/strings.h"

namespace sipfleet::trace {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TraceFile>> TraceFile::Open(FileOptions options,
                                                           std::function<int64_t()> wall_seconds) {
  if (!wall_seconds) wall_seconds = [] { return static_cast<int64_t>(time(nullptr)); };
  std::unique_ptr<TraceFile> file(new TraceFile(std::move(options), std::move(wall_seconds)));
  if (!file->options_.lazy) {
    if (absl::Status status = file->OpenFile(file->options_.overwrite); !status.ok()) return status;
  }
  return file;
}

TraceFile::TraceFile(FileOptions options, std::function<int64_t()> wall_seconds)
    : options_(std::move(options)),
      wall_seconds_(std::move(wall_seconds)),
      truncate_next_open_(options_.overwrite) {}

TraceFile::~TraceFile() {
  if (file_ != nullptr) fclose(file_);
}

absl::Status TraceFile::OpenFile(bool truncate) {
  file_ = fopen(options_.path.c_str(), truncate ? "w" : "a");
  truncate_next_open_ = false;
  if (file_ == nullptr) {
    return absl::InvalidArgumentError(
        base::Cat("cannot open ", options_.path, ": ", strerror(errno)));
  }
  struct stat st {};
  bytes_ = fstat(fileno(file_), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
  if (!options_.header.empty()) return WriteRaw(options_.header);
  return absl::OkStatus();
}

absl::Status TraceFile::WriteRaw(std::string_view data) {
  if (data.empty()) return absl::OkStatus();
  if (fwrite(data.data(), 1, data.size(), file_) != data.size()) {
    return absl::DataLossError(base::Cat("cannot write ", options_.path, ": ", strerror(errno)));
  }
  bytes_ += static_cast<int64_t>(data.size());
  return absl::OkStatus();
}

absl::Status TraceFile::Write(std::string_view data, std::span<const uint32_t> ends) {
  if (data.empty()) return absl::OkStatus();
  if (file_ == nullptr) {
    if (absl::Status status = OpenFile(truncate_next_open_); !status.ok()) return status;
  }
  if (options_.max_bytes <= 0) return WriteRaw(data);
  const uint32_t whole[] = {static_cast<uint32_t>(data.size())};
  if (ends.empty()) ends = whole;
  size_t start = 0;
  for (uint32_t end : ends) {
    if (end <= start || end > data.size()) continue;
    absl::Status status = WriteRaw(data.substr(start, end - start));
    if (!status.ok()) return status;
    start = end;
    if (bytes_ >= options_.max_bytes) {
      if (absl::Status status = Rotate(); !status.ok()) return status;
    }
  }
  if (start < data.size()) return WriteRaw(data.substr(start));
  return absl::OkStatus();
}

std::string TraceFile::RotatedName(int64_t second, int sequence) const {
  const std::string& path = options_.path;
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) dot = path.size();
  std::string name = base::Cat(path.substr(0, dot), "_", second);
  if (sequence > 1) base::Append(&name, ".", sequence);
  base::Append(&name, path.substr(dot));
  return name;
}

absl::Status TraceFile::Rotate() {
  fclose(file_);
  file_ = nullptr;
  if (options_.ring_files > 0) {
    const int64_t second = wall_seconds_();
    rotation_sequence_ = second == last_rotation_second_ ? rotation_sequence_ + 1 : 1;
    last_rotation_second_ = second;
    std::string name = RotatedName(second, rotation_sequence_);
    while (Exists(name)) name = RotatedName(second, ++rotation_sequence_);
    if (rename(options_.path.c_str(), name.c_str()) != 0) {
      return absl::DataLossError(
          base::Cat("cannot rotate ", options_.path, " to ", name, ": ", strerror(errno)));
    }
    rotated_.push_back(std::move(name));
    while (static_cast<int>(rotated_.size()) > options_.ring_files) {
      unlink(rotated_.front().c_str());
      rotated_.pop_front();
    }
  }
  return OpenFile(/*truncate=*/true);
}

void TraceFile::Close() {
  if (file_ != nullptr) fclose(file_);
  file_ = nullptr;
}

void TraceFile::Flush() {
  if (file_ != nullptr) fflush(file_);
}

}  // namespace sipfleet::trace
