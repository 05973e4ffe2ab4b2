// Our built-in scenarios must be message for message SIPp's: same elements,
// attributes and, once compiled, the same literal bytes and keywords. SIPp's
// own copies are read from shared/sipp at test time (GPL data, not shipped).

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/scenario/embedded.h"
#include "common/scenario/loader.h"
#include "gtest/gtest.h"

namespace sipfleet::scenario {
namespace {

std::string SippScenarioPath(std::string_view name) {
  const char* dir = std::getenv("SIPP_SCENARIO_DIR");
  return std::string(dir ? dir : SIPP_SCENARIO_DIR_DEFAULT) + "/" + std::string(name) + ".xml";
}

void ExpectSameScenario(std::string_view name) {
  if (!std::filesystem::exists(SippScenarioPath(name))) {
    GTEST_SKIP() << "SIPp's scenario corpus is not there (" << SippScenarioPath(name)
                 << "): nothing to compare with";
  }
  auto ours = LoadScenario(*EmbeddedScenario(name), name, {});
  ASSERT_TRUE(ours.ok()) << ours.status();
  auto theirs = LoadScenarioFile(SippScenarioPath(name), {});
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  const Scenario& a = **ours;
  const Scenario& b = **theirs;
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.rtd_names, b.rtd_names);
  EXPECT_EQ(a.response_time_repartition_ms, b.response_time_repartition_ms);
  EXPECT_EQ(a.call_length_repartition_ms, b.call_length_repartition_ms);
  ASSERT_EQ(a.elements.size(), b.elements.size());
  for (size_t i = 0; i < a.elements.size(); ++i) {
    SCOPED_TRACE(testing::Message() << name << " element " << i);
    const Element& x = a.elements[i];
    const Element& y = b.elements[i];
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.recv_request, y.recv_request);
    EXPECT_EQ(x.recv_response, y.recv_response);
    EXPECT_EQ(x.optional, y.optional);
    EXPECT_EQ(x.retrans_ms, y.retrans_ms);
    EXPECT_EQ(x.timewait, y.timewait);
    EXPECT_EQ(x.pause.source, y.pause.source);
    EXPECT_EQ(x.pause.milliseconds, y.pause.milliseconds);
    EXPECT_EQ(x.start_rtds, y.start_rtds);
    EXPECT_EQ(x.stop_rtds, y.stop_rtds);
    EXPECT_EQ(x.crlf, y.crlf);
    ASSERT_EQ(x.message == nullptr, y.message == nullptr);
    if (x.message == nullptr) continue;
    const auto& xs = x.message->segments();
    const auto& ys = y.message->segments();
    ASSERT_EQ(xs.size(), ys.size());
    for (size_t s = 0; s < xs.size(); ++s) {
      EXPECT_EQ(xs[s].keyword, ys[s].keyword) << "segment " << s;
      EXPECT_EQ(xs[s].text, ys[s].text) << "segment " << s;
      EXPECT_EQ(xs[s].offset, ys[s].offset) << "segment " << s;
    }
  }
}

TEST(EmbeddedEquivalenceTest, UacMatchesSipp) { ExpectSameScenario("uac"); }
TEST(EmbeddedEquivalenceTest, UasMatchesSipp) { ExpectSameScenario("uas"); }

}  // namespace
}  // namespace sipfleet::scenario
