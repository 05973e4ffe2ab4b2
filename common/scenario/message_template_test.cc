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
  auto t = MessageTemplate::Compile("OPTIONS sip:a SIP/2.0\nX: [tdmmap]\n", {});
  EXPECT_EQ(t.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(std::string(t.status().message()).find("not supported yet"), std::string::npos);
}

TEST(MessageTemplateTest, FieldNeedsAnInjectionFile) {
  auto t = MessageTemplate::Compile("OPTIONS sip:a SIP/2.0\nX: [field0]\n", {});
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(t.status().message()).find("-inf"), std::string::npos);
}

MessageTemplate::Options ResolvingOptions(std::vector<std::string>* names) {
  MessageTemplate::Options options;
  options.resolve_variable = [names](std::string_view name) -> absl::StatusOr<VariableRef> {
    names->emplace_back(name);
    return VariableRef{VarScope::kCall, static_cast<int16_t>(names->size() - 1)};
  };
  options.resolve_injection_file = [](std::string_view file) -> absl::StatusOr<int> {
    if (file.empty() || file == "users.csv") return file.empty() ? 0 : 1;
    return absl::InvalidArgumentError("no such file");
  };
  return options;
}

TEST(MessageTemplateTest, ParameterisedKeywordsCompile) {
  std::vector<std::string> names;
  auto t = MessageTemplate::Compile(
      "REGISTER sip:a SIP/2.0\n"
      "To: [field1 file=\"users.csv\" line=\"[$n]\"]\n"
      "[authentication username=\"[field0]\" password=secret]\n"
      "X: [$v] [fill variable=len text=\"ab\"] [routes] [next_url] [dynamic_id]\n",
      ResolvingOptions(&names));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(names, (std::vector<std::string>{"n", "v", "len"}));
  EXPECT_TRUE(t->has_authentication());
  std::vector<Keyword> keywords;
  for (const Segment& s : t->segments()) {
    if (s.keyword != Keyword::kLiteral) keywords.push_back(s.keyword);
  }
  EXPECT_EQ(keywords, (std::vector<Keyword>{Keyword::kField, Keyword::kAuthentication,
                                            Keyword::kVariable, Keyword::kFill, Keyword::kRoutes,
                                            Keyword::kNextUrl, Keyword::kDynamicId}));
  const Segment& field = t->segments()[1];
  EXPECT_EQ(field.field, 1);
  EXPECT_EQ(field.file, 1);
  ASSERT_NE((*field.args)[0], nullptr);
  const Segment& auth = t->segments()[3];
  ASSERT_NE((*auth.args)[kAuthUsername], nullptr);
  EXPECT_EQ((*auth.args)[kAuthUsername]->segments()[0].keyword, Keyword::kField);
  EXPECT_EQ((*auth.args)[kAuthPassword]->segments()[0].text, "secret");
  EXPECT_EQ((*auth.args)[kAuthAkaK], nullptr);
}

TEST(MessageTemplateTest, KeywordParameterErrorsAreClear) {
  std::vector<std::string> names;
  auto opts = ResolvingOptions(&names);
  EXPECT_NE(std::string(MessageTemplate::Compile("A b SIP/2.0\n[field0 file=\"x.csv\"]\n", opts)
                            .status()
                            .message())
                .find("no such file"),
            std::string::npos);
  EXPECT_NE(std::string(MessageTemplate::Compile("A b SIP/2.0\n[authentication user=x]\n", opts)
                            .status()
                            .message())
                .find("unknown parameter 'user'"),
            std::string::npos);
  EXPECT_FALSE(
      MessageTemplate::Compile("A b SIP/2.0\n[authentication][authentication]\n", opts).ok());
  EXPECT_FALSE(MessageTemplate::Compile("A b SIP/2.0\n[fill text=x]\n", opts).ok());
  EXPECT_FALSE(MessageTemplate::Compile("A b SIP/2.0\n[file name=\"/nonexistent/x\"]\n", opts).ok());
}

TEST(MessageTemplateTest, FileKeywordInsertsContentsVerbatim) {
  std::string path = testing::TempDir() + "/file_keyword.txt";
  FILE* f = fopen(path.c_str(), "wb");
  fputs("v=0\nbody", f);
  fclose(f);
  auto t = MessageTemplate::Compile("A b SIP/2.0\n\n[file name=\"" + path + "\"]\n", {});
  ASSERT_TRUE(t.ok()) << t.status();
  std::string all;
  for (const Segment& s : t->segments()) all += s.text;
  EXPECT_NE(all.find("v=0\nbody"), std::string::npos);
}

}  // namespace
}  // namespace sipfleet::scenario
