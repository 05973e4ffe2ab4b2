#include "common/runtime/last_message.h"

#include "common/runtime/expander.h"
#include "common/scenario/embedded.h"
#include "common/scenario/loader.h"
#include "gtest/gtest.h"

namespace sipfleet::runtime {
namespace {

std::shared_ptr<const scenario::Scenario> Load(std::string_view xml) {
  auto loaded = scenario::LoadScenario(xml, "t.xml", {});
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded.ok() ? *loaded : nullptr;
}

int IndexOfRecv(const scenario::Scenario& s, std::string_view method) {
  for (size_t i = 0; i < s.elements.size(); ++i) {
    if (s.elements[i].is_recv() && s.elements[i].recv_request == method) return static_cast<int>(i);
  }
  return -1;
}

constexpr std::string_view kInvite =
    "INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\n"
    "v: SIP/2.0/UDP 10.0.0.1:5061;branch=z9hG4bK-2\r\n"
    "From: sipp <sip:sipp@127.0.0.1:5061>;tag=1\r\n"
    "To: service <sip:service@127.0.0.1:5060>\r\n"
    "Call-ID: 1-2@127.0.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: sip:sipp@127.0.0.1:5061\r\n"
    "Max-Forwards: 70\r\n"
    "Subject: Performance Test\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 4\r\n\r\n"
    "v=0\n";

TEST(LastMessagePolicyTest, UasKeepsOnlyUsedHeadersAndDropsThemWhileHolding) {
  auto uas = Load(*scenario::EmbeddedScenario("uas"));
  ASSERT_NE(uas, nullptr);
  LastMessagePolicy policy(*uas);
  EXPECT_FALSE(policy.whole_message());
  // The INVITE and the BYE are answered with [last_*]; after the ACK, the
  // next thing the call does is wait for the BYE, which replaces it.
  EXPECT_TRUE(policy.KeepAfter(IndexOfRecv(*uas, "INVITE")));
  EXPECT_FALSE(policy.KeepAfter(IndexOfRecv(*uas, "ACK")));
  EXPECT_TRUE(policy.KeepAfter(IndexOfRecv(*uas, "BYE")));

  auto full = sip::Message::Parse(kInvite);
  ASSERT_TRUE(full.ok());
  std::string kept;
  policy.Keep(*full, &kept);
  EXPECT_EQ(kept.find("Subject"), std::string::npos) << kept;
  EXPECT_EQ(kept.find("Max-Forwards"), std::string::npos) << kept;
  EXPECT_EQ(kept.find("v=0"), std::string::npos) << kept;
  auto reduced = sip::Message::Parse(kept);
  ASSERT_TRUE(reduced.ok()) << reduced.status();
  // Every message the UAS sends expands the same from the kept part.
  for (const scenario::Element& element : uas->elements) {
    if (element.message == nullptr) continue;
    Call call;
    std::string a, b;
    ExpandInputs inputs;
    inputs.last_message = &*full;
    Expand(*element.message, RunValues(), call, inputs, &a);
    inputs.last_message = &*reduced;
    Expand(*element.message, RunValues(), call, inputs, &b);
    EXPECT_EQ(a, b);
  }
}

TEST(LastMessagePolicyTest, LastMessageKeepsTheWholeMessage) {
  auto s = Load(R"(<scenario><recv request="INVITE"/><send><![CDATA[
SIP/2.0 200 OK
[last_message]
]]></send></scenario>)");
  ASSERT_NE(s, nullptr);
  LastMessagePolicy policy(*s);
  EXPECT_TRUE(policy.whole_message());
  EXPECT_TRUE(policy.KeepAfter(0));
  auto full = sip::Message::Parse(kInvite);
  ASSERT_TRUE(full.ok());
  std::string kept;
  policy.Keep(*full, &kept);
  EXPECT_EQ(kept, kInvite);
}

TEST(LastMessagePolicyTest, JumpsKeepItAfterEveryRecv) {
  constexpr std::string_view kLinear = R"(<scenario>
<recv request="INVITE"/>
<recv request="ACK"/>
<pause milliseconds="10"/>
<send><![CDATA[
BYE sip:x SIP/2.0
CSeq: [last_cseq_number] BYE
]]></send></scenario>)";
  auto linear = Load(kLinear);
  ASSERT_NE(linear, nullptr);
  LastMessagePolicy a(*linear);
  EXPECT_FALSE(a.KeepAfter(0));  // the ACK comes before any use
  EXPECT_TRUE(a.KeepAfter(1));
  ASSERT_EQ(a.header_names().size(), 1u);
  EXPECT_EQ(a.header_names()[0], "CSeq");

  std::string looping(kLinear);
  looping.replace(looping.find("<pause"), 0, "<label id=\"1\"/>");
  looping.replace(looping.find("<recv request=\"ACK\"/>"), 21,
                  "<recv request=\"ACK\" next=\"1\"/>");
  auto jumps = Load(looping);
  ASSERT_NE(jumps, nullptr);
  LastMessagePolicy b(*jumps);
  EXPECT_TRUE(b.KeepAfter(0));
}

TEST(LastMessagePolicyTest, OnlyAMandatoryRecvEndsTheWalk) {
  auto s = Load(R"(<scenario>
<recv request="INVITE"/>
<recv request="INFO" optional="true"/>
<recv request="ACK"/>
<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
]]></send></scenario>)");
  ASSERT_NE(s, nullptr);
  LastMessagePolicy policy(*s);
  EXPECT_FALSE(policy.KeepAfter(0));
  EXPECT_FALSE(policy.KeepAfter(1));
  EXPECT_TRUE(policy.KeepAfter(2));
}

}  // namespace
}  // namespace sipfleet::runtime
