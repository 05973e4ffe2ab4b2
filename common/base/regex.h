#ifndef SIPFLEET_COMMON_BASE_REGEX_H_
#define SIPFLEET_COMMON_BASE_REGEX_H_

#include <regex.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sipfleet::base {

// A compiled POSIX extended regular expression, as SIPp uses them (regcomp
// with REG_EXTENDED, optionally REG_ICASE). Immutable after compilation;
// regexec on one compiled pattern is safe from several threads (POSIX).
class Regex {
 public:
  struct Span {
    size_t begin = 0;
    size_t end = 0;  // one past the last byte
  };

  // Errors carry regerror()'s text and the pattern.
  static absl::StatusOr<std::shared_ptr<const Regex>> Compile(std::string_view pattern,
                                                              bool case_insensitive = false,
                                                              bool newline_sensitive = false);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Number of parenthesised sub-expressions.
  size_t group_count() const { return compiled_.re_nsub; }
  const std::string& pattern() const { return pattern_; }

  // Searches `text` (which need not be NUL-terminated). On a match fills
  // `groups` with group_count()+1 spans (group 0 = whole match; a group that
  // did not take part is {npos, npos}) and returns true.
  bool Search(std::string_view text, std::vector<Span>* groups) const;
  // True if the whole of `text` matches.
  bool FullMatch(std::string_view text) const;

 private:
  Regex() = default;
  regex_t compiled_{};
  std::string pattern_;
};

}  // namespace sipfleet::base

#endif  // SIPFLEET_COMMON_BASE_REGEX_H_
