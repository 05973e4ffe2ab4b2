#include "common/runtime/variables.h"

#include <cstdio>
#include <cstdlib>

namespace sipfleet::runtime {

bool VarValue::IsSet() const {
  switch (type) {
    case Type::kUnset:
      return false;
    case Type::kRegexMatch:
      return !text.empty();
    case Type::kBool:
      return boolean;
    case Type::kString:
    case Type::kDouble:
      return true;
  }
  return false;
}

double VarValue::AsDouble() const {
  switch (type) {
    case Type::kDouble:
      return number;
    case Type::kBool:
      return boolean ? 1 : 0;
    case Type::kString:
    case Type::kRegexMatch:
      return std::strtod(text.c_str(), nullptr);
    case Type::kUnset:
      return 0;
  }
  return 0;
}

void VarValue::AppendTo(std::string* out) const {
  switch (type) {
    case Type::kString:
    case Type::kRegexMatch:
      out->append(text);
      break;
    case Type::kDouble: {
      char buffer[64];
      int n = std::snprintf(buffer, sizeof(buffer), "%lf", number);
      out->append(buffer, static_cast<size_t>(n));
      break;
    }
    case Type::kBool:
      out->append(boolean ? "true" : "false");
      break;
    case Type::kUnset:
      break;
  }
}

}  // namespace sipfleet::runtime
