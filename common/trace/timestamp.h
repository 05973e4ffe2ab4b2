#ifndef SIPFLEET_COMMON_TRACE_TIMESTAMP_H_
#define SIPFLEET_COMMON_TRACE_TIMESTAMP_H_

#include <cstdint>
#include <limits>
#include <string>

namespace sipfleet::trace {

// How trace timestamps are written: SIPp 3.6.1's local-time forms, or a
// single RFC 3339 token in UTC ("2026-11-21T06:59:03.101789Z", -rfc3339).
enum class TimeStyle : uint8_t { kSipp, kRfc3339 };

// Formats wall-clock timestamps (µs since the Unix epoch) for trace entries.
// The broken-down time of the last second seen is cached, so entries within
// one second cost a few appends. Not thread-safe: one formatter per thread.
class TimestampFormatter {
 public:
  explicit TimestampFormatter(TimeStyle style = TimeStyle::kSipp) : style_(style) {}

  // messages.log separators: "2026-11-21 06:59:03.101789".
  void AppendSpaced(int64_t wall_us, std::string* out);
  // shortmessages, errors, calldebug, counts and error codes:
  // "2026-11-21<TAB>06:59:03.101789<TAB>1795244343.101789".
  void AppendTabbed(int64_t wall_us, std::string* out);

  TimeStyle style() const { return style_; }

 private:
  void Refresh(int64_t seconds);
  void AppendRfc3339(int64_t wall_us, std::string* out);

  TimeStyle style_;
  int64_t cached_second_ = std::numeric_limits<int64_t>::min();
  char date_[11] = {};  // "YYYY-MM-DD"
  char time_[9] = {};   // "HH:MM:SS"
};

// SIPp's ElapsedTime cell, "HH:MM:SS:uuuuuu", from a duration in µs. SIPp
// keeps milliseconds, so the last three digits are always 000.
void AppendElapsed(int64_t elapsed_us, std::string* out);

}  // namespace sipfleet::trace

#endif  // SIPFLEET_COMMON_TRACE_TIMESTAMP_H_
