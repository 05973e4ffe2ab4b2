#ifndef SIPFLEET_COMMON_WEB_PAGE_H_
#define SIPFLEET_COMMON_WEB_PAGE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace sipfleet::web {

struct PageOptions {
  // Live page (-web): polls summary.json every refresh_ms. Otherwise a
  // report (-report_html): the data given is all there is.
  bool live = false;
  int64_t refresh_ms = 1000;
  // -web_control: the key buttons (rate up/down, pause/resume, quit).
  bool control = false;
};

// One self-contained HTML document (uPlot and our script and style inline,
// no external reference) showing `summary_json` (a
// sipfleet.results.v1.Summary in protobuf's JSON).
std::string RenderPage(std::string_view summary_json, const PageOptions& options);

// Writes the report (RenderPage, not live) to `path`. Errors: the file
// cannot be written.
absl::Status WriteReport(const std::string& path, std::string_view summary_json);

}  // namespace sipfleet::web

#endif  // SIPFLEET_COMMON_WEB_PAGE_H_
