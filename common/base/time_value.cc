#include "common/base/time_value.h"

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::base {

absl::StatusOr<int64_t> ParseTimeValueMs(std::string_view text, TimeUnit default_unit) {
  if (text.find(':') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        base::Cat("time value '", text, "': hh:mm:ss formats are not implemented"));
  }
  double multiplier = default_unit == TimeUnit::kSeconds ? 1000.0 : 1.0;
  std::string_view number = text;
  auto strip = [&](std::string_view suffix, double factor) {
    if (number.size() > suffix.size() && number.ends_with(suffix)) {
      number.remove_suffix(suffix.size());
      multiplier = factor;
      return true;
    }
    return false;
  };
  strip("ms", 1.0) || strip("s", 1000.0) || strip("m", 60'000.0) || strip("h", 3'600'000.0);
  double value = 0;
  if (!base::ParseDouble(number, &value) || value < 0) {
    return absl::InvalidArgumentError(base::Cat("invalid time value '", text, "'"));
  }
  return static_cast<int64_t>(value * multiplier + 0.5);
}

}  // namespace sipfleet::base
