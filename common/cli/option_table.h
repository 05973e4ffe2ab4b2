#ifndef SIPFLEET_COMMON_CLI_OPTION_TABLE_H_
#define SIPFLEET_COMMON_CLI_OPTION_TABLE_H_

// The option table mechanism of all three binaries: sipfleet's SIPp command
// line (options.h), the master's cluster options (master/options.h) and the
// agent's (agent/agent_options.h). A table maps "-name" to how many values
// it takes and what it sets in an options struct T, so every binary takes
// options alike: the same value parsers (time values with SIPp's suffixes,
// numbers, booleans, choices), the same "needs a value" and bad-value
// errors, the same closest-name suggestion for a misspelt option, and help
// lines laid out the same way from each entry's usage and text.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/strings.h"
#include "common/base/time_value.h"

namespace sipfleet::cli {

// The column help text starts at (SIPp's layout: "  -name usage" first).
inline constexpr size_t kHelpColumn = 24;

// "invalid value 'v': why" (Take prefixes the option: "-name: invalid ...").
absl::Status BadValue(std::string_view value, std::string_view why);
// "unknown option -name; did you mean -closest?", among `known`.
absl::Status UnknownOption(std::string_view name, const std::vector<std::string_view>& known);
// SIPp's boolean words: true/yes/1 and false/no/0; nullopt for anything else.
std::optional<bool> ParseBoolWord(std::string_view text);
// One help entry: "  -name usage" then `help` (lines split on '\n'), each
// line from kHelpColumn; "  -name usage" longer than that gets its own line.
std::string HelpLines(std::string_view name, std::string_view usage, std::string_view help);

// How one option is taken: `arity` values after it, given to `set`. An
// error from `set` is reported as "-name: <its message>". `usage` and
// `help` are its -h entry (none when `help` is empty).
template <typename T>
using Setter = std::function<absl::Status(T&, const std::vector<std::string>&)>;

template <typename T>
struct OptionSpec {
  int arity = 0;
  Setter<T> set;
  std::string_view usage;
  std::string_view help;

  // This spec documented: `usage` names its values ("host:port"), `help`
  // says what it does (lines separated by '\n').
  OptionSpec Doc(std::string_view usage_text, std::string_view help_text) const {
    OptionSpec documented = *this;
    documented.usage = usage_text;
    documented.help = help_text;
    return documented;
  }
};

template <typename T>
class OptionTable {
 public:
  OptionTable() = default;
  OptionTable(std::initializer_list<std::pair<std::string_view, OptionSpec<T>>> entries) {
    for (const auto& [name, spec] : entries) Add(name, spec);
  }

  void Add(std::string_view name, OptionSpec<T> spec) {
    index_[std::string(name)] = entries_.size();
    entries_.emplace_back(std::string(name), std::move(spec));
  }
  // Every entry of `other`, in its order.
  void Add(const OptionTable<T>& other) {
    for (const auto& [name, spec] : other.entries_) Add(name, spec);
  }
  // Every entry of a table of the options struct at `member` of T (the
  // control-plane TLS options inside the master's and the agent's).
  template <typename S>
  void Embed(S T::*member, const OptionTable<S>& inner) {
    for (const auto& [name, spec] : inner.entries()) {
      Setter<T> outer_set = [member, set = spec.set](T& options,
                                                     const std::vector<std::string>& values) {
        return set(options.*member, values);
      };
      OptionSpec<T> outer{spec.arity, std::move(outer_set), spec.usage, spec.help};
      Add(name, std::move(outer));
    }
  }

  // The spec of `name` (without the dash), null if none.
  const OptionSpec<T>* Find(std::string_view name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &entries_[it->second].second;
  }

  // Takes the option at args[*i] if it is one of this table's: its values
  // follow it, *i moves past them. Returns false (nothing taken) for any
  // other argument. Errors: InvalidArgument when values are missing, and
  // what the option's setter says about them, prefixed "-name: ".
  absl::StatusOr<bool> Take(const std::vector<std::string>& args, size_t* i, T& options) const {
    const std::string& arg = args[*i];
    if (arg.size() < 2 || arg[0] != '-') return false;
    const std::string_view name = std::string_view(arg).substr(1);
    const OptionSpec<T>* spec = Find(name);
    if (spec == nullptr) return false;
    const size_t arity = static_cast<size_t>(spec->arity);
    if (*i + arity >= args.size() + (arity == 0 ? 1 : 0)) {
      return absl::InvalidArgumentError(
          base::Cat("option -", name, " needs ", arity, arity == 1 ? " value" : " values"));
    }
    std::vector<std::string> values(args.begin() + static_cast<long>(*i) + 1,
                                    args.begin() + static_cast<long>(*i + 1 + arity));
    *i += arity;
    if (absl::Status status = spec->set(options, values); !status.ok()) {
      return absl::Status(status.code(),
                          base::Cat("-", name, ": ", base::FromAbsl(status.message())));
    }
    return true;
  }

  // Every option name, in table order.
  std::vector<std::string_view> Names() const {
    std::vector<std::string_view> names;
    for (const auto& entry : entries_) names.push_back(entry.first);
    return names;
  }
  // The help lines of the documented entries, in table order.
  std::string Help() const {
    std::string help;
    for (const auto& [name, spec] : entries_) {
      if (!spec.help.empty()) help += HelpLines(name, spec.usage, spec.help);
    }
    return help;
  }
  const std::vector<std::pair<std::string, OptionSpec<T>>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, OptionSpec<T>>> entries_;  // table order
  std::map<std::string, size_t, std::less<>> index_;
};

// The entries of `parts`, in order: one table of a program's sections.
template <typename T>
OptionTable<T> Concat(std::initializer_list<OptionTable<T>> parts) {
  OptionTable<T> all;
  for (const OptionTable<T>& part : parts) all.Add(part);
  return all;
}

// ---- Setters: the value parsers every table uses ----

template <typename T>
OptionSpec<T> Flag(bool T::*field) {
  return {0, [field](T& o, const std::vector<std::string>&) {
            o.*field = true;
            return absl::OkStatus();
          }};
}

template <typename T>
OptionSpec<T> String(std::string T::*field) {
  return {1, [field](T& o, const std::vector<std::string>& v) {
            o.*field = v[0];
            return absl::OkStatus();
          }};
}

// An integer no less than `min_value`.
template <typename T, typename F>
OptionSpec<T> Integer(F T::*field, F min_value) {
  return {1, [field, min_value](T& o, const std::vector<std::string>& v) {
            F value;
            if (!base::ParseInt(v[0], &value) || value < min_value) {
              return BadValue(v[0], base::Cat("a whole number from ", min_value, " to ",
                                              std::numeric_limits<F>::max(), " is expected"));
            }
            o.*field = value;
            return absl::OkStatus();
          }};
}

// A time value in milliseconds: "500", "500ms", "2s", "1.5s", "3m", "1h";
// a bare number is in `unit` (SIPp's get_time()). With `positive`, 0 is
// refused too.
template <typename T>
OptionSpec<T> Time(int64_t T::*field, base::TimeUnit unit, bool positive = false) {
  return {1, [field, unit, positive](T& o, const std::vector<std::string>& v) {
            absl::StatusOr<int64_t> ms = base::ParseTimeValueMs(v[0], unit);
            if (!ms.ok()) return BadValue(v[0], base::FromAbsl(ms.status().message()));
            if (positive && *ms <= 0) return BadValue(v[0], "a time above 0 is expected");
            o.*field = *ms;
            return absl::OkStatus();
          }};
}

// One of `choices` (word, value).
template <typename T, typename F>
OptionSpec<T> Choice(F T::*field, std::vector<std::pair<std::string_view, F>> choices) {
  return {1, [field, choices](T& o, const std::vector<std::string>& v) {
            std::string expected;
            for (const auto& [word, value] : choices) {
              if (v[0] == word) {
                o.*field = value;
                return absl::OkStatus();
              }
              base::Append(&expected, expected.empty() ? "" : " or ", word);
            }
            return BadValue(v[0], base::Cat(expected, " expected"));
          }};
}

// Anything else: `set` takes the option's `arity` values.
template <typename T>
OptionSpec<T> Custom(int arity, Setter<T> set) {
  return {arity, std::move(set)};
}

}  // namespace sipfleet::cli

#endif  // SIPFLEET_COMMON_CLI_OPTION_TABLE_H_
