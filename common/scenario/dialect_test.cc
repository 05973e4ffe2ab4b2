#include "common/scenario/dialect.h"

#include <algorithm>
#include <string>

#include "common/base/strings.h"
#include "common/scenario/loader.h"
#include "gtest/gtest.h"

namespace sipfleet::scenario {
namespace {

constexpr std::string_view kDeclaration = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n";
constexpr std::string_view kSend = R"(<send><![CDATA[
  OPTIONS sip:a SIP/2.0
  Content-Length: 0
]]></send>)";

// A client scenario: the declaration, <scenario>, `body`, a <send>.
std::string ClientScenario(std::string_view body) {
  return base::Cat(kDeclaration, "<scenario name=\"t\">\n", body, "\n", kSend, "\n</scenario>\n");
}

absl::StatusOr<std::shared_ptr<const sipfleet::scenario::Scenario>> Load(std::string_view xml) {
  return LoadScenario(xml, "t.xml", {});
}

std::string ErrorOf(std::string_view xml) {
  auto loaded = Load(xml);
  return loaded.ok() ? "" : std::string(loaded.status().message());
}

// The literal text of a template without keywords.
std::string LiteralOf(const MessageTemplate& text) {
  std::string literal;
  for (const Segment& segment : text.segments()) {
    EXPECT_EQ(segment.keyword, Keyword::kLiteral);
    literal += segment.text;
  }
  return literal;
}

// The first action of a scenario whose first element is <nop> with `actions`
// (which may assign the variables all, user and v).
Action FirstAction(std::string_view actions) {
  auto loaded = Load(ClientScenario(base::Cat(
      "<nop><action>", actions, "</action></nop>\n<Reference variables=\"all,user,v\"/>")));
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  if (!loaded.ok() || (*loaded)->elements[0].actions.empty()) return Action();
  return (*loaded)->elements[0].actions[0];
}

std::string LogMessage(std::string_view message_attribute) {
  Action action = FirstAction(base::Cat("<log message=", message_attribute, "/>"));
  return action.text ? LiteralOf(*action.text) : "<no text>";
}

TEST(DialectTest, BackslashEscapesInDoubleQuotedValues) {
  Action ereg = FirstAction(
      R"(<ereg regexp="username=\"([a-z]+)\"" search_in="msg" assign_to="all,user"/>)");
  ASSERT_NE(ereg.regex, nullptr);
  EXPECT_EQ(ereg.regex->pattern(), R"x(username="([a-z]+)")x");
  // \\ \" \n \t \r are decoded; any other backslash stays with its character.
  // (Action texts turn a line feed into CRLF, as SIPp's messages do.)
  EXPECT_EQ(LogMessage(R"("a\\b\"c\nd\te\rf\qg\.h")"), "a\\b\"c\r\nd\te\rf\\qg\\.h");
}

TEST(DialectTest, EntitiesAreDecodedOnlyWhereSippDecodesThem) {
  // log message is one of SIPp's unescaped attributes: amp, lt, gt, quot,
  // and any prefix of them ("&a;", "&;"); &apos; and numeric references stay.
  EXPECT_EQ(LogMessage(R"("1&amp;2&lt;3&gt;4&quot;5&apos;6&#65;7&a;8&;9&q;&l;&g;")"),
            "1&2<3>4\"5&apos;6&#65;7&8&9\"<>");
  EXPECT_EQ(LogMessage(R"("a & b; &ampx; &amp")"), "a & b; &ampx; &amp");
  // exec command is read as written.
  Action exec = FirstAction(R"(<exec command="a &amp;&amp; b &lt; c"/>)");
  ASSERT_NE(exec.text, nullptr);
  EXPECT_EQ(LiteralOf(*exec.text), "a &amp;&amp; b &lt; c");
  Action ereg = FirstAction(
      R"(<ereg regexp="a&lt;b" search_in="hdr" header="X-&amp;:" assign_to="v"/>)");
  ASSERT_NE(ereg.regex, nullptr);
  EXPECT_EQ(ereg.regex->pattern(), "a<b");
  EXPECT_EQ(ereg.header, "X-&amp;:");
}

TEST(DialectTest, EntityDecodingRules) {
  EXPECT_EQ(DecodeSippEntities("&amp;&gt;&lt;&quot;"), "&><\"");
  EXPECT_EQ(DecodeSippEntities("&;&a;&am;&g;&l;&q;&qu;"), "&&&><\"\"");
  EXPECT_EQ(DecodeSippEntities("&apos;&#34;&#x22;&ampx;"), "&apos;&#34;&#x22;&ampx;");
  EXPECT_EQ(DecodeSippEntities("tail &amp"), "tail &amp");
  EXPECT_EQ(DecodeSippEntities("&&amp;"), "&&");
}

TEST(DialectTest, RawAmpersandAndLessThanInValues) {
  EXPECT_EQ(LogMessage(R"("a & b && c < d > e")"), "a & b && c < d > e");
}

TEST(DialectTest, AttributeWithoutValueIsIgnored) {
  auto loaded =
      Load(ClientScenario("<nop crlf hide><action><log message=\"x\" hide/></action></nop>"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_FALSE((*loaded)->elements[0].crlf);
  EXPECT_FALSE((*loaded)->elements[0].hide);
}

TEST(DialectTest, AttributeGluedToTheOneBeforeIsIgnored) {
  // SIPp finds attributes by name after a blank: "b" in a="1"b="2" is not.
  EXPECT_EQ(LogMessage(R"("ok"message="two")"), "ok");
  EXPECT_EQ(ErrorOf(ClientScenario(R"(<nop><action><log hide="x"message="m"/></action></nop>)")),
            "t.xml:3: <log> needs 'message'");
}

TEST(DialectTest, SingleQuotedValueIsReadAsXml) {
  EXPECT_EQ(LogMessage(R"('a"b &amp; c')"), "a\"b & c");
}

TEST(DialectTest, ValuesKeepTheirNewlinesAndTabs) {
  EXPECT_EQ(LogMessage("\"a\nb\tc\r\nd\""), "a\r\nb\tc\r\nd");
}

TEST(DialectTest, CommentsDoctypeAndProcessingInstructions) {
  std::string xml = ClientScenario(
      "<!-- a -- b <send> -->\n<!-->\n<nop <!-- in a tag --> ><action><log message=\"ok\"/>"
      "</action></nop>");
  xml.insert(kDeclaration.size(),
             "<?xml-model href=\"sipp.rng\"?>\n<!DOCTYPE scenario [ <!ENTITY e \"x\"> ]>\n"
             "<?other instruction?>\n");
  auto loaded = Load(xml);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->elements.size(), 2u);
}

TEST(DialectTest, TextOutsideCdataIsIgnored) {
  std::string xml = base::Cat(
      kDeclaration, "junk before\n<scenario name=\"t\">text\n<nop>x<action>y</action>z</nop>\n",
      "<send>junk<![CDATA[\n  OPTIONS sip:a SIP/2.0\n  X-A: 1]]>\n",
      "<![CDATA[\n  X-B: 2\n]]></send>\n</scenario>\ntrailing text &amp; > ]]>\n");
  auto loaded = Load(xml);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  // Only the first CDATA section is the message.
  std::string message = LiteralOf(*(*loaded)->elements[1].message);
  EXPECT_NE(message.find("X-A: 1"), std::string::npos) << message;
  EXPECT_EQ(message.find("X-B"), std::string::npos) << message;
  EXPECT_EQ(message.find("junk"), std::string::npos) << message;
}

TEST(DialectTest, CommentedOutCdataBeforeTheMessageIsTheMessage) {
  auto loaded = Load(base::Cat(kDeclaration,
                               "<scenario>\n<send><!-- <![CDATA[INFO sip:old SIP/2.0\n]]> -->\n"
                               "<![CDATA[OPTIONS sip:new SIP/2.0\n]]></send>\n",
                               "<send><![CDATA[BYE sip:a SIP/2.0\n]]><!-- <![CDATA[INFO sip:x "
                               "SIP/2.0\n]]> --></send>\n</scenario>\n"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->elements[0].message->method(), "INFO");
  EXPECT_EQ((*loaded)->elements[1].message->method(), "BYE");
}

TEST(DialectTest, MissingScenarioEndTagIsAccepted) {
  std::string xml = ClientScenario("");
  xml.erase(xml.find("</scenario>"));
  auto loaded = Load(xml);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->elements.size(), 1u);
}

TEST(DialectTest, ElementsOutsideScenarioAreRefused) {
  EXPECT_EQ(ErrorOf(ClientScenario("") + "\n<extra/>\n"),
            "t.xml:10: XML syntax error: element <extra> after </scenario>");
  std::string body = ClientScenario("").substr(kDeclaration.size());
  EXPECT_EQ(ErrorOf(base::Cat(kDeclaration, "<foo/>\n", body)),
            "t.xml:2: XML syntax error: the first element is <foo>, not <scenario>");
}

TEST(DialectTest, BytesAreNotTranscoded) {
  // SIPp ignores the declared encoding: a Latin-1 byte stays one byte.
  EXPECT_EQ(LogMessage("\"caf\xe9\""), "caf\xe9");
  auto loaded = Load(base::Cat(kDeclaration,
                               "<scenario><send><![CDATA[MESSAGE sip:a SIP/2.0\n\ncaf\xe9]]></send>"
                               "</scenario>"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  std::string message = LiteralOf(*(*loaded)->elements[0].message);
  EXPECT_NE(message.find("caf\xe9"), std::string::npos);
  EXPECT_EQ(message.find("\xc3\xa9"), std::string::npos);
}

TEST(DialectTest, FileEndsAtNulAndCarriageReturnsAreDropped) {
  std::string xml = ClientScenario("<nop><action><log message=\"a\r\rb\"/></action></nop>");
  xml.append(std::string("\0<broken", 8));
  auto loaded = Load(xml);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(LiteralOf(*(*loaded)->elements[0].actions[0].text), "ab");
}

TEST(DialectTest, ErrorsKeepTheirLines) {
  // Line 3 holds escaped newlines, line 4 a raw one: the bad value is on 7.
  std::string xml = ClientScenario(
      "<nop><action><log message=\"a\\nb\\nc\"/>\n<log message=\"two\nlines\"/>\n"
      "<log message=\"&amp;\"/></action></nop>\n<recv response=\"abc\"/>");
  EXPECT_EQ(ErrorOf(xml).substr(0, 8), "t.xml:7:") << ErrorOf(xml);
  // pugixml's own errors, after the rewrite, point at the input's line.
  std::string bad_name = base::Cat(kDeclaration, "<!-- one\ntwo -->\n<scenario>\n<se$nd/>");
  EXPECT_EQ(ErrorOf(bad_name), "t.xml:5: XML syntax error: Error parsing start element tag");
}

TEST(DialectTest, MalformedMarkupIsLocated) {
  EXPECT_EQ(ErrorOf("<scenario>\n<send>\n</scenario>\n"),
            "t.xml:3: XML syntax error: </scenario> where </send> was expected");
  EXPECT_EQ(ErrorOf("<scenario>\n<recv response=200/>\n</scenario>\n"),
            "t.xml:2: XML syntax error: the value of 'response' is not quoted");
  EXPECT_EQ(ErrorOf("<scenario>\n<recv response=\"200\n/>\n</scenario>\n"),
            "t.xml:2: XML syntax error: the value of 'response' is not closed ('\"' missing)");
  EXPECT_EQ(ErrorOf("<scenario>\n<!-- open\n"),
            "t.xml:2: XML syntax error: comment is not closed ('-->' missing)");
  EXPECT_EQ(ErrorOf("<scenario>\n<send>\n<nop>\n</scenario>\n").substr(0, 8), "t.xml:4:");
  EXPECT_EQ(ErrorOf("<scenario>\n<nop a=\"1\" <recv/>\n</scenario>\n"),
            "t.xml:2: XML syntax error: unexpected '<' in the <nop> tag");
}

TEST(DialectTest, RewriteKeepsLineCount) {
  std::string text = ClientScenario(
      "<!-- c\n -->\n<nop a=\"x\ny\\n\" b\n=\n'z'><action>\ntext\n</action></nop>");
  absl::StatusOr<std::string> rewritten = RewriteSippDialect(text, "t.xml");
  ASSERT_TRUE(rewritten.ok()) << rewritten.status();
  EXPECT_EQ(std::count(rewritten->begin(), rewritten->end(), '\n'),
            std::count(text.begin(), text.end(), '\n'));
  EXPECT_NE(rewritten->find("a=\"x\ny&#10;\""), std::string::npos) << *rewritten;
}

// Random edits of a scenario full of dialect constructs (seeded, so the same
// every run): the rewrite never reads out of bounds (no crash) and whatever
// it accepts keeps every line where it was.
TEST(DialectTest, RandomEditsKeepTheLineCount) {
  const std::string seed = ClientScenario(
      "<!-- c -- d -->\n<nop crlf <!-- t --> ><action><log message=\"a\\\"b&amp;\nc\"/>"
      "<exec command='x'/></action></nop>\n<send>t<![CDATA[INFO sip:a SIP/2.0\n]]></send>");
  constexpr std::string_view kAlphabet = "<>/!?-[]\"'\\=& \n\r\tax";
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>(state >> 33);
  };
  int accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = seed;
    for (int edit = next() % 4; edit >= 0; --edit) {
      size_t at = next() % (text.size() + 1);
      if (next() % 2 == 0 && at < text.size()) {
        text.erase(at, 1 + next() % 3);
      } else {
        text.insert(at, 1, kAlphabet[next() % kAlphabet.size()]);
      }
    }
    absl::StatusOr<std::string> rewritten = RewriteSippDialect(text, "t.xml");
    if (!rewritten.ok()) continue;
    ++accepted;
    std::string kept = text.substr(0, text.find('\0'));
    ASSERT_EQ(std::count(rewritten->begin(), rewritten->end(), '\n'),
              std::count(kept.begin(), kept.end(), '\n'))
        << text;
  }
  EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace sipfleet::scenario
