#include "common/transport/stream_framer.h"

#include <cstdint>

#include "absl/strings/match.h"
#include "common/base/strings.h"

namespace sipfleet::transport {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kHeaderEnd = "\r\n\r\n";
// Longest Content-Length text quoted back in an error message.
constexpr size_t kMaxQuotedValue = 32;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// The header name of `line` (text before the colon, trailing blanks
// dropped: "Content-Length :" is legal, RFC 3261 §7.3.1 / §25.1 HCOLON).
std::string_view HeaderName(std::string_view line, size_t colon) {
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && IsBlank(name.back())) name.remove_suffix(1);
  return name;
}

// True for "Content-Length" and its compact form "l" (RFC 3261 §7.3.3,
// §20.14), case-insensitively.
bool IsContentLength(std::string_view name) {
  return absl::EqualsIgnoreCase(base::ToAbsl(name), "content-length") ||
         absl::EqualsIgnoreCase(base::ToAbsl(name), "l");
}

// Reads the Content-Length value of a header block (`headers` is every
// header line, each ending in CRLF). Sets *length to 0 when there is none.
// Returns false with *error set when a value is not a decimal number that
// fits 64 bits, or two Content-Length headers disagree.
bool FindContentLength(std::string_view headers, uint64_t* length, std::string* error) {
  *length = 0;
  bool seen = false;
  size_t pos = 0;
  while (pos < headers.size()) {
    size_t eol = headers.find(kCrlf, pos);
    if (eol == std::string_view::npos) eol = headers.size();
    std::string_view line = headers.substr(pos, eol - pos);
    pos = eol + kCrlf.size();
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsContentLength(HeaderName(line, colon))) continue;
    std::string value(line.substr(colon + 1));
    // A value may continue on lines starting with whitespace (RFC 3261 §7.3.1).
    while (pos < headers.size() && IsBlank(headers[pos])) {
      eol = headers.find(kCrlf, pos);
      if (eol == std::string_view::npos) eol = headers.size();
      base::Append(&value, ' ', headers.substr(pos, eol - pos));
      pos = eol + kCrlf.size();
    }
    uint64_t parsed = 0;
    if (!base::ParseUint64(value, &parsed)) {
      *error = base::Cat("bad Content-Length '", base::TrimBlanks(value).substr(0, kMaxQuotedValue),
                         "'");
      return false;
    }
    if (seen && parsed != *length) {
      *error = base::Cat("conflicting Content-Length headers (", *length, " and ", parsed, ")");
      return false;
    }
    seen = true;
    *length = parsed;
  }
  return true;
}

}  // namespace

void StreamFramer::Append(std::string_view bytes) {
  // Lazy compaction: consumed bytes are dropped only once they are at least
  // as many as the live ones, so each byte is moved at most a bounded number
  // of times however small the messages are (no O(n^2) on a busy stream).
  if (start_ > 0 && start_ >= buffer_.size() - start_) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  buffer_.append(bytes);
}

StreamFramer::Result StreamFramer::Next(std::string_view* message) {
  if (!error_.empty()) return Result::kError;
  // CRLFs before a start-line are keep-alives (RFC 3261 §7.5, RFC 5626
  // §3.5.1); a lone LF is tolerated as well.
  while (start_ < buffer_.size() && (buffer_[start_] == '\r' || buffer_[start_] == '\n')) {
    ++start_;
  }
  std::string_view pending(buffer_.data() + start_, buffer_.size() - start_);
  size_t header_end = pending.find(kHeaderEnd);
  if (header_end == std::string_view::npos) {
    if (pending.size() <= max_message_bytes_) return Result::kNeedMore;
    error_ = base::Cat("header block exceeds ", max_message_bytes_, " bytes without an empty line");
    return Result::kError;
  }
  // The header lines keep their own CRLF; the empty line is left out.
  uint64_t body_bytes = 0;
  if (!FindContentLength(pending.substr(0, header_end + kCrlf.size()), &body_bytes, &error_)) {
    return Result::kError;
  }
  size_t header_bytes = header_end + kHeaderEnd.size();
  if (body_bytes > max_message_bytes_ || header_bytes > max_message_bytes_ - body_bytes) {
    error_ = base::Cat("message of ", header_bytes, "+", body_bytes, " bytes exceeds the ",
                       max_message_bytes_, "-byte limit");
    return Result::kError;
  }
  size_t total = header_bytes + static_cast<size_t>(body_bytes);
  if (pending.size() < total) return Result::kNeedMore;
  *message = pending.substr(0, total);
  start_ += total;
  return Result::kMessage;
}

}  // namespace sipfleet::transport
