#include "common/scenario/embedded.h"
#include "common/scenario/loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::scenario {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> WarningsOf(std::string_view xml) {
  auto loaded = LoadScenario(xml, "t.xml", {});
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded.ok() ? (*loaded)->warnings : std::vector<std::string>{"not loaded"};
}

TEST(AttributeCheckTest, MisspeltSendAttributeWarnsWithClosestName) {
  auto loaded = LoadScenario(R"(<scenario>
<send retrams="500"><![CDATA[
  OPTIONS sip:a SIP/2.0
  Content-Length: 0
]]></send>
</scenario>)",
                             "t.xml", {});
  ASSERT_TRUE(loaded.ok()) << loaded.status();  // still loads, as in SIPp
  EXPECT_THAT((*loaded)->warnings,
              ElementsAre("t.xml:2: warning: unknown attribute 'retrams' on <send> "
                          "(closest known: 'retrans')"));
  EXPECT_EQ((*loaded)->elements[0].retrans_ms, 0);  // ignored, not guessed
}

TEST(AttributeCheckTest, ActionAndPauseAttributesAreChecked) {
  EXPECT_THAT(WarningsOf(R"(<scenario>
<recv request="INVITE">
  <action>
    <ereg regexp="a" serch_in="msg" assign_to="x"/>
    <log message="[$x]" level="3"/>
  </action>
</recv>
<pause milisecond="10"/>
<pause distribution="normal" mean="1" stdev="1"/>
<nop><action><exec int_cmd="stop_now"/></action></nop>
</scenario>)"),
              ElementsAre("t.xml:4: warning: unknown attribute 'serch_in' on <ereg> "
                          "(closest known: 'search_in')",
                          "t.xml:5: warning: unknown attribute 'level' on <log> "
                          "(closest known: 'message')",
                          "t.xml:8: warning: unknown attribute 'milisecond' on <pause> "
                          "(closest known: 'milliseconds')"));
}

TEST(AttributeCheckTest, AttributeOnElementTakingNoneWarns) {
  EXPECT_THAT(WarningsOf(R"(<scenario>
<recv request="INVITE"><action foo="1"><log message="a"/></action></recv>
</scenario>)"),
              ElementsAre("t.xml:2: warning: unknown attribute 'foo' on <action> (it takes none)"));
}

TEST(AttributeCheckTest, ShippedScenariosHaveNoWarnings) {
  for (std::string_view name : EmbeddedScenarioNames()) {
    if (name == "uac_pcap") continue;  // needs SIPp's pcap/g711a.pcap, not shipped
    LoadOptions options;
    options.injection_files = {"users.csv"};
    auto loaded = LoadScenario(*EmbeddedScenario(name), name, options);
    ASSERT_TRUE(loaded.ok()) << name << ": " << loaded.status();
    EXPECT_THAT((*loaded)->warnings, IsEmpty()) << name;
  }
}

}  // namespace
}  // namespace sipfleet::scenario
