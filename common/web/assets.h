#ifndef SIPFLEET_COMMON_WEB_ASSETS_H_
#define SIPFLEET_COMMON_WEB_ASSETS_H_

// The page's files, embedded at build time (embed_assets.cmake): uPlot's
// script and style from npm (pinned in assets/package-lock.json) and our
// own template, script and style under assets/.
namespace sipfleet::web::internal {
extern const char kUplotJs[];
extern const char kUplotCss[];
extern const char kPageHtml[];
extern const char kPageJs[];
extern const char kPageCss[];
}  // namespace sipfleet::web::internal

#endif  // SIPFLEET_COMMON_WEB_ASSETS_H_
