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

void Replace(std::string* page, std::string_view marker, std::string_view with) {
  size_t at = page->find(marker);
  if (at != std::string::npos) page->replace(at, marker.size(), with);
}

}  // namespace

std::string RenderPage(std::string_view summary_json, const PageOptions& options) {
  std::string page = internal::kPageHtml;
  std::string config = base::Cat("{\"live\":", options.live ? "true" : "false",
                                  ",\"refresh_ms\":", options.refresh_ms,
                                  ",\"control\":", options.control ? "true" : "false", "}");
  // Each marker is replaced once, in document order, so replaced text is
  // never searched again.
  Replace(&page, "/*@UPLOT_CSS@*/", internal::kUplotCss);
  Replace(&page, "/*@PAGE_CSS@*/", internal::kPageCss);
  Replace(&page, "/*@CONFIG@*/", config);
  std::string data = InsideElement(summary_json);
  std::string scripts = base::Cat(InsideElement(internal::kUplotJs));
  std::string page_js = InsideElement(internal::kPageJs);
  size_t data_at = page.find("/*@DATA@*/");
  // Split at the data marker so that markers inside the data are inert.
  std::string head = page.substr(0, data_at);
  std::string tail = page.substr(data_at + std::string_view("/*@DATA@*/").size());
  Replace(&tail, "/*@UPLOT_JS@*/", scripts);
  size_t js_at = tail.rfind("/*@PAGE_JS@*/");
  tail.replace(js_at, std::string_view("/*@PAGE_JS@*/").size(), page_js);
  return base::Cat(head, data, tail);
}

absl::Status WriteReport(const std::string& path, std::string_view summary_json) {
  std::ofstream out(path, std::ios::trunc);
  out << RenderPage(summary_json, PageOptions{});
  out.close();
  if (!out) return absl::UnavailableError(base::Cat("-report_html ", path, ": cannot write"));
  return absl::OkStatus();
}

}  // namespace sipfleet::web
