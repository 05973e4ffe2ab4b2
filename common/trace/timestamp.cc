#include "common/trace/timestamp.h"

#include <cstdio>
#include <ctime>

namespace sipfleet::trace {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void AppendMicros(int64_t wall_us, std::string* out) {
  char buffer[8];
  int n = std::snprintf(buffer, sizeof(buffer), ".%06d",
                        static_cast<int>(wall_us - FloorDiv(wall_us, 1000000) * 1000000));
  out->append(buffer, static_cast<size_t>(n));
}

}  // namespace

void TimestampFormatter::Refresh(int64_t seconds) {
  if (seconds == cached_second_) return;
  cached_second_ = seconds;
  const time_t t = static_cast<time_t>(seconds);
  struct tm parts {};
  if (style_ == TimeStyle::kRfc3339) {
    gmtime_r(&t, &parts);
  } else {
    localtime_r(&t, &parts);
  }
  std::snprintf(date_, sizeof(date_), "%04d-%02d-%02d", (parts.tm_year + 1900) % 10000,
                (parts.tm_mon + 1) % 100, parts.tm_mday % 100);
  std::snprintf(time_, sizeof(time_), "%02d:%02d:%02d", parts.tm_hour % 100, parts.tm_min % 100,
                parts.tm_sec % 100);
}

void TimestampFormatter::AppendRfc3339(int64_t wall_us, std::string* out) {
  Refresh(FloorDiv(wall_us, 1000000));
  out->append(date_, 10);
  out->push_back('T');
  out->append(time_, 8);
  AppendMicros(wall_us, out);
  out->push_back('Z');
}

void TimestampFormatter::AppendSpaced(int64_t wall_us, std::string* out) {
  if (style_ == TimeStyle::kRfc3339) return AppendRfc3339(wall_us, out);
  Refresh(FloorDiv(wall_us, 1000000));
  out->append(date_, 10);
  out->push_back(' ');
  out->append(time_, 8);
  AppendMicros(wall_us, out);
}

void TimestampFormatter::AppendTabbed(int64_t wall_us, std::string* out) {
  if (style_ == TimeStyle::kRfc3339) return AppendRfc3339(wall_us, out);
  const int64_t seconds = FloorDiv(wall_us, 1000000);
  Refresh(seconds);
  out->append(date_, 10);
  out->push_back('\t');
  out->append(time_, 8);
  AppendMicros(wall_us, out);
  out->push_back('\t');
  char buffer[24];
  int n = std::snprintf(buffer, sizeof(buffer), "%lld", static_cast<long long>(seconds));
  out->append(buffer, static_cast<size_t>(n));
  AppendMicros(wall_us, out);
}

void AppendElapsed(int64_t elapsed_us, std::string* out) {
  const int64_t ms = elapsed_us < 0 ? 0 : elapsed_us / 1000;
  char buffer[40];
  int n = std::snprintf(buffer, sizeof(buffer), "%02lld:%02lld:%02lld:%06lld",
                        static_cast<long long>(ms / 3600000),
                        static_cast<long long>(ms / 60000 % 60),
                        static_cast<long long>(ms / 1000 % 60),
                        static_cast<long long>(ms % 1000 * 1000));
  out->append(buffer, static_cast<size_t>(n));
}

}  // namespace sipfleet::trace
