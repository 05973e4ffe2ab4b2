#include "common/scenario/loader.h"

#include "common/scenario/embedded.h"
#include "gtest/gtest.h"

namespace sipfleet::scenario {
namespace {

std::string ErrorOf(std::string_view xml) {
  auto loaded = LoadScenario(xml, "t.xml", {});
  return loaded.ok() ? "" : std::string(loaded.status().message());
}

constexpr std::string_view kSend = R"(<send><![CDATA[
  OPTIONS sip:a SIP/2.0
  Content-Length: 0
]]></send>)";

TEST(LoaderTest, LoadsEmbeddedUacAndUas) {
  for (std::string_view name : {"uac", "uas"}) {
    auto loaded = LoadScenario(*EmbeddedScenario(name), name, {});
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ((*loaded)->stem, name);
    EXPECT_EQ((*loaded)->rtd_names, std::vector<std::string>{"1"});
    EXPECT_EQ((*loaded)->response_time_repartition_ms.size(), 8u);
  }
  auto uac = LoadScenario(*EmbeddedScenario("uac"), "uac", {});
  EXPECT_EQ((*uac)->mode, Mode::kClient);
  EXPECT_EQ((*uac)->elements.size(), 9u);
  EXPECT_EQ((*uac)->elements[1].optional, Optional::kYes);
  EXPECT_EQ((*uac)->elements[8].prior_request_methods, "INVITEACKBYE");
  auto uas = LoadScenario(*EmbeddedScenario("uas"), "uas", {});
  EXPECT_EQ((*uas)->mode, Mode::kServer);
  EXPECT_TRUE((*uas)->needs_last_message);
  EXPECT_TRUE((*uas)->elements.back().timewait);
}

TEST(LoaderTest, SyntaxErrorIsLocated) {
  EXPECT_EQ(ErrorOf("<scenario>\n<send>\n</scenario>\n").substr(0, 8), "t.xml:3:");
}

TEST(LoaderTest, UnknownElementIsLocated) {
  std::string error =
      ErrorOf(std::string("<scenario>\n") + std::string(kSend) + "\n<bogus/>\n</scenario>");
  EXPECT_NE(error.find("t.xml:6: unknown element <bogus>"), std::string::npos) << error;
}

TEST(LoaderTest, NextToMissingLabelIsLocated) {
  std::string error =
      ErrorOf("<scenario>\n<recv request=\"INVITE\" next=\"nowhere\"/>\n</scenario>");
  EXPECT_NE(error.find("t.xml:2: 'next' refers to undefined label 'nowhere'"), std::string::npos)
      << error;
}

TEST(LoaderTest, BadAttributeValuesAreLocated) {
  EXPECT_NE(ErrorOf("<scenario>\n<recv response=\"abc\"/></scenario>").find("t.xml:2:"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<scenario>\n\n<recv response=\"200\" optional=\"maybe\"/></scenario>")
                .find("t.xml:3: invalid value 'maybe'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<scenario><recv response=\"800\"/></scenario>").find("100-699"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<scenario>\n<pause milliseconds=\"-5\"/></scenario>").find("t.xml:2:"),
            std::string::npos);
}

TEST(LoaderTest, StructuralRulesAreEnforced) {
  EXPECT_NE(ErrorOf("<scenario><recv/></scenario>").find("needs 'response' or 'request'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string("<scenario><timewait/>") + std::string(kSend) + "</scenario>")
                .find("must be the last element"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<scenario><label id=\"a\"/><label id=\"a\"/><recv request=\"A\"/></scenario>")
                .find("duplicate label"),
            std::string::npos);
}

TEST(LoaderTest, LaterIssueFeaturesAreRefusedByName) {
  auto loaded = LoadScenario("<scenario>\n<sendCmd/></scenario>", "t.xml", {});
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(std::string(loaded.status().message()).find("t.xml:2: element <sendCmd>"),
            std::string::npos);
  loaded = LoadScenario(
      "<scenario><recv request=\"A\"><action>\n<exec play_pcap_audio=\"x.pcap\"/>"
      "</action></recv></scenario>",
      "t.xml", {});
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(std::string(loaded.status().message()).find("t.xml:2:"), std::string::npos);
}

TEST(LoaderTest, LabelsAndRtdsResolveToIndices) {
  auto loaded = LoadScenario(R"(<scenario>
    <recv request="INVITE" next="end" start_rtd="setup"/>
    <recv request="ACK" rtd="setup"/>
    <label id="end"/>
    <recv request="BYE" counter="byes"/>
  </scenario>)",
                             "t.xml", {});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->elements[0].next, 2);
  EXPECT_EQ((*loaded)->rtd_names, std::vector<std::string>{"setup"});
  EXPECT_EQ((*loaded)->counter_names, std::vector<std::string>{"byes"});
  EXPECT_EQ((*loaded)->elements[2].counter, 0);
}

}  // namespace
}  // namespace sipfleet::scenario
