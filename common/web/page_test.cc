#include "common/web/page.h"

#include "gtest/gtest.h"

namespace sipfleet::web {
namespace {

TEST(PageTest, ReportIsOneSelfContainedDocument) {
  std::string page = RenderPage(R"({"verdict":"passed","scenario":"a</script>b"})", {});
  EXPECT_NE(page.find("uPlot"), std::string::npos);               // uPlot is inline
  EXPECT_NE(page.find("\"verdict\":\"passed\""), std::string::npos);
  EXPECT_NE(page.find("a<\\/script>b"), std::string::npos);       // cannot close the element
  EXPECT_EQ(page.find("/*@"), std::string::npos);                 // every marker replaced
  EXPECT_EQ(page.find("src=\"http"), std::string::npos);          // nothing fetched
  EXPECT_EQ(page.find("href=\"http"), std::string::npos);
  EXPECT_NE(page.find("{\"live\":false,"), std::string::npos);
}

TEST(PageTest, LivePageCarriesItsPeriodAndControl) {
  std::string page = RenderPage("{}", {true, 250, true});
  EXPECT_NE(page.find("{\"live\":true,\"refresh_ms\":250,\"control\":true}"), std::string::npos);
}

}  // namespace
}  // namespace sipfleet::web
