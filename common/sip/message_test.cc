#include "common/sip/message.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::sip {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::string_view kInvite =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "v=0\n";

constexpr std::string_view kOkResponse =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bKnashds8;received=192.0.2.3, "
    "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

constexpr std::string_view kCompact =
    "BYE sip:alice@pc33.atlanta.example.com SIP/2.0\n"
    "v: SIP/2.0/TCP 192.0.2.4;branch=z9hG4bKnashds10\n"
    "t: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
    "f: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\n"
    "i: a84b4c76e66710\n"
    "CSeq: 231 BYE\n"
    "l: 0\n"
    "\n";

absl::Status ParseStatus(std::string_view text) { return Message::Parse(text).status(); }

void ExpectInvalid(std::string_view text, std::string_view reason_part) {
  absl::StatusOr<Message> message = Message::Parse(text);
  ASSERT_FALSE(message.ok()) << text;
  EXPECT_EQ(message.status().code(), absl::StatusCode::kInvalidArgument) << text;
  EXPECT_THAT(std::string(message.status().message()), HasSubstr(std::string(reason_part))) << text;
}

TEST(MessageParseTest, ParsesRequestStartLineAndShortcuts) {
  absl::StatusOr<Message> message = Message::Parse(kInvite);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_TRUE(message->is_request());
  EXPECT_EQ(message->method(), "INVITE");
  EXPECT_EQ(message->request_uri(), "sip:bob@biloxi.example.com");
  EXPECT_EQ(message->status_code(), 0);
  EXPECT_EQ(message->start_line(), "INVITE sip:bob@biloxi.example.com SIP/2.0");
  EXPECT_EQ(message->call_id(), "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(message->cseq_number(), 314159u);
  EXPECT_EQ(message->cseq_method(), "INVITE");
  EXPECT_EQ(message->to_tag(), "");
  EXPECT_TRUE(message->has_to());
  EXPECT_EQ(message->top_via_branch(), "z9hG4bK776asdhds");
  EXPECT_EQ(message->body(), "v=0\n");
  EXPECT_EQ(message->raw(), kInvite);
  EXPECT_EQ(message->headers().size(), 9u);
  EXPECT_TRUE(message->header_section().starts_with("INVITE "));
  EXPECT_TRUE(message->header_section().ends_with("Content-Length: 4"));
}

TEST(MessageParseTest, AcceptsEmptyRequestUriAsSippSendsIt) {
  // SIPp's "[next_url] SIP/2.0" with no stored route set (regress #0458).
  absl::StatusOr<Message> message =
      Message::Parse("ACK  SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 ACK\r\n\r\n");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->method(), "ACK");
  EXPECT_EQ(message->request_uri(), "");
  EXPECT_FALSE(message->has_to());
}

TEST(MessageParseTest, ParsesResponseStatusLine) {
  absl::StatusOr<Message> message = Message::Parse(kOkResponse);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_FALSE(message->is_request());
  EXPECT_EQ(message->status_code(), 200);
  EXPECT_EQ(message->reason(), "OK");
  EXPECT_EQ(message->method(), "");
  EXPECT_EQ(message->to_tag(), "a6c85cf");
  EXPECT_EQ(message->cseq_method(), "INVITE");
  EXPECT_EQ(message->body(), "");
}

TEST(MessageParseTest, KeepsMultiWordReasonAndAcceptsEmptyReason) {
  absl::StatusOr<Message> message = Message::Parse("SIP/2.0 486 Busy Here\r\n\r\n");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->status_code(), 486);
  EXPECT_EQ(message->reason(), "Busy Here");
  message = Message::Parse("SIP/2.0 180\r\n\r\n");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->status_code(), 180);
  EXPECT_EQ(message->reason(), "");
}

TEST(MessageParseTest, TakesTopViaBranchFromFirstElementOfCommaList) {
  absl::StatusOr<Message> message = Message::Parse(kOkResponse);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->top_via_branch(), "z9hG4bKnashds8");
  message = Message::Parse(
      "SIP/2.0 100 Trying\r\nVia: SIP/2.0/UDP a.example.com, SIP/2.0/UDP b;branch=z9hG4bKb\r\n"
      "Via: SIP/2.0/UDP c;branch=z9hG4bKc\r\n\r\n");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->top_via_branch(), "");
}

TEST(MessageParseTest, AcceptsCompactHeaderForms) {
  absl::StatusOr<Message> message = Message::Parse(kCompact);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->method(), "BYE");
  EXPECT_EQ(message->call_id(), "a84b4c76e66710");
  EXPECT_EQ(message->to_tag(), "1928301774");
  EXPECT_EQ(message->top_via_branch(), "z9hG4bKnashds10");
  EXPECT_EQ(message->cseq_number(), 231u);
  ASSERT_NE(message->FindHeader("From"), nullptr);
  EXPECT_EQ(message->FindHeader("From")->value, "Bob <sip:bob@biloxi.example.com>;tag=a6c85cf");
  ASSERT_NE(message->FindHeader("content-length"), nullptr);
  EXPECT_EQ(message->FindHeader("content-length")->value, "0");
  EXPECT_EQ(message->FindHeader("Via"), message->FindHeader("v"));
}

TEST(MessageParseTest, ExpandsEveryCompactForm) {
  const std::pair<std::string_view, std::string_view> kForms[] = {
      {"i", "Call-ID"},
      {"m", "Contact"},
      {"e", "Content-Encoding"},
      {"l", "Content-Length"},
      {"c", "Content-Type"},
      {"f", "From"},
      {"s", "Subject"},
      {"k", "Supported"},
      {"t", "To"},
      {"v", "Via"},
      {"o", "Event"},
      {"r", "Refer-To"},
      {"b", "Referred-By"},
      {"u", "Allow-Events"},
      {"x", "Session-Expires"},
      {"a", "Accept-Contact"},
      {"j", "Reject-Contact"},
      {"d", "Request-Disposition"},
      {"y", "Identity"},
      {"n", "Identity-Info"},
  };
  for (const auto& [compact, full] : kForms) {
    EXPECT_EQ(ExpandCompactName(compact), full) << compact;
    const std::string upper(1, static_cast<char>(compact[0] - 'a' + 'A'));
    EXPECT_EQ(ExpandCompactName(upper), full) << upper;
    EXPECT_TRUE(SameHeaderName(compact, full));
    EXPECT_TRUE(SameHeaderName(full, upper));
  }
  EXPECT_EQ(ExpandCompactName("z"), "z");
  EXPECT_EQ(ExpandCompactName("Via"), "Via");
  EXPECT_EQ(ExpandCompactName(""), "");
  EXPECT_FALSE(SameHeaderName("v", "To"));
  EXPECT_FALSE(SameHeaderName("z", "Via"));
}

TEST(MessageParseTest, LooksUpHeadersCaseInsensitively) {
  absl::StatusOr<Message> message = Message::Parse(kInvite);
  ASSERT_TRUE(message.ok()) << message.status();
  const HeaderField* header = message->FindHeader("CALL-id");
  ASSERT_NE(header, nullptr);
  EXPECT_EQ(header->name, "Call-ID");
  EXPECT_EQ(header->line, "Call-ID: a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(message->FindHeader("i"), header);
  EXPECT_EQ(message->FindHeader("I"), header);
  EXPECT_EQ(message->FindHeader("max-forwards")->value, "70");
  EXPECT_EQ(message->FindHeader("X-Missing"), nullptr);
  EXPECT_EQ(message->FindHeader("z"), nullptr);
  EXPECT_TRUE(message->FindAll("Route").empty());
}

TEST(MessageParseTest, FindAllReturnsRepeatedHeadersInWireOrder) {
  absl::StatusOr<Message> message = Message::Parse(
      "OPTIONS sip:x@y SIP/2.0\r\n"
      "Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\n"
      "Route: <sip:r1>\r\n"
      "v: SIP/2.0/UDP b;branch=z9hG4bK2\r\n"
      "ROUTE: <sip:r2>\r\n"
      "VIA: SIP/2.0/UDP c;branch=z9hG4bK3\r\n"
      "\r\n");
  ASSERT_TRUE(message.ok()) << message.status();
  std::vector<std::string_view> values;
  for (const HeaderField* header : message->FindAll("via")) values.push_back(header->value);
  EXPECT_THAT(values, ElementsAre("SIP/2.0/UDP a;branch=z9hG4bK1", "SIP/2.0/UDP b;branch=z9hG4bK2",
                                  "SIP/2.0/UDP c;branch=z9hG4bK3"));
  EXPECT_EQ(message->FindAll("v").size(), 3u);
  EXPECT_EQ(message->FindAll("Route").size(), 2u);
  EXPECT_EQ(message->top_via_branch(), "z9hG4bK1");
}

TEST(MessageParseTest, AcceptsAnyWhitespaceAroundColon) {
  absl::StatusOr<Message> message = Message::Parse(
      "OPTIONS sip:x@y SIP/2.0\r\n"
      "Call-ID :  abc \r\n"
      "To:<sip:x@y>;tag=t1\r\n"
      "CSeq\t:\t7\tOPTIONS\t\r\n"
      "X-Empty:\r\n"
      "\r\n");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->call_id(), "abc");
  EXPECT_EQ(message->FindHeader("Call-ID")->name, "Call-ID");
  EXPECT_EQ(message->to_tag(), "t1");
  EXPECT_EQ(message->cseq_number(), 7u);
  EXPECT_EQ(message->cseq_method(), "OPTIONS");
  EXPECT_EQ(message->FindHeader("x-empty")->value, "");
}

TEST(MessageParseTest, JoinsFoldedContinuationLines) {
  constexpr std::string_view kFolded =
      "MESSAGE sip:x@y SIP/2.0\r\n"
      "Subject: I know you're there,\r\n"
      "   pick up the phone\r\n"
      "\tand talk to me!\r\n"
      "CSeq:\r\n"
      " 42 MESSAGE\r\n"
      "\r\n";
  absl::StatusOr<Message> message = Message::Parse(kFolded);
  ASSERT_TRUE(message.ok()) << message.status();
  ASSERT_EQ(message->headers().size(), 2u);
  const HeaderField* subject = message->FindHeader("s");
  ASSERT_NE(subject, nullptr);
  EXPECT_EQ(subject->value, "I know you're there,\r\n   pick up the phone\r\n\tand talk to me!");
  EXPECT_EQ(subject->line,
            "Subject: I know you're there,\r\n   pick up the phone\r\n\tand talk to me!");
  EXPECT_EQ(message->cseq_number(), 42u);
  EXPECT_EQ(message->cseq_method(), "MESSAGE");
}

TEST(MessageParseTest, AcceptsLfOnlyLineEnds) {
  absl::StatusOr<Message> message = Message::Parse(kCompact);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->start_line(), "BYE sip:alice@pc33.atlanta.example.com SIP/2.0");
  EXPECT_EQ(message->FindHeader("i")->line, "i: a84b4c76e66710");
  message = Message::Parse("SIP/2.0 200 OK\nl: 3\n\nabc");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->body(), "abc");
}

TEST(MessageParseTest, IgnoresCrlfBeforeStartLine) {
  const std::string text = "\r\n\r\n" + std::string(kOkResponse);
  absl::StatusOr<Message> message = Message::Parse(text);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->raw(), kOkResponse);
}

TEST(MessageParseTest, ContentLengthBoundsBodyAndIgnoresTrailingBytes) {
  const std::string text = std::string(kInvite) + "GARBAGE AFTER BODY";
  absl::StatusOr<Message> message = Message::Parse(text);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->body(), "v=0\n");
  EXPECT_EQ(message->raw(), kInvite);
}

TEST(MessageParseTest, RejectsBodyShorterThanContentLength) {
  std::string_view truncated = kInvite.substr(0, kInvite.size() - 1);
  ExpectInvalid(truncated, "shorter than Content-Length");
  ExpectInvalid("SIP/2.0 200 OK\r\nContent-Length: 10\r\n\r\n123456789", "Content-Length");
}

TEST(MessageParseTest, WithoutContentLengthBodyIsRestOfBuffer) {
  absl::StatusOr<Message> message =
      Message::Parse("MESSAGE sip:x@y SIP/2.0\r\nCall-ID: c\r\n\r\nhello\r\nworld");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->body(), "hello\r\nworld");
  EXPECT_TRUE(message->raw().ends_with("world"));
}

TEST(MessageParseTest, AcceptsDatagramEndingAfterLastHeader) {
  absl::StatusOr<Message> message = Message::Parse("SIP/2.0 200 OK\r\nCall-ID: abc\r\n");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->call_id(), "abc");
  EXPECT_EQ(message->body(), "");
  message = Message::Parse("SIP/2.0 200 OK\r\nCall-ID: abc\r\nContent-Length: 0");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->FindHeader("l")->value, "0");
  message = Message::Parse("SIP/2.0 200 OK");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_TRUE(message->headers().empty());
  EXPECT_EQ(message->header_section(), "SIP/2.0 200 OK");
}

TEST(MessageParseTest, RejectsMissingBlankLineWhenBodyDeclared) {
  ExpectInvalid("SIP/2.0 200 OK\r\nContent-Length: 3\r\n", "missing blank line");
}

TEST(MessageParseTest, RejectsEmptyInputAndMissingStartLine) {
  ExpectInvalid("", "empty message");
  ExpectInvalid("\r\n\r\n", "empty message");
  ExpectInvalid("Call-ID: abc\r\n\r\n", "malformed start line");
  ExpectInvalid(" INVITE sip:x SIP/2.0\r\n\r\n", "malformed start line");
  ExpectInvalid("INVITE\r\n\r\n", "Request-URI");
  ExpectInvalid("INVITE sip:x\r\n\r\n", "bad SIP version");
  ExpectInvalid("INV\x01TE sip:x SIP/2.0\r\n\r\n", "malformed start line");
  constexpr char kNulInUri[] = "INVITE sip:\0x SIP/2.0\r\n\r\n";
  ExpectInvalid(std::string_view(kNulInUri, sizeof(kNulInUri) - 1), "control character");
}

TEST(MessageParseTest, RejectsBadSipVersion) {
  ExpectInvalid("INVITE sip:x@y SIP/1.0\r\n\r\n", "bad SIP version");
  ExpectInvalid("INVITE sip:x@y SIP/2.0 extra\r\n\r\n", "bad SIP version");
  ExpectInvalid("SIP/3.0 200 OK\r\n\r\n", "bad SIP version");
  ExpectInvalid("SIP/2.00 200 OK\r\n\r\n", "bad SIP version");
  EXPECT_TRUE(ParseStatus("invite sip:x@y sip/2.0\r\n\r\n").ok());
}

TEST(MessageParseTest, RejectsBadStatusCode) {
  ExpectInvalid("SIP/2.0 20 OK\r\n\r\n", "3 digits");
  ExpectInvalid("SIP/2.0 2000 OK\r\n\r\n", "3 digits");
  ExpectInvalid("SIP/2.0 2x0 OK\r\n\r\n", "3 digits");
  ExpectInvalid("SIP/2.0\r\n\r\n", "3 digits");
  ExpectInvalid("SIP/2.0 099 Low\r\n\r\n", "out of range");
  ExpectInvalid("SIP/2.0 700 High\r\n\r\n", "out of range");
  EXPECT_TRUE(ParseStatus("SIP/2.0 100 Trying\r\n\r\n").ok());
  EXPECT_TRUE(ParseStatus("SIP/2.0 699 Max\r\n\r\n").ok());
}

TEST(MessageParseTest, RejectsMalformedHeaderLines) {
  ExpectInvalid("OPTIONS sip:x SIP/2.0\r\nNoColonHere\r\n\r\n", "without colon");
  ExpectInvalid("OPTIONS sip:x SIP/2.0\r\n: value\r\n\r\n", "empty header name");
  ExpectInvalid("OPTIONS sip:x SIP/2.0\r\n  \t: value\r\n\r\n", "continuation line");
  ExpectInvalid("OPTIONS sip:x SIP/2.0\r\nBad Name: value\r\n\r\n", "header name");
  ExpectInvalid("OPTIONS sip:x SIP/2.0\r\n folded: first\r\n\r\n", "continuation line");
}

TEST(MessageParseTest, RejectsMalformedCSeq) {
  ExpectInvalid("OPTIONS sip:x SIP/2.0\r\nCSeq: abc OPTIONS\r\n\r\n", "non-numeric CSeq");
  ExpectInvalid("OPTIONS sip:x SIP/2.0\r\nCSeq: 12a OPTIONS\r\n\r\n", "non-numeric CSeq");
  ExpectInvalid("OPTIONS sip:x SIP/2.0\r\nCSeq:\r\n\r\n", "non-numeric CSeq");
  ExpectInvalid("OPTIONS sip:x SIP/2.0\r\nCSeq: 12\r\n\r\n", "CSeq without method");
  ExpectInvalid("OPTIONS sip:x SIP/2.0\r\nCSeq: 12 OPT IONS\r\n\r\n", "CSeq method");
  ExpectInvalid("OPTIONS sip:x SIP/2.0\r\nCSeq: 4294967296 OPTIONS\r\n\r\n", "out of range");
  absl::StatusOr<Message> message =
      Message::Parse("OPTIONS sip:x SIP/2.0\r\nCSeq: 4294967295 OPTIONS\r\n\r\n");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->cseq_number(), 4294967295u);
}

TEST(MessageParseTest, RejectsMalformedContentLength) {
  ExpectInvalid("SIP/2.0 200 OK\r\nContent-Length: abc\r\n\r\n", "non-numeric Content-Length");
  ExpectInvalid("SIP/2.0 200 OK\r\nl: -1\r\n\r\n", "non-numeric Content-Length");
  ExpectInvalid("SIP/2.0 200 OK\r\nl: 1 2\r\n\r\n12", "non-numeric Content-Length");
  ExpectInvalid("SIP/2.0 200 OK\r\nContent-Length:\r\n\r\n", "empty Content-Length");
  ExpectInvalid("SIP/2.0 200 OK\r\nl: 99999999999999999999999\r\n\r\n", "out of range");
  ExpectInvalid("SIP/2.0 200 OK\r\nl: 1\r\nContent-Length: 2\r\n\r\nab", "conflicting");
  EXPECT_TRUE(ParseStatus("SIP/2.0 200 OK\r\nl: 2\r\nContent-Length: 02\r\n\r\nab").ok());
}

TEST(MessageParseTest, UsesFirstOfRepeatedShortcutHeaders) {
  absl::StatusOr<Message> message = Message::Parse(
      "SIP/2.0 200 OK\r\nCall-ID: first\r\ni: second\r\nTo: <sip:a>;tag=1\r\n"
      "t: <sip:b>;tag=2\r\nCSeq: 1 INVITE\r\nCSeq: 2 BYE\r\n\r\n");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->call_id(), "first");
  EXPECT_EQ(message->to_tag(), "1");
  EXPECT_EQ(message->cseq_number(), 1u);
  EXPECT_EQ(message->cseq_method(), "INVITE");
}

TEST(HeaderParamTest, FindsParameterOutsideAngleBrackets) {
  EXPECT_EQ(HeaderParam("\"Bob\" <sip:b@x>;tag=123", "tag"), "123");
  EXPECT_EQ(HeaderParam("<sip:b@x;tag=inside>;tag=outside", "tag"), "outside");
  EXPECT_EQ(HeaderParam("<sip:b@x;tag=inside>", "tag"), "");
  EXPECT_EQ(HeaderParam("sip:b@x;TAG=abc", "tag"), "abc");
  EXPECT_EQ(HeaderParam("sip:b@x;tag=abc", "TAG"), "abc");
  EXPECT_EQ(HeaderParam("sip:b@x ; tag = abc ;x=y", "tag"), "abc");
}

TEST(HeaderParamTest, ValueEndsAtDelimiters) {
  EXPECT_EQ(HeaderParam("SIP/2.0/UDP h;branch=z9;rport", "branch"), "z9");
  EXPECT_EQ(HeaderParam("SIP/2.0/UDP h;branch=z9, SIP/2.0/UDP g", "branch"), "z9");
  EXPECT_EQ(HeaderParam("<sip:h;branch=x>;branch=z9>", "branch"), "z9");
  EXPECT_EQ(HeaderParam("h;branch=z9 trailing", "branch"), "z9");
  EXPECT_EQ(HeaderParam("h;branch=z9\tx", "branch"), "z9");
  EXPECT_EQ(HeaderParam("h;branch=", "branch"), "");
}

TEST(HeaderParamTest, RequiresExactParameterName) {
  EXPECT_EQ(HeaderParam("h;tagx=1;tag=2", "tag"), "2");
  EXPECT_EQ(HeaderParam("h;xtag=1", "tag"), "");
  EXPECT_EQ(HeaderParam("h;lr;tag=3", "lr"), "");
  EXPECT_EQ(HeaderParam("h tag=1", "tag"), "");
  EXPECT_EQ(HeaderParam("", "tag"), "");
  EXPECT_EQ(HeaderParam("h;tag=1", ""), "");
}

TEST(HeaderParamTest, SkipsQuotedStringsAndUnclosedBrackets) {
  EXPECT_EQ(HeaderParam("\"A;tag=fake\" <sip:a>;tag=real", "tag"), "real");
  EXPECT_EQ(HeaderParam("\"A \\\" ;tag=fake\" <sip:a>;tag=real", "tag"), "real");
  EXPECT_EQ(HeaderParam("<sip:a;tag=x", "tag"), "");
  EXPECT_EQ(HeaderParam("\"unterminated;tag=x", "tag"), "");
  EXPECT_EQ(HeaderParam("\"ends in backslash\\", "tag"), "");
}

TEST(PeekCallIdTest, FindsLongAndCompactFormsInHeaderSection) {
  EXPECT_EQ(PeekCallId(kInvite), "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(PeekCallId(kCompact), "a84b4c76e66710");
  EXPECT_EQ(PeekCallId("SIP/2.0 200 OK\r\nCALL-ID :  xyz  \r\n\r\n"), "xyz");
  EXPECT_EQ(PeekCallId("SIP/2.0 200 OK\r\nI:\txyz"), "xyz");
  EXPECT_EQ(PeekCallId("\r\nSIP/2.0 200 OK\r\ncall-id:q\r\n"), "q");
}

TEST(PeekCallIdTest, IgnoresLookalikesStartLineAndBody) {
  EXPECT_EQ(PeekCallId("SIP/2.0 200 OK\r\nCall-IDX: no\r\nIn-Reply-To: no\r\n\r\n"), "");
  EXPECT_EQ(PeekCallId("Call-ID: start-line\r\n\r\n"), "");
  EXPECT_EQ(PeekCallId("SIP/2.0 200 OK\r\n\r\nCall-ID: in-body\r\n"), "");
  EXPECT_EQ(PeekCallId("SIP/2.0 200 OK\r\n Call-ID: folded\r\n"), "");
  EXPECT_EQ(PeekCallId(""), "");
  EXPECT_EQ(PeekCallId("\r\n"), "");
  EXPECT_EQ(PeekCallId("SIP/2.0 200 OK"), "");
  EXPECT_EQ(PeekCallId("SIP/2.0 200 OK\r\nCall-ID"), "");
}

// --- Deterministic robustness test ----------------------------------------

// splitmix64: a fixed-seed generator so every run sees the same inputs.
class TestRng {
 public:
  explicit TestRng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t bound) { return static_cast<size_t>(Next() % bound); }

 private:
  uint64_t state_;
};

bool Inside(std::string_view view, std::string_view buffer) {
  if (view.empty()) return true;
  const auto begin = reinterpret_cast<uintptr_t>(buffer.data());
  const auto first = reinterpret_cast<uintptr_t>(view.data());
  return first >= begin && first + view.size() <= begin + buffer.size();
}

std::string Escape(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

// Parses `input` (which must be its own heap buffer so ASan can catch
// overreads) and checks every view lies inside it. Returns false on a bad view.
bool CheckOne(const std::string& input, size_t* parsed) {
  const std::string_view buffer(input);
  const std::string_view peeked = PeekCallId(buffer);
  if (!Inside(peeked, buffer)) return false;
  absl::StatusOr<Message> message = Message::Parse(buffer);
  if (!message.ok()) return true;
  ++*parsed;
  const Message& m = *message;
  for (std::string_view view :
       {m.raw(), m.start_line(), m.method(), m.request_uri(), m.reason(), m.header_section(),
        m.body(), m.call_id(), m.cseq_method(), m.to_tag(), m.top_via_branch()}) {
    if (!Inside(view, buffer) || !Inside(view, m.raw())) return false;
  }
  for (const HeaderField& header : m.headers()) {
    if (!Inside(header.name, header.line) || !Inside(header.value, header.line) ||
        !Inside(header.line, m.header_section())) {
      return false;
    }
    if (!Inside(HeaderParam(header.value, "tag"), buffer)) return false;
  }
  if (m.is_request() == m.method().empty()) return false;
  if (!m.is_request() && (m.status_code() < 100 || m.status_code() > 699)) return false;
  return true;
}

TEST(MessageRobustnessTest, SurvivesRandomTruncatedAndMutatedInput) {
  const std::string_view kSeeds[] = {kInvite, kOkResponse, kCompact,
                                     "MESSAGE sip:x@y SIP/2.0\r\nSubject: a,\r\n b\r\n"
                                     "Via: SIP/2.0/UDP h;branch=z9, SIP/2.0/UDP g;branch=q\r\n"
                                     "t: \"B;tag=no\" <sip:b;tag=no>;tag=yes\r\n\r\nbody"};
  const std::string_view kAlphabet[] = {"\r\n",   "\n",  ":",       " ",  "\t",  ";",
                                        ",",      "<",   ">",       "\"", "=",   "SIP/2.0",
                                        "INVITE", "200", "Call-ID", "i",  "l",   "Content-Length",
                                        "CSeq",   "Via", "v",       "t",  "tag", "branch",
                                        "1",      "99",  "\\",      "\r"};
  TestRng rng(0x5eedf00dULL);
  size_t total = 0;
  size_t parsed = 0;
  auto check = [&](const std::string& input) {
    ++total;
    return CheckOne(input, &parsed);
  };
  // Every prefix of every seed message.
  for (std::string_view seed : kSeeds) {
    for (size_t n = 0; n <= seed.size(); ++n) {
      const std::string input(seed.substr(0, n));
      ASSERT_TRUE(check(input)) << Escape(input);
    }
  }
  while (total < 200'000) {
    std::string input;
    switch (rng.Below(3)) {
      case 0: {  // Random bytes, biased towards short buffers.
        const size_t length = rng.Below(rng.Below(4) == 0 ? 512 : 48);
        for (size_t i = 0; i < length; ++i) input.push_back(static_cast<char>(rng.Next()));
        break;
      }
      case 1: {  // A seed with random byte flips, optionally truncated.
        input = std::string(kSeeds[rng.Below(std::size(kSeeds))]);
        const size_t flips = 1 + rng.Below(4);
        for (size_t i = 0; i < flips; ++i) {
          input[rng.Below(input.size())] = static_cast<char>(rng.Next());
        }
        if (rng.Below(2) == 0) input.resize(rng.Below(input.size() + 1));
        break;
      }
      default: {  // SIP-ish tokens glued together.
        input = rng.Below(2) == 0 ? "INVITE sip:a SIP/2.0\r\n" : "SIP/2.0 180 Ringing\n";
        const size_t pieces = rng.Below(40);
        for (size_t i = 0; i < pieces; ++i) input += kAlphabet[rng.Below(std::size(kAlphabet))];
        break;
      }
    }
    ASSERT_TRUE(check(input)) << Escape(input);
  }
  EXPECT_GT(parsed, 1000u);  // The generator must reach the success paths too.
}

}  // namespace
}  // namespace sipfleet::sip
