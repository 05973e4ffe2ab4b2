#ifndef SIPFLEET_COMMON_RUNTIME_VARIABLES_H_
#define SIPFLEET_COMMON_RUNTIME_VARIABLES_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sipfleet::runtime {

// A scenario variable's value. SIPp infers the type from the action that
// last set it (SIPP_NOTES §3.6): a string (assignstr), a regex match (ereg),
// a double (assign, arithmetic, sample, test result as 0/1 is a bool) or a
// bool (test, strcmp with check, verifyauth).
struct VarValue {
  enum class Type : uint8_t { kUnset, kString, kRegexMatch, kDouble, kBool };
  Type type = Type::kUnset;
  bool boolean = false;
  double number = 0;
  std::string text;

  static VarValue String(std::string_view value, Type type = Type::kString) {
    VarValue v;
    v.type = type;
    v.text.assign(value);
    return v;
  }
  static VarValue Double(double value) {
    VarValue v;
    v.type = Type::kDouble;
    v.number = value;
    return v;
  }
  static VarValue Bool(bool value) {
    VarValue v;
    v.type = Type::kBool;
    v.boolean = value;
    return v;
  }

  // SIPp's isSet(), which test= and condexec= use: a regex match counts if
  // it matched something, a bool by its value, anything else once assigned.
  bool IsSet() const;
  // The value as a double: strings are parsed (0 if not a number), bools
  // are 0/1.
  double AsDouble() const;
  // The value as [$var] prints it: strings as is, doubles with "%lf",
  // bools as "true"/"false", unset as nothing.
  void AppendTo(std::string* out) const;
  std::string AsString() const {
    std::string out;
    AppendTo(&out);
    return out;
  }
};

// <Global> variables (and -set), shared by every worker of the process.
// Accesses are rare (actions), so one mutex is enough.
class GlobalVariables {
 public:
  explicit GlobalVariables(size_t count) : values_(count) {}
  VarValue Get(size_t index) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return values_[index];
  }
  void Set(size_t index, VarValue value) {
    std::lock_guard<std::mutex> lock(mutex_);
    values_[index] = std::move(value);
  }

 private:
  mutable std::mutex mutex_;
  std::vector<VarValue> values_;
};

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_VARIABLES_H_
