#ifndef SIPFLEET_COMMON_BASE_TIME_VALUE_H_
#define SIPFLEET_COMMON_BASE_TIME_VALUE_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace sipfleet::base {

enum class TimeUnit { kMilliseconds, kSeconds };

// Parses a SIPp time value ("500", "500ms", "2s", "3m", "1h") into
// milliseconds. A bare number is in `default_unit`, as SIPp's get_time().
// "mm:ss" forms are refused, as SIPp refuses them.
absl::StatusOr<int64_t> ParseTimeValueMs(std::string_view text, TimeUnit default_unit);

}  // namespace sipfleet::base

#endif  // SIPFLEET_COMMON_BASE_TIME_VALUE_H_
