#include "common/base/regex.h"

#include <algorithm>
#include <vector>

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::base {
namespace {

// glibc's regcomp copies an atom's tree for each repetition: `x+` is `xx*`,
// `x{3}` is `xxx`, so stacked or nested repetitions multiply (`[0-9]+++...`
// with 130 `+` asked a fuzzer for more than 2 GB). Patterns whose copies
// would exceed this are refused before regcomp sees them.
constexpr int kMaxCopies = 10000;

// The number a `{m}`, `{m,}` or `{m,n}` at `*i` (on its `{`) repeats an
// atom by (its largest bound), moving `*i` past the `}`; 1 when it is not
// a well-formed bound (regcomp judges those).
double BraceFactor(std::string_view p, size_t* i) {
  size_t close = p.find('}', *i);
  if (close == std::string_view::npos) return 1;
  double largest = 0;
  double number = 0;
  for (size_t k = *i + 1; k < close; ++k) {
    if (p[k] >= '0' && p[k] <= '9') {
      number = number * 10 + (p[k] - '0');
    } else if (p[k] == ',') {
      largest = std::max(largest, number);
      number = 0;
    } else {
      return 1;
    }
  }
  *i = close;
  return std::max({largest, number, 1.0});
}

// How many copies of its atoms glibc's regcomp would make for `p`, at most:
// along each nesting of groups, the product of the repetitions applied.
double CopiesOf(std::string_view p) {
  std::vector<double> group_max = {1};  // the largest atom in each open group
  double atom = 1;                      // the atom just read, before repetitions
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '*' || c == '?' || c == '+' || c == '{') {
      atom *= c == '+' ? 2 : c == '{' ? BraceFactor(p, &i) : 1;
      group_max.back() = std::max(group_max.back(), atom);
      continue;
    }
    if (c == '(') {
      group_max.push_back(1);
      atom = 1;
      continue;
    }
    if (c == ')' && group_max.size() > 1) {
      atom = group_max.back();
      group_max.pop_back();
      group_max.back() = std::max(group_max.back(), atom);
      continue;
    }
    if (c == '\\') {
      ++i;
    } else if (c == '[') {  // a bracket expression: one atom
      size_t k = i + 1;
      if (k < p.size() && p[k] == '^') ++k;
      if (k < p.size() && p[k] == ']') ++k;
      size_t close = p.find(']', k);
      i = close == std::string_view::npos ? p.size() : close;
    }
    atom = 1;
  }
  // Groups left open (regcomp refuses them, but copies before it notices)
  // count too.
  return *std::max_element(group_max.begin(), group_max.end());
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Regex>> Regex::Compile(std::string_view pattern,
                                                           bool case_insensitive,
                                                           bool newline_sensitive) {
  if (CopiesOf(pattern) > kMaxCopies) {
    return absl::InvalidArgumentError(
        Cat("regular expression '", pattern.substr(0, 80), pattern.size() > 80 ? "..." : "",
            "' is too complex: its repetitions multiply to more than ", kMaxCopies,
            " copies (stacked or nested +, {n}), which POSIX regcomp cannot hold"));
  }
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
