// libFuzzer target for CSV injection files (common/injection/
// injection_file.h): parse, then read every field of the first lines, index
// and look up, insert and replace, as a scenario's keywords and actions do.

#include <string>
#include <string_view>

#include "common/base/strings.h"
#include "common/injection/injection_file.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ::sipfleet::fuzz::Check;
  using ::sipfleet::injection::InjectionFile;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = InjectionFile::Parse(text, "fuzz.csv");
  if (!parsed.ok()) {
    Check(sipfleet::base::FromAbsl(parsed.status().message()).starts_with("fuzz.csv"));
    return 0;
  }
  InjectionFile& file = **parsed;
  const size_t lines = file.line_count();
  Check(lines > 0);
  const size_t probe = lines < 8 ? lines : 8;
  std::string out;
  for (size_t line = 0; line < probe; ++line) {
    for (int field = 0; field <= file.max_fields(); ++field) {
      const size_t before = out.size();
      if (!file.AppendField(line, field, &out)) Check(out.size() == before);
    }
  }
  Check(!file.AppendField(lines, 0, &out));
  for (uint64_t call = 0; call < 4; ++call) {
    const size_t line = file.LineForCall(call, call, call * 7919);
    Check(line < lines || line == InjectionFile::kNoLine);
  }
  (void)file.ShortRecordsWarning(file.max_fields() + 1);
  (void)InjectionFile::ParseLineOverride(text.substr(0, 32));
  // Index only small files: a PRINTF=N file indexes N virtual lines.
  if (lines <= 4096 && file.BuildIndex(0).ok()) {
    Check(file.indexed());
    std::string key;
    file.AppendField(0, 0, &key);
    Check(file.Lookup(key).has_value());
  }
  if (file.Insert("k;v").ok()) Check(file.line_count() == lines + 1);
  (void)file.Replace(0, "r;s");
  file.Freeze();
  Check(!file.Insert("x").ok());
  return 0;
}
