#include "common/web/page.h"

#include <fstream>

#include "common/base/strings.h"
#include "common/web/assets.h"

namespace sipfleet::web {
namespace {

// Text placed inside a <script> or <style> element: "</" could close it
// early, so it becomes "<\/" (the same string in JSON and JavaScript
// strings; our CSS never contains it).
std::string InsideElement(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    out.push_back(text[i]);
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') out.push_back('\\');
  }
  return out;
}

// Replaces the first `marker` at or after `from`; returns where the
// replacement ends (or `from` when the marker is absent).
size_t Replace(std::string* page, std::string_view marker, std::string_view with,
               size_t from = 0) {
  size_t at = page->find(marker, from);
  if (at == std::string::npos) return from;
  page->replace(at, marker.size(), with);
  return at + with.size();
}

// The embedded scripts as they go inside <script>: escaped once per process
// (immutable afterwards).
const std::string& UplotScript() {
  static const std::string kScript = InsideElement(internal::kUplotJs);
  return kScript;
}
const std::string& PageScript() {
  static const std::string kScript = InsideElement(internal::kPageJs);
  return kScript;
}

}  // namespace

std::string RenderPage(std::string_view summary_json, const PageOptions& options) {
  std::string page = internal::kPageHtml;
  std::string config = base::Cat("{\"live\":", options.live ? "true" : "false",
                                  ",\"refresh_ms\":", options.refresh_ms,
                                  ",\"control\":", options.control ? "true" : "false", "}");
  // The markers come in this order in page.html; each search starts where
  // the previous replacement ended, so inserted text (the styles) is never
  // searched for markers.
  size_t at = Replace(&page, "/*@UPLOT_CSS@*/", internal::kUplotCss);
  at = Replace(&page, "/*@PAGE_CSS@*/", internal::kPageCss, at);
  at = Replace(&page, "/*@CONFIG@*/", config, at);
  // Split at the data marker so that markers inside the data are inert.
  constexpr std::string_view kData = "/*@DATA@*/";
  size_t data_at = page.find(kData, at);
  std::string head = page.substr(0, data_at);
  std::string tail = page.substr(data_at + kData.size());
  size_t tail_at = Replace(&tail, "/*@UPLOT_JS@*/", UplotScript());
  Replace(&tail, "/*@PAGE_JS@*/", PageScript(), tail_at);
  return base::Cat(head, InsideElement(summary_json), tail);
}

absl::Status WriteReport(const std::string& path, std::string_view summary_json) {
  std::ofstream out(path, std::ios::trunc);
  out << RenderPage(summary_json, PageOptions{});
  out.close();
  if (!out) return absl::UnavailableError(base::Cat("-report_html ", path, ": cannot write"));
  return absl::OkStatus();
}

}  // namespace sipfleet::web
