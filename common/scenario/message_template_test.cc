#include "common/scenario/message_template.h"

#include "gtest/gtest.h"

namespace sipfleet::scenario {
namespace {

std::string LiteralBytes(const MessageTemplate& tmpl) {
  std::string out;
  for (const Segment& s : tmpl.segments()) {
    out += s.keyword == Keyword::kLiteral ? s.text : "<kw>";
  }
  return out;
}

MessageTemplate CompileOk(std::string_view cdata) {
  absl::StatusOr<MessageTemplate> t = MessageTemplate::Compile(cdata, {});
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *std::move(t) : MessageTemplate::Compile("X\n\n", {}).value();
}

TEST(CleanCdataTest, StripsIndentationAndAddsBlankLineWhenMissing) {
  EXPECT_EQ(CleanCdata("\n      OPTIONS sip:a SIP/2.0\n      Content-Length: 0]]"),
            "OPTIONS sip:a SIP/2.0\nContent-Length: 0]]\n\n");
}

TEST(CleanCdataTest, ManyTrailingLineFeedsCollapseToOneBlankLine) {
  // github-#0034 notify-manylf: trailing bytes "0\r\n\r\n".
  EXPECT_EQ(CleanCdata("A\n  Content-Length: 0\n\n\n\n    "), "A\nContent-Length: 0\n\n");
}

TEST(CleanCdataTest, BodyWithoutTrailingNewlineGetsNone) {
  // github-#0034 notify-1234: a binary body ends the message as written.
  EXPECT_EQ(CleanCdata("A\nContent-Length: 4\n\n      \\x01\\x02"),
            "A\nContent-Length: 4\n\n\\x01\\x02");
}

TEST(CleanCdataTest, BodyLineEndIsKeptOnce) {
  // github-#0034 notify-withlf: "3\r\n\r\nX\r\n".
  EXPECT_EQ(CleanCdata("A\nL: [len]\n\n      X\n    "), "A\nL: [len]\n\nX\n");
}

TEST(CleanCdataTest, TabOnlySeparatorLineCountsAsBlankLine) {
  // github-#0337: a TAB on the separator line, body ends "ncy\r\n".
  EXPECT_EQ(CleanCdata("\n\n\tSIP/2.0 488 No\n\tL: [len]\n\t\n\tv=0\n\ta=Redundancy\n\n"),
            "SIP/2.0 488 No\nL: [len]\n\nv=0\na=Redundancy\n");
}

TEST(MessageTemplateTest, SplitsLiteralsAndKeywordsAndConvertsLineEnds) {
  MessageTemplate t =
      CompileOk("INVITE sip:[service]@[remote_ip] SIP/2.0\nCSeq: [cseq+1] INVITE\n");
  EXPECT_EQ(LiteralBytes(t), "INVITE sip:<kw>@<kw> SIP/2.0\r\nCSeq: <kw> INVITE\r\n\r\n");
  EXPECT_EQ(t.method(), "INVITE");
  ASSERT_EQ(t.segments().size(), 7u);
  EXPECT_EQ(t.segments()[5].keyword, Keyword::kCseq);
  EXPECT_EQ(t.segments()[5].offset, 1);
}

TEST(MessageTemplateTest, DecodesHexEscapes) {
  MessageTemplate t = CompileOk("MESSAGE sip:a SIP/2.0\nX-Literal: \\x5bdate]\n");
  EXPECT_EQ(LiteralBytes(t), "MESSAGE sip:a SIP/2.0\r\nX-Literal: [date]\r\n\r\n");
}

TEST(MessageTemplateTest, LastHeaderKeywordsKeepTheirHeaderName) {
  MessageTemplate t = CompileOk("SIP/2.0 200 OK\n[last_Via:]\n[last_To]\n");
  EXPECT_EQ(t.status_code(), 200);
  EXPECT_TRUE(t.uses_last_message());
  EXPECT_EQ(t.segments()[1].keyword, Keyword::kLastHeader);
  EXPECT_EQ(t.segments()[1].text, "Via");
  EXPECT_TRUE(t.segments()[1].full_header);
  EXPECT_FALSE(t.segments()[3].full_header);
}

TEST(MessageTemplateTest, GenericKeysAreFoldedIntoLiterals) {
  absl::flat_hash_map<std::string, std::string> keys = {{"custom", "--"}};
  MessageTemplate::Options options{&keys};
  auto t = MessageTemplate::Compile("OPTIONS sip:a SIP/2.0\nX-Keyword: [custom]\n", options);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(LiteralBytes(*t), "OPTIONS sip:a SIP/2.0\r\nX-Keyword: --\r\n\r\n");
}

TEST(MessageTemplateTest, RejectsUnknownKeywordAndKeywordFirstLine) {
  EXPECT_FALSE(MessageTemplate::Compile("OPTIONS sip:a SIP/2.0\nX: [nosuch]\n", {}).ok());
  EXPECT_FALSE(MessageTemplate::Compile("[method] sip:a SIP/2.0\n", {}).ok());
  EXPECT_FALSE(MessageTemplate::Compile("SIP/2.0 99 Low\n", {}).ok());
  EXPECT_FALSE(MessageTemplate::Compile("   \n  ", {}).ok());
}

TEST(MessageTemplateTest, LaterIssueKeywordsAreRefusedAsNotSupportedYet) {
  auto t = MessageTemplate::Compile("OPTIONS sip:a SIP/2.0\nX: [field0]\n", {});
  EXPECT_EQ(t.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(std::string(t.status().message()).find("not supported yet"), std::string::npos);
}

}  // namespace
}  // namespace sipfleet::scenario
