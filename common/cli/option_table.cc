#include "common/cli/option_table.h"

namespace sipfleet::cli {

absl::Status BadValue(std::string_view value, std::string_view why) {
  return absl::InvalidArgumentError(base::Cat("invalid value '", value, "': ", why));
}

absl::Status UnknownOption(std::string_view name, const std::vector<std::string_view>& known) {
  return absl::InvalidArgumentError(
      base::Cat("unknown option -", name, "; did you mean -", base::ClosestName(name, known), "?"));
}

std::optional<bool> ParseBoolWord(std::string_view text) {
  if (text == "true" || text == "yes" || text == "1") return true;
  if (text == "false" || text == "no" || text == "0") return false;
  return std::nullopt;
}

std::string HelpLines(std::string_view name, std::string_view usage, std::string_view help) {
  std::string out = base::Cat("  -", name, usage.empty() ? "" : " ", usage);
  if (out.size() < kHelpColumn) {
    out.append(kHelpColumn - out.size(), ' ');
  } else {
    base::Append(&out, "\n", std::string(kHelpColumn, ' '));
  }
  for (size_t start = 0; start <= help.size();) {
    size_t end = help.find('\n', start);
    if (end == std::string_view::npos) end = help.size();
    if (start > 0) out.append(kHelpColumn, ' ');
    base::Append(&out, help.substr(start, end - start), "\n");
    start = end + 1;
  }
  return out;
}

}  // namespace sipfleet::cli
