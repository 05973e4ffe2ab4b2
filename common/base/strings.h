#ifndef SIPFLEET_COMMON_BASE_STRINGS_H_
#define SIPFLEET_COMMON_BASE_STRINGS_H_

// String glue between std::string_view (our view type) and Debian's Abseil,
// which is built with ABSL_OPTION_USE_STD_STRING_VIEW=0 and so does not take
// std::string_view in absl::StrCat and friends.

#include <charconv>
#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"

namespace sipfleet::base {

inline absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view FromAbsl(absl::string_view s) { return {s.data(), s.size()}; }

namespace internal {
inline void AppendPiece(std::string* out, std::string_view s) { out->append(s); }
inline void AppendPiece(std::string* out, absl::string_view s) { out->append(s.data(), s.size()); }
inline void AppendPiece(std::string* out, const std::string& s) { out->append(s); }
inline void AppendPiece(std::string* out, const char* s) { out->append(s); }
inline void AppendPiece(std::string* out, char c) { out->push_back(c); }
template <std::integral T>
requires(!std::same_as<T, char> && !std::same_as<T, bool>) void AppendPiece(std::string* out,
                                                                            T value) {
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, result.ptr);
}
void AppendPiece(std::string* out, double value);
}  // namespace internal

// Appends every argument (strings, views, chars, integers, doubles as %g).
template <typename... Args>
void Append(std::string* out, const Args&... args) {
  (internal::AppendPiece(out, args), ...);
}

// Concatenates every argument into a new string.
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  Append(&out, args...);
  return out;
}

// Whole-string integer / double parsing, surrounding blanks allowed.
bool ParseInt64(std::string_view text, int64_t* value);
bool ParseUint64(std::string_view text, uint64_t* value);
bool ParseDouble(std::string_view text, double* value);

// ASCII-only, locale-independent case-insensitive equality (SIP names,
// tokens). Debian's Abseil has its own string_view, so
// absl::EqualsIgnoreCase would need conversions.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
template <std::integral T>
bool ParseInt(std::string_view text, T* value) {
  if constexpr (std::is_unsigned_v<T>) {
    uint64_t wide;
    if (!ParseUint64(text, &wide) || wide > std::numeric_limits<T>::max()) return false;
    *value = static_cast<T>(wide);
  } else {
    int64_t wide;
    if (!ParseInt64(text, &wide) || wide < std::numeric_limits<T>::min() ||
        wide > std::numeric_limits<T>::max()) {
      return false;
    }
    *value = static_cast<T>(wide);
  }
  return true;
}

std::string_view TrimBlanks(std::string_view text);

// Levenshtein distance (insertions, deletions, substitutions): finds the
// closest known name for a misspelt option or attribute.
size_t EditDistance(std::string_view a, std::string_view b);
// The name in `known` closest to `name` (edit distance; first of equals), ""
// when `known` is empty.
std::string_view ClosestName(std::string_view name, const std::vector<std::string_view>& known);
// Splits on `separator`, trims blanks, drops empty pieces.
std::vector<std::string_view> SplitTrimmed(std::string_view text, char separator);

}  // namespace sipfleet::base

#endif  // SIPFLEET_COMMON_BASE_STRINGS_H_
