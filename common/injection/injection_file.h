#ifndef SIPFLEET_COMMON_INJECTION_INJECTION_FILE_H_
#define SIPFLEET_COMMON_INJECTION_INJECTION_FILE_H_

// SIPp CSV injection files (`-inf file`, `-infindex file field`, the
// `[fieldN]` keyword and the `lookup` / `insert` / `replace` actions).
//
// File format (as SIPp 3.x reads it, see src/infile.cpp):
//   * Line 1 names the order: it must CONTAIN one of the case-sensitive words
//     RANDOM, SEQUENTIAL or USER (checked in that order, as substrings, so
//     "SEQUENTIAL;" or "  USER" work). It may also contain the options
//     PRINTF=N, PRINTFOFFSET=N and PRINTFMULTIPLE=N, in any order. Their values
//     are C integers read like strtoul(..., 0): 0x1f is hex, 017 is octal.
//   * Every later line is a record whose fields are separated by ';'. A line
//     whose FIRST character is '#' is a comment. Nothing else is a comment
//     ("  #x" and "//x" are records). The first EMPTY line ends the data:
//     SIPp ignores every line after it, and so do we (see warnings()).
//   * A trailing '\r' is removed from every line (CRLF files). SIPp removes it
//     only from line 1, so its last field of a CRLF record ends in '\r'.
//   * Fields are verbatim: "[authentication username=a password=b]" is kept
//     as is for the message expander to parse.
//   * PRINTF=N makes the file N "virtual" lines long. Virtual line L uses record
//     L mod R (R = number of records) and every "%[-0][width][.precision]d" in
//     it becomes PRINTFOFFSET + L * PRINTFMULTIPLE (defaults 0 and 1); "%%" is
//     a literal '%'. Conversions are checked at load time, SIPp only checked
//     them (fatally) when a call read the field.
//
// Thread safety: every method may be called from any thread. Reads take a
// std::shared_mutex in shared mode, Insert / Replace / BuildIndex take it in
// exclusive mode. Freeze() makes the file read-only for good, and from then on
// reads take no lock: one acquire load of an atomic flag, instead of an atomic
// read-modify-write on a cache line that every worker shares. Call Freeze()
// once the scenario is loaded if no insert/replace action names the file.
// Each call is atomic on its own: [field0] and [field1] of one message are two
// AppendField calls, and a Replace may happen between them.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sipfleet::injection {

enum class Order { kSequential, kRandom, kUser };

// "SEQUENTIAL", "RANDOM" or "USER".
std::string_view OrderName(Order order);

// The PRINTF options of line 1.
struct PrintfOptions {
  uint64_t virtual_lines = 0;  // PRINTF=N, N >= 1
  int64_t offset = 0;          // PRINTFOFFSET=N
  int64_t multiple = 1;        // PRINTFMULTIPLE=N
};

class InjectionFile {
 public:
  // Returned by LineForCall when the call has no line (USER order, user id 0).
  static constexpr size_t kNoLine = std::numeric_limits<size_t>::max();

  // Reads and parses `path`; path() is then `path`. Errors read
  // "path: cannot open: <strerror>" or, from Parse, "path:line: what".
  static absl::StatusOr<std::shared_ptr<InjectionFile>> Load(const std::string& path);
  // Parses file contents. Errors are InvalidArgument, located as
  // "name:line: what is wrong" (empty file, unknown order keyword, bad PRINTF
  // option or conversion, no record before the first blank line).
  static absl::StatusOr<std::shared_ptr<InjectionFile>> Parse(std::string_view text,
                                                              std::string_view name_for_errors);

  InjectionFile(const InjectionFile&) = delete;
  InjectionFile& operator=(const InjectionFile&) = delete;

  const std::string& path() const { return path_; }
  Order order() const { return order_; }
  const std::optional<PrintfOptions>& printf_options() const { return printf_; }
  // Located, non-fatal remarks found at load time (lines after a blank line).
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Number of lines calls can use: the records, or PRINTF=N for a PRINTF file.
  // Never 0. Grows with Insert.
  size_t line_count() const;

  // The 0-based line a new call uses, as SIPp's FileContents::nextLine:
  //   SEQUENTIAL: (call_number - 1) mod line_count(), call_number being the
  //     1-based ordinal of the call among those that take lines (SIPp skips
  //     automatic -aa/-oocsn calls); 0 is treated as 1.
  //   RANDOM: random mod line_count(), `random` being a uniform 64-bit value.
  //   USER: user_id - 1 for SIPp's 1-based -users ids, or kNoLine for user id
  //     0 (no -users: SIPp then injects empty fields). An id beyond the file
  //     wraps modulo line_count(); SIPp exits instead, see CheckUsers.
  // Only the argument of the file's order is read.
  size_t LineForCall(uint64_t call_number, uint64_t user_id, uint64_t random) const;

  // For USER files: fails when `users` (the -users value) exceeds the number
  // of lines, the case SIPp stops on ("<file> has only N lines, yet user M
  // was requested") when that user first calls. Always OK for other orders.
  absl::Status CheckUsers(uint64_t users) const;

  // Appends field `field` (0-based) of line `line` to `out`, PRINTF conversions
  // expanded. Returns false, appending nothing, when the line does not exist
  // (SIPp injects "" silently) or the line has fewer fields (SIPp injects ""
  // and logs the warning "Field N not found in the file F"; the caller logs).
  // "a;b;" has three fields, the last one empty.
  bool AppendField(size_t line, int field, std::string* out) const;

  // Number of fields of the widest line loaded or added so far (never
  // decreases), for load-time checks of [fieldN].
  int max_fields() const;

  // The records loaded from the file that have fewer than `fields` fields,
  // as a located warning: "users.csv:7: 2 fields where [field2] needs 3 (4 of
  // 10 lines): their calls send an empty value, as SIPp's do". nullopt when
  // every loaded record is wide enough. Records added by insert / replace
  // are not looked at.
  std::optional<std::string> ShortRecordsWarning(int fields) const;

  // The line selected by an expanded `line="..."` attribute of [fieldN], read
  // as SIPp does: strtod over the whole text (leading blanks allowed, empty
  // text is line 0), truncated toward zero. nullopt: a negative line, which
  // injects "". Error: text that is not a number (SIPp: "Invalid line number
  // generated"). A line >= line_count() makes AppendField return false.
  static absl::StatusOr<std::optional<size_t>> ParseLineOverride(std::string_view text);

  // -infindex: (re)builds the key -> line index on field `field` (0-based).
  // Lines lacking the field are indexed under "". With duplicate keys the last
  // line wins, as in SIPp. PRINTF files index their virtual lines (expanded
  // keys), up to kMaxIndexedVirtualLines. Fails after Freeze().
  absl::Status BuildIndex(int field);
  static constexpr uint64_t kMaxIndexedVirtualLines = uint64_t{1} << 24;
  bool indexed() const;
  // The `lookup` action: the line indexed under `key`, nullopt when the key is
  // absent (SIPp stores -1) or the file has no index (SIPp exits: check
  // indexed() when loading the scenario).
  std::optional<size_t> Lookup(std::string_view key) const;

  // The `insert` action: appends `record` (verbatim, not checked for '#') as a
  // new last line; an index maps its key to it. FailedPrecondition on a PRINTF
  // file or after Freeze().
  absl::Status Insert(std::string_view record);
  // The `replace` action: line `line` (0-based record) becomes `record`.
  // Index, like SIPp: the old key is dropped if it pointed to this line (even
  // if another line has the same key), the new key now points to this line.
  // OutOfRange for a missing line; FailedPrecondition on a PRINTF file or
  // after Freeze().
  absl::Status Replace(size_t line, std::string_view record);

  // Makes the file read-only from now on: later Insert / Replace / BuildIndex
  // fail and reads stop locking. Safe to call at any time, idempotent.
  void Freeze();
  bool frozen() const { return frozen_.load(std::memory_order_acquire); }

 private:
  class ReadLock;

  InjectionFile(std::string path, Order order, std::optional<PrintfOptions> printf_options);

  // Callers hold mutex_ (either mode) or the file is frozen.
  size_t LineCountLocked() const;
  bool AppendFieldLocked(size_t line, int field, std::string* out) const;
  std::string KeyOfLocked(size_t line) const;
  // Callers hold mutex_ exclusively.
  absl::Status CheckWritableLocked(std::string_view action) const;
  void AddRecordLocked(std::string_view record);

  const std::string path_;
  const Order order_;
  const std::optional<PrintfOptions> printf_;
  std::vector<std::string> warnings_;  // written by Parse only
  // Parse only: the file's line number (1-based) of each record it read, and
  // those records' field counts, for ShortRecordsWarning.
  std::vector<uint32_t> parsed_lines_;
  std::vector<int> parsed_fields_;

  mutable std::shared_mutex mutex_;
  std::atomic<bool> frozen_{false};  // only set, with mutex_ held exclusively
  // Guarded by mutex_ unless frozen_ (then immutable).
  std::vector<std::string> records_;
  int max_fields_ = 0;
  std::optional<int> index_field_;
  absl::flat_hash_map<std::string, size_t> index_;
};

}  // namespace sipfleet::injection

#endif  // SIPFLEET_COMMON_INJECTION_INJECTION_FILE_H_
