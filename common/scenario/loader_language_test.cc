// Loader tests for the scenario language of SIPP_NOTES §3.1-§3.4: actions,
// variables, transactions and SIPp's validation rules.

#include <string>

#include "common/scenario/loader.h"
#include "gtest/gtest.h"

namespace sipfleet::scenario {
namespace {

constexpr std::string_view kInvite = R"(<send><![CDATA[
  INVITE sip:a SIP/2.0
  Content-Length: 0
]]></send>)";

absl::StatusOr<std::shared_ptr<const Scenario>> Load(std::string_view body,
                                                     LoadOptions options = {}) {
  return LoadScenario(std::string("<scenario>\n") + std::string(body) + "\n</scenario>\n",
                      "t.xml", options);
}

std::string ErrorOf(std::string_view body, LoadOptions options = {}) {
  auto loaded = Load(body, options);
  return loaded.ok() ? "" : std::string(loaded.status().message());
}

TEST(LoaderLanguageTest, EveryActionLoads) {
  LoadOptions options;
  options.injection_files = {"users.csv"};
  auto loaded = Load(std::string(kInvite) + R"xml(
<recv response="200">
  <action>
    <ereg regexp="o=([a-z]*) ([0-9]*)" search_in="body" check_it="true" assign_to="all,user,id"/>
    <ereg regexp="ua" search_in="hdr" header="From:" case_indep="true" occurence="2" assign_to="f"/>
    <ereg regexp="x" search_in="var" variable="user" check_it_inverse="true" assign_to="g"/>
    <log message="call [call_id] [$all]"/>
    <warning message="w [$f]"/>
    <assign assign_to="n" value="2"/>
    <add assign_to="n" value="1.5"/>
    <subtract assign_to="n" variable="id"/>
    <multiply assign_to="n" value="3"/>
    <divide assign_to="n" value="2"/>
    <assignstr assign_to="s" value="[$n]-[field0]"/>
    <sample assign_to="d" distribution="normal" mean="10" stdev="2"/>
    <todouble assign_to="n2" variable="s"/>
    <test assign_to="t" variable="n" compare="greater_than_equal" value="3"/>
    <test variable="n" compare="less_than" variable2="n2" check_it="true"/>
    <strcmp assign_to="c" variable="s" value="abc"/>
    <trim assign_to="s"/>
    <index assign_to="i"/>
    <gettimeofday assign_to="sec,usec"/>
    <lookup assign_to="line" file="users.csv" key="[$user]"/>
    <insert file="users.csv" value="a;b"/>
    <replace file="users.csv" line="0" value="c;d"/>
    <urlencode variable="g"/>
    <urldecode variable="g"/>
    <exec command="true"/>
    <exec int_cmd="stop_gracefully"/>
    <setdest host="127.0.0.1" port="5060" protocol="udp"/>
    <closecon/>
    <pauserestore value="0"/>
  </action>
</recv>
<nop><action><jump value="0"/></action></nop>
<Reference variables="t,c,i,sec,usec,line,d"/>)xml",
                     options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const Element& recv = (*loaded)->elements[1];
  ASSERT_EQ(recv.actions.size(), 29u);
  EXPECT_EQ(recv.actions[0].kind, ActionKind::kEreg);
  EXPECT_EQ(recv.actions[0].search_in, SearchIn::kBody);
  EXPECT_EQ(recv.actions[0].assign_to.size(), 3u);
  EXPECT_TRUE(recv.actions[1].case_indep);
  EXPECT_EQ(recv.actions[1].occurrence, 2);
  EXPECT_EQ(recv.actions[14].compare, Compare::kLessThan);
  EXPECT_TRUE(recv.actions[14].variable2.valid());
  EXPECT_EQ(recv.actions[19].file, 0);
  EXPECT_EQ(recv.actions[25].kind, ActionKind::kExecIntCmd);
  EXPECT_TRUE((*loaded)->needs_call_extras);
  EXPECT_TRUE((*loaded)->uses_injection);
}

TEST(LoaderLanguageTest, ValidationErrorsAreLocated) {
  // SIPp: a variable mentioned once is a typo unless listed in <Reference>.
  EXPECT_NE(ErrorOf(std::string(kInvite) +
                    "\n<recv response=\"200\"><action>\n<ereg regexp=\"x\" assign_to=\"lonely\"/>"
                    "</action></recv>")
                .find("t.xml:7: variable 'lonely' is used only once"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(std::string(kInvite) +
                    "\n<recv response=\"200\"><action><ereg regexp=\"x\" assign_to=\"r\"/>"
                    "</action></recv><Reference variables=\"r\"/>"),
            "");
  EXPECT_NE(ErrorOf(std::string(kInvite) + "\n<nop>\n<action><jump value=\"1\"/></action></nop>")
                .find("t.xml:7: <jump> to its own element"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kInvite) +
                    "\n<recv response=\"200\"><action>\n<ereg regexp=\"(\" assign_to=\"a\"/>"
                    "</action></recv><Reference variables=\"a\"/>")
                .find("t.xml:7: regular expression '(' does not compile"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kInvite) + "\n<nop><action>\n<frobnicate/></action></nop>")
                .find("t.xml:7: unknown action <frobnicate>"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kInvite) + "\n<nop><action><divide assign_to=\"x\" value=\"0\"/>"
                                           "</action></nop><Reference variables=\"x\"/>")
                .find("by a literal 0"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kInvite) +
                    "\n<nop><action><lookup assign_to=\"x\" file=\"u.csv\" key=\"k\"/>"
                    "</action></nop><Reference variables=\"x\"/>")
                .find("no -inf file"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kInvite) +
                    "\n<recv response=\"100\" optional=\"true\"/>\n<send><![CDATA[\nACK sip:a "
                    "SIP/2.0\n]]></send>")
                .find("t.xml:7: <recv> before <send> sequence without a mandatory message"),
            std::string::npos);
}

TEST(LoaderLanguageTest, TransactionsAreChecked) {
  std::string send_txn = R"(<send start_txn="inv"><![CDATA[
  INVITE sip:a SIP/2.0
]]></send>
<recv response="200" response_txn="inv"/>)";
  EXPECT_NE(ErrorOf(send_txn).find("INVITE transaction without an ACK"), std::string::npos);
  auto loaded = Load(send_txn + R"(
<send ack_txn="inv"><![CDATA[
  ACK sip:a SIP/2.0
]]></send>)");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->transaction_names, std::vector<std::string>{"inv"});
  EXPECT_EQ((*loaded)->elements[1].response_txn, 0);
  // Transaction sends are matched by branch, not by the method list.
  EXPECT_EQ((*loaded)->elements[1].prior_request_methods, "");
  EXPECT_NE(ErrorOf(std::string(kInvite) + "\n<recv response=\"200\" response_txn=\"x\"/>")
                .find("never started"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<send ack_txn=\"x\"><![CDATA[\nBYE sip:a SIP/2.0\n]]></send>")
                .find("only allowed on an ACK"),
            std::string::npos);
}

TEST(LoaderLanguageTest, CommonAttributesAndBlocks) {
  auto loaded = Load(std::string(R"(<Global variables="g"/>
<User variables="u"/>
<init>
  <nop><action><assign assign_to="g" value="1"/></action></nop>
  <label id="x"/>
</init>
<DefaultMessage id="bye"><![CDATA[
  BYE sip:x SIP/2.0
]]></DefaultMessage>)") + std::string(kInvite) + R"(
<recv response="200" rrs="true" auth="true" next="end" test="g" chance="0.5"/>
<nop condexec="u" condexec_inverse="true"/>
<pause variable="g"/>
<pause distribution="uniform" min="1" max="5"/>
<label id="end"/>
<label id="_unexp.main"/>
<recv request="B.*" regexp_match="true"/>
<timewait milliseconds="10"/>)");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const Scenario& s = **loaded;
  EXPECT_EQ(s.global_variables, std::vector<std::string>{"g"});
  EXPECT_EQ(s.user_variables, std::vector<std::string>{"u"});
  EXPECT_EQ(s.init_elements.size(), 1u);
  EXPECT_NE(s.default_messages[static_cast<size_t>(DefaultMessageId::kBye)], nullptr);
  EXPECT_EQ(s.elements[1].next, 5);
  EXPECT_EQ(s.elements[1].test.scope, VarScope::kGlobal);
  EXPECT_DOUBLE_EQ(s.elements[1].chance, 0.5);
  EXPECT_TRUE(s.elements[1].rrs && s.elements[1].auth);
  EXPECT_TRUE(s.elements[2].condexec_inverse);
  EXPECT_EQ(s.elements[3].pause.source, PauseSpec::Source::kVariable);
  EXPECT_EQ(s.elements[4].pause.source, PauseSpec::Source::kDistribution);
  EXPECT_EQ(s.unexpected_label, 5);
  EXPECT_NE(s.elements[5].recv_regex, nullptr);
  EXPECT_NE(ErrorOf("<init><send/></init><recv request=\"A\"/>").find("not allowed in <init>"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<DefaultMessage id=\"zz\"/><recv request=\"A\"/>").find("unknown <DefaultMessage>"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<recv request=\"A\" chance=\"2\" next=\"a\"/><label id=\"a\"/>").find("between 0 and 1"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<pause distribution=\"normal\" mean=\"1\"/><recv request=\"A\"/>").find("stdev"),
            std::string::npos);
}

}  // namespace
}  // namespace sipfleet::scenario
