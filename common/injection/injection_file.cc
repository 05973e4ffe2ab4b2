#include "common/injection/injection_file.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <utility>

#include "common/base/strings.h"

namespace sipfleet::injection {
namespace {

using base::Cat;

// Widths and precisions above this are refused: SIPp wrote conversions into a
// fixed message buffer, and nothing sensible needs more.
constexpr size_t kMaxPrintfWidth = 1024;

absl::Status Invalid(std::string_view name, size_t line, std::string_view what) {
  return absl::InvalidArgumentError(Cat(name, ":", line, ": ", what));
}

// Splits `text` into lines on '\n' and removes one trailing '\r' from each. A
// last line without '\n' is kept; the empty piece after a final '\n' is not.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// Parses the whole blank-trimmed `text` as strtol(text, ..., 0) would: an
// optional sign, then 0x/0X + hex digits, 0 + octal digits, or decimal.
bool ParseCInteger(std::string_view text, int64_t* value) {
  text = base::TrimBlanks(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  int radix = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    radix = 16;
    text.remove_prefix(2);
  } else if (text.size() > 1 && text[0] == '0') {
    radix = 8;
    text.remove_prefix(1);
  }
  uint64_t magnitude = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, magnitude, radix);
  const uint64_t limit = uint64_t{1} << 63;
  if (text.empty() || ec != std::errc() || ptr != end) return false;
  if (magnitude > (negative ? limit : limit - 1)) return false;
  *value = static_cast<int64_t>(negative ? 0 - magnitude : magnitude);
  return true;
}

absl::StatusOr<Order> ParseOrder(std::string_view line) {
  // SIPp's precedence: RANDOM, then SEQUENTIAL, then USER, anywhere in line 1.
  if (line.find("RANDOM") != std::string_view::npos) return Order::kRandom;
  if (line.find("SEQUENTIAL") != std::string_view::npos) return Order::kSequential;
  if (line.find("USER") != std::string_view::npos) return Order::kUser;
  return absl::InvalidArgumentError(Cat("unknown order in first line \"", line,
                                        "\" (valid values are SEQUENTIAL, RANDOM and USER)"));
}

struct PrintfSlots {
  std::optional<int64_t> count, offset, multiple;
};

// Parses one "PRINTF...=value" option starting at `rest` (which begins with
// "PRINTF"); returns the length of its name.
absl::StatusOr<size_t> ParsePrintfOption(std::string_view rest, PrintfSlots* slots) {
  std::string_view name = "PRINTF";
  std::optional<int64_t>* slot = &slots->count;
  if (rest.starts_with("PRINTFOFFSET")) {
    name = "PRINTFOFFSET";
    slot = &slots->offset;
  } else if (rest.starts_with("PRINTFMULTIPLE")) {
    name = "PRINTFMULTIPLE";
    slot = &slots->multiple;
  }
  rest.remove_prefix(name.size());
  if (rest.empty() || rest[0] != '=') {
    return absl::InvalidArgumentError(Cat(name, " requires '=' and a value"));
  }
  std::string_view value = rest.substr(1, rest.find(',') - 1);
  if (slot->has_value()) return absl::InvalidArgumentError(Cat(name, " given twice"));
  int64_t parsed = 0;
  if (!ParseCInteger(value, &parsed)) {
    return absl::InvalidArgumentError(Cat("invalid ", name, " value \"", value, "\""));
  }
  *slot = parsed;
  return name.size();
}

// Reads the PRINTF, PRINTFOFFSET and PRINTFMULTIPLE options of line 1.
absl::StatusOr<std::optional<PrintfOptions>> ParsePrintfOptions(std::string_view line) {
  PrintfSlots slots;
  for (size_t at = line.find("PRINTF"); at != std::string_view::npos;
       at = line.find("PRINTF", at)) {
    absl::StatusOr<size_t> name_size = ParsePrintfOption(line.substr(at), &slots);
    if (!name_size.ok()) return name_size.status();
    at += *name_size;
  }
  if (!slots.count.has_value()) {
    if (slots.offset.has_value() || slots.multiple.has_value()) {
      return absl::InvalidArgumentError("PRINTFOFFSET and PRINTFMULTIPLE need PRINTF=N");
    }
    return std::nullopt;
  }
  if (*slots.count < 1) {
    return absl::InvalidArgumentError("a PRINTF file needs at least one virtual line (PRINTF=N, N >= 1)");
  }
  PrintfOptions options;
  options.virtual_lines = static_cast<uint64_t>(*slots.count);
  options.offset = slots.offset.value_or(0);
  options.multiple = slots.multiple.value_or(1);
  return options;
}

// One "%[-0][width][.precision]d" conversion.
struct Conversion {
  bool left = false;
  bool zero = false;
  size_t width = 0;
  std::optional<size_t> precision;
};

// Removes the leading decimal digits of `*rest` and returns their value;
// false if there are more than kMaxPrintfWidth.
bool TakeSize(std::string_view* rest, size_t* value) {
  size_t end = std::min(rest->find_first_not_of("0123456789"), rest->size());
  std::string_view digits = rest->substr(0, end);
  rest->remove_prefix(end);
  *value = 0;
  return digits.empty() || (base::ParseInt(digits, value) && *value <= kMaxPrintfWidth);
}

// Parses `spec`, the text between '%' and 'd'.
absl::StatusOr<Conversion> ParseConversion(std::string_view spec) {
  Conversion conversion;
  std::string_view rest = spec;
  for (; !rest.empty() && (rest[0] == '-' || rest[0] == '0'); rest.remove_prefix(1)) {
    (rest[0] == '-' ? conversion.left : conversion.zero) = true;
  }
  bool ok = TakeSize(&rest, &conversion.width);
  if (ok && !rest.empty() && rest[0] == '.') {
    rest.remove_prefix(1);
    conversion.precision = 0;
    ok = TakeSize(&rest, &*conversion.precision);
  }
  if (!ok || !rest.empty()) {
    return absl::InvalidArgumentError(
        Cat("invalid printf conversion \"%", spec,
            "d\" (allowed: %[-0][width][.precision]d, width and precision <= ", kMaxPrintfWidth,
            ", and %%)"));
  }
  return conversion;
}

void AppendFormatted(const Conversion& conversion, int64_t value, std::string* out) {
  const uint64_t magnitude =
      value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits;
  if (magnitude != 0 || conversion.precision.value_or(1) != 0) digits = Cat(magnitude);
  if (conversion.precision.has_value() && *conversion.precision > digits.size()) {
    digits.insert(0, *conversion.precision - digits.size(), '0');
  }
  const std::string_view sign = value < 0 ? "-" : "";
  const size_t length = sign.size() + digits.size();
  const size_t pad = conversion.width > length ? conversion.width - length : 0;
  if (conversion.left) {
    base::Append(out, sign, digits);
    out->append(pad, ' ');
  } else if (conversion.zero && !conversion.precision.has_value()) {
    out->append(sign);
    out->append(pad, '0');
    out->append(digits);
  } else {
    out->append(pad, ' ');
    base::Append(out, sign, digits);
  }
}

// Appends `text` with its PRINTF conversions replaced by `value` and "%%" by
// '%'. Errors name the first bad conversion.
absl::Status AppendPrintf(std::string_view text, int64_t value, std::string* out) {
  while (!text.empty()) {
    size_t percent = text.find('%');
    out->append(text.substr(0, percent));
    if (percent == std::string_view::npos) break;
    text.remove_prefix(percent + 1);
    if (!text.empty() && text[0] == '%') {
      out->push_back('%');
      text.remove_prefix(1);
      continue;
    }
    size_t d = text.find_first_not_of("0123456789.-");
    if (d == std::string_view::npos || text[d] != 'd') {
      return absl::InvalidArgumentError(
          Cat("invalid printf conversion \"%", text.substr(0, d == std::string_view::npos ? d : d + 1),
              "\" (only %[-0][width][.precision]d and %% are allowed)"));
    }
    absl::StatusOr<Conversion> conversion = ParseConversion(text.substr(0, d));
    if (!conversion.ok()) return conversion.status();
    AppendFormatted(*conversion, value, out);
    text.remove_prefix(d + 1);
  }
  return absl::OkStatus();
}

// The number virtual line `line` of a PRINTF file prints (wrapping on overflow).
int64_t PrintfValue(const PrintfOptions& options, size_t line) {
  return static_cast<int64_t>(static_cast<uint64_t>(options.offset) +
                              static_cast<uint64_t>(line) * static_cast<uint64_t>(options.multiple));
}

// Field `field` (0-based, ';'-separated) of `record`, or nullopt.
std::optional<std::string_view> FieldOf(std::string_view record, int field) {
  if (field < 0) return std::nullopt;
  for (int i = 0; i < field; ++i) {
    size_t semicolon = record.find(';');
    if (semicolon == std::string_view::npos) return std::nullopt;
    record.remove_prefix(semicolon + 1);
  }
  return record.substr(0, record.find(';'));
}

int FieldCount(std::string_view record) {
  size_t count = static_cast<size_t>(std::count(record.begin(), record.end(), ';')) + 1;
  return static_cast<int>(std::min<size_t>(count, std::numeric_limits<int>::max()));
}

}  // namespace

std::string_view OrderName(Order order) {
  switch (order) {
    case Order::kSequential:
      return "SEQUENTIAL";
    case Order::kRandom:
      return "RANDOM";
    case Order::kUser:
      return "USER";
  }
  return "UNKNOWN";
}

// Shared lock on the file's mutex, skipped once the file is frozen: nothing
// can change any more, and frozen_ was stored (release) with the exclusive
// lock held after every write, so the acquire load makes all of them visible.
class InjectionFile::ReadLock {
 public:
  explicit ReadLock(const InjectionFile& file) : lock_(file.mutex_, std::defer_lock) {
    if (!file.frozen()) lock_.lock();
  }

 private:
  std::shared_lock<std::shared_mutex> lock_;
};

InjectionFile::InjectionFile(std::string path, Order order,
                             std::optional<PrintfOptions> printf_options)
    : path_(std::move(path)), order_(order), printf_(printf_options) {}

absl::StatusOr<std::shared_ptr<InjectionFile>> InjectionFile::Load(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (file == nullptr) return absl::ErrnoToStatus(errno, Cat(path, ": cannot open"));
  std::string text;
  char buffer[1 << 16];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) text.append(buffer, got);
  if (std::ferror(file.get())) return absl::ErrnoToStatus(errno, Cat(path, ": cannot read"));
  return Parse(text, path);
}

absl::StatusOr<std::shared_ptr<InjectionFile>> InjectionFile::Parse(
    std::string_view text, std::string_view name_for_errors) {
  const std::string_view name = name_for_errors;
  std::vector<std::string_view> lines = SplitLines(text);
  if (lines.empty()) return Invalid(name, 1, "empty file");
  absl::StatusOr<Order> order = ParseOrder(lines[0]);
  if (!order.ok()) return Invalid(name, 1, base::FromAbsl(order.status().message()));
  absl::StatusOr<std::optional<PrintfOptions>> printf_options = ParsePrintfOptions(lines[0]);
  if (!printf_options.ok()) {
    return Invalid(name, 1, base::FromAbsl(printf_options.status().message()));
  }
  std::shared_ptr<InjectionFile> file(
      new InjectionFile(std::string(name), *order, *printf_options));
  // Not shared yet: no lock needed below.
  size_t blank_line = 0;  // 1-based number of the first empty line, 0 if none
  for (size_t i = 1; i < lines.size() && blank_line == 0; ++i) {
    std::string_view line = lines[i];
    if (line.empty()) {
      blank_line = i + 1;
    } else if (line[0] != '#') {
      std::string scratch;
      absl::Status valid = file->printf_ ? AppendPrintf(line, 0, &scratch) : absl::OkStatus();
      if (!valid.ok()) return Invalid(name, i + 1, base::FromAbsl(valid.message()));
      file->AddRecordLocked(line);
      file->parsed_lines_.push_back(static_cast<uint32_t>(i + 1));
      file->parsed_fields_.push_back(FieldCount(line));
    }
  }
  size_t ignored = 0;
  for (size_t i = blank_line; blank_line != 0 && i < lines.size(); ++i) {
    if (!lines[i].empty() && lines[i][0] != '#') ++ignored;
  }
  if (file->records_.empty()) {
    if (blank_line != 0) {
      return Invalid(name, blank_line,
                     "blank line before any data line (SIPp stops reading at a blank line)");
    }
    return absl::InvalidArgumentError(Cat(name, ": no data line after the first line"));
  }
  if (ignored != 0) {
    file->warnings_.push_back(Cat(name, ":", blank_line, ": blank line: the ", ignored,
                                  " data line(s) after it are ignored, as SIPp does"));
  }
  return file;
}

size_t InjectionFile::LineCountLocked() const {
  return printf_ ? static_cast<size_t>(printf_->virtual_lines) : records_.size();
}

size_t InjectionFile::line_count() const {
  ReadLock lock(*this);
  return LineCountLocked();
}

size_t InjectionFile::LineForCall(uint64_t call_number, uint64_t user_id, uint64_t random) const {
  const uint64_t count = line_count();
  switch (order_) {
    case Order::kSequential:
      return static_cast<size_t>((call_number == 0 ? 0 : call_number - 1) % count);
    case Order::kRandom:
      return static_cast<size_t>(random % count);
    case Order::kUser:
      return user_id == 0 ? kNoLine : static_cast<size_t>((user_id - 1) % count);
  }
  return kNoLine;
}

absl::Status InjectionFile::CheckUsers(uint64_t users) const {
  const size_t count = line_count();
  if (order_ != Order::kUser || users <= count) return absl::OkStatus();
  return absl::InvalidArgumentError(Cat(path_, " has only ", count, " lines, yet -users ", users,
                                        " was requested (USER order: user N reads data line N)"));
}

bool InjectionFile::AppendFieldLocked(size_t line, int field, std::string* out) const {
  if (line >= LineCountLocked()) return false;
  const std::string& record = records_[printf_ ? line % records_.size() : line];
  std::optional<std::string_view> value = FieldOf(record, field);
  if (!value.has_value()) return false;
  if (!printf_) {
    out->append(*value);
    return true;
  }
  // Parse validated every conversion of every record, and PRINTF files never
  // change, so this cannot fail.
  AppendPrintf(*value, PrintfValue(*printf_, line), out).IgnoreError();
  return true;
}

bool InjectionFile::AppendField(size_t line, int field, std::string* out) const {
  ReadLock lock(*this);
  return AppendFieldLocked(line, field, out);
}

int InjectionFile::max_fields() const {
  ReadLock lock(*this);
  return max_fields_;
}

absl::StatusOr<std::optional<size_t>> InjectionFile::ParseLineOverride(std::string_view text) {
  if (text.empty()) return size_t{0};  // strtod("") converts nothing, ends at '\0'
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end == copy.c_str() || end != copy.c_str() + copy.size() || std::isnan(value)) {
    return absl::InvalidArgumentError(Cat("invalid line number generated: '", text, "'"));
  }
  const double line = std::trunc(value);
  if (line < 0 || line >= 0x1p63) return std::nullopt;
  return static_cast<size_t>(line);
}

std::string InjectionFile::KeyOfLocked(size_t line) const {
  std::string key;
  AppendFieldLocked(line, *index_field_, &key);
  return key;
}

absl::Status InjectionFile::BuildIndex(int field) {
  if (field < 0) {
    return absl::InvalidArgumentError(Cat(path_, ": -infindex field ", field, " is negative"));
  }
  std::unique_lock lock(mutex_);
  if (frozen()) {
    return absl::FailedPreconditionError(Cat(path_, ": -infindex: the file is frozen"));
  }
  const size_t count = LineCountLocked();
  if (printf_ && count > kMaxIndexedVirtualLines) {
    return absl::ResourceExhaustedError(Cat(path_, ": -infindex: too many PRINTF virtual lines (",
                                            count, " > ", kMaxIndexedVirtualLines, ")"));
  }
  index_field_ = field;
  index_.clear();
  index_.reserve(count);
  for (size_t line = 0; line < count; ++line) index_.insert_or_assign(KeyOfLocked(line), line);
  return absl::OkStatus();
}

bool InjectionFile::indexed() const {
  ReadLock lock(*this);
  return index_field_.has_value();
}

std::optional<size_t> InjectionFile::Lookup(std::string_view key) const {
  ReadLock lock(*this);
  if (!index_field_.has_value()) return std::nullopt;
  auto it = index_.find(base::ToAbsl(key));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

absl::Status InjectionFile::CheckWritableLocked(std::string_view action) const {
  if (frozen()) {
    return absl::FailedPreconditionError(Cat(path_, ": ", action, ": the file is frozen"));
  }
  if (printf_) {
    return absl::FailedPreconditionError(
        Cat(path_, ": ", action, ": cannot insert into or replace in a PRINTF file"));
  }
  return absl::OkStatus();
}

std::optional<std::string> InjectionFile::ShortRecordsWarning(int fields) const {
  size_t short_records = 0;
  size_t first = 0;
  for (size_t i = 0; i < parsed_fields_.size(); ++i) {
    if (parsed_fields_[i] >= fields) continue;
    if (short_records++ == 0) first = i;
  }
  if (short_records == 0) return std::nullopt;
  return Cat(path_, ":", parsed_lines_[first], ": ", parsed_fields_[first], " field",
             parsed_fields_[first] == 1 ? "" : "s", " where [field", fields - 1, "] needs ", fields,
             " (", short_records, " of ", parsed_fields_.size(),
             " lines): their calls send an empty value, as SIPp's do");
}

void InjectionFile::AddRecordLocked(std::string_view record) {
  records_.emplace_back(record);
  max_fields_ = std::max(max_fields_, FieldCount(record));
}

absl::Status InjectionFile::Insert(std::string_view record) {
  std::unique_lock lock(mutex_);
  if (absl::Status writable = CheckWritableLocked("insert"); !writable.ok()) return writable;
  AddRecordLocked(record);
  const size_t line = records_.size() - 1;
  if (index_field_.has_value()) index_.insert_or_assign(KeyOfLocked(line), line);
  return absl::OkStatus();
}

absl::Status InjectionFile::Replace(size_t line, std::string_view record) {
  std::unique_lock lock(mutex_);
  if (absl::Status writable = CheckWritableLocked("replace"); !writable.ok()) return writable;
  if (line >= records_.size()) {
    return absl::OutOfRangeError(Cat(path_, ": replace: line ", line, " does not exist (",
                                     records_.size(), " lines)"));
  }
  if (index_field_.has_value()) {
    auto it = index_.find(KeyOfLocked(line));
    if (it != index_.end() && it->second == line) index_.erase(it);
  }
  records_[line] = std::string(record);
  max_fields_ = std::max(max_fields_, FieldCount(record));
  if (index_field_.has_value()) index_.insert_or_assign(KeyOfLocked(line), line);
  return absl::OkStatus();
}

void InjectionFile::Freeze() {
  std::unique_lock lock(mutex_);
  frozen_.store(true, std::memory_order_release);
}

}  // namespace sipfleet::injection
