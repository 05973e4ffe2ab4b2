// libFuzzer target for the scenario loader (common/scenario/loader.h): XML
// text in, a scenario or a located error out. Inputs naming device or proc
// files are skipped: a media attribute would make the loader read them.

#include <string>
#include <string_view>

#include "common/base/strings.h"
#include "common/scenario/field_use.h"
#include "common/scenario/loader.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ::sipfleet::fuzz::Check;
  namespace scenario = ::sipfleet::scenario;
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  for (std::string_view skip : {"/dev", "/proc", "/sys"}) {
    if (xml.find(skip) != std::string_view::npos) return 0;
  }
  scenario::LoadOptions options;
  options.injection_files = {"users.csv", "other.csv"};
  options.generic_keys["key"] = "value";
  options.media_search_dirs = {"/nonexistent-sipfleet-fuzz"};
  auto loaded = scenario::LoadScenario(xml, "fuzz.xml", options);
  if (!loaded.ok()) {
    // Errors are located: "fuzz.xml:<line>: ..." (or the no-file cases).
    std::string_view message = sipfleet::base::FromAbsl(loaded.status().message());
    Check(message.starts_with("fuzz.xml:") || message.find("-inf") != std::string_view::npos ||
          message.find("injection file") != std::string_view::npos);
    return 0;
  }
  const scenario::Scenario& loaded_scenario = **loaded;
  Check(!loaded_scenario.elements.empty());
  for (const std::string& warning : loaded_scenario.warnings) {
    Check(warning.starts_with("fuzz.xml:"));
  }
  for (const scenario::FieldUse& use : scenario::WidestFieldUses(loaded_scenario)) {
    Check(use.file >= 0 && use.file < 2 && use.fields >= 1);
  }
  for (const scenario::Element& element : loaded_scenario.elements) {
    Check(element.next == scenario::kNoIndex ||
          (element.next >= 0 && element.next <= static_cast<int>(loaded_scenario.elements.size())));
  }
  return 0;
}
