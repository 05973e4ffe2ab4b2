#include "common/base/regex.h"

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::base {

absl::StatusOr<std::shared_ptr<const Regex>> Regex::Compile(std::string_view pattern,
                                                           bool case_insensitive,
                                                           bool newline_sensitive) {
  std::shared_ptr<Regex> regex(new Regex());
  regex->pattern_ = std::string(pattern);
  int flags = REG_EXTENDED | (case_insensitive ? REG_ICASE : 0) |
              (newline_sensitive ? REG_NEWLINE : 0);
  int code = regcomp(&regex->compiled_, regex->pattern_.c_str(), flags);
  if (code != 0) {
    char message[256];
    regerror(code, &regex->compiled_, message, sizeof(message));
    // regcomp leaves nothing to free on failure, but the destructor would
    // call regfree: give it a valid empty pattern instead.
    regcomp(&regex->compiled_, "", REG_EXTENDED);
    return absl::InvalidArgumentError(
        Cat("regular expression '", pattern, "' does not compile: ", message));
  }
  return std::shared_ptr<const Regex>(std::move(regex));
}

Regex::~Regex() { regfree(&compiled_); }

bool Regex::Search(std::string_view text, std::vector<Span>* groups) const {
  // regexec needs a C string; the copy is the price of POSIX regex.
  std::string subject(text);
  std::vector<regmatch_t> matches(compiled_.re_nsub + 1);
  if (regexec(&compiled_, subject.c_str(), matches.size(), matches.data(), 0) != 0) return false;
  if (groups != nullptr) {
    groups->clear();
    for (const regmatch_t& match : matches) {
      if (match.rm_so < 0) {
        groups->push_back({std::string_view::npos, std::string_view::npos});
      } else {
        groups->push_back({static_cast<size_t>(match.rm_so), static_cast<size_t>(match.rm_eo)});
      }
    }
  }
  return true;
}

bool Regex::FullMatch(std::string_view text) const {
  std::vector<Span> groups;
  return Search(text, &groups) && groups[0].begin == 0 && groups[0].end == text.size();
}

}  // namespace sipfleet::base
