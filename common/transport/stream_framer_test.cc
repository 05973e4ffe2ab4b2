#include "common/transport/stream_framer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::transport {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Result = StreamFramer::Result;

std::string Message(std::string_view body, std::string_view call_id = "1") {
  return std::string("MESSAGE sip:bob@example.com SIP/2.0\r\n") +
         "Call-ID: " + std::string(call_id) + "\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// Every message Next() yields until it stops; *last gets the final result.
std::vector<std::string> Drain(StreamFramer& framer, Result* last = nullptr) {
  std::vector<std::string> messages;
  std::string_view message;
  Result result;
  while ((result = framer.Next(&message)) == Result::kMessage) messages.emplace_back(message);
  if (last != nullptr) *last = result;
  return messages;
}

TEST(StreamFramerTest, MessageSplitAtEveryByteBoundary) {
  const std::string message = Message("hello body");
  for (size_t cut = 0; cut <= message.size(); ++cut) {
    StreamFramer framer;
    framer.Append(std::string_view(message).substr(0, cut));
    Result result;
    std::vector<std::string> first = Drain(framer, &result);
    if (cut < message.size()) {
      EXPECT_TRUE(first.empty()) << "cut " << cut;
      EXPECT_EQ(result, Result::kNeedMore) << "cut " << cut;
    }
    framer.Append(std::string_view(message).substr(cut));
    std::vector<std::string> all = first;
    for (std::string& m : Drain(framer, &result)) all.push_back(std::move(m));
    EXPECT_THAT(all, ElementsAre(message)) << "cut " << cut;
    EXPECT_EQ(result, Result::kNeedMore);
    EXPECT_EQ(framer.buffered(), 0u);
  }
}

TEST(StreamFramerTest, MessageFedOneByteAtATime) {
  const std::string message = Message("abc");
  StreamFramer framer;
  std::vector<std::string> all;
  for (char c : message + message) {
    framer.Append(std::string_view(&c, 1));
    for (std::string& m : Drain(framer)) all.push_back(std::move(m));
  }
  EXPECT_THAT(all, ElementsAre(message, message));
}

TEST(StreamFramerTest, ThreeCoalescedMessagesInOneAppend) {
  const std::string a = Message("first", "a");
  const std::string b = Message("", "b");
  const std::string c = Message("third body", "c");
  StreamFramer framer;
  framer.Append(a + b + c);
  Result result;
  EXPECT_THAT(Drain(framer, &result), ElementsAre(a, b, c));
  EXPECT_EQ(result, Result::kNeedMore);
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(StreamFramerTest, BodyMayContainCrlfCrlf) {
  const std::string message = Message("v=0\r\n\r\no=- 1 1 IN IP4 1.2.3.4\r\n\r\n");
  const std::string next = Message("x", "2");
  StreamFramer framer;
  framer.Append(message + next);
  EXPECT_THAT(Drain(framer), ElementsAre(message, next));
}

TEST(StreamFramerTest, CompactFormLowerAndUpperCase) {
  const std::string lower = "OPTIONS sip:a SIP/2.0\r\nl: 4\r\n\r\nbody";
  const std::string upper = "OPTIONS sip:a SIP/2.0\r\nL:4\r\n\r\nBODY";
  StreamFramer framer;
  framer.Append(lower + upper);
  EXPECT_THAT(Drain(framer), ElementsAre(lower, upper));
}

TEST(StreamFramerTest, WhitespaceAroundColonAndMixedCase) {
  const std::string spaced = "INFO sip:a SIP/2.0\r\nContent-Length :  12\r\n\r\n123456789012";
  const std::string mixed = "INFO sip:a SIP/2.0\r\ncOnTeNt-LeNgTh\t:\t3 \r\n\r\nabc";
  StreamFramer framer;
  framer.Append(spaced + mixed);
  EXPECT_THAT(Drain(framer), ElementsAre(spaced, mixed));
}

TEST(StreamFramerTest, FoldedContentLengthValue) {
  const std::string folded = "INFO sip:a SIP/2.0\r\nContent-Length:\r\n 2\r\n\r\nab";
  StreamFramer framer;
  framer.Append(folded);
  EXPECT_THAT(Drain(framer), ElementsAre(folded));
}

TEST(StreamFramerTest, OtherHeadersEndingInLAreNotContentLength) {
  // "X-l" and a value containing "l:" must not be read as the length.
  const std::string message =
      "INFO sip:a SIP/2.0\r\nX-l: 99\r\nSubject: l: 7\r\nContent-Length: 1\r\n\r\nz";
  StreamFramer framer;
  framer.Append(message);
  EXPECT_THAT(Drain(framer), ElementsAre(message));
}

TEST(StreamFramerTest, KeepAliveCrlfsAreSkipped) {
  const std::string message = Message("k");
  StreamFramer framer;
  framer.Append("\r\n\r\n");  // RFC 5626 ping
  Result result;
  EXPECT_TRUE(Drain(framer, &result).empty());
  EXPECT_EQ(result, Result::kNeedMore);
  EXPECT_EQ(framer.buffered(), 0u);
  framer.Append("\r\n" + message + "\r\n\r\n\r");
  framer.Append("\n" + message);
  EXPECT_THAT(Drain(framer), ElementsAre(message, message));
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(StreamFramerTest, MissingContentLengthMeansEmptyBody) {
  const std::string message = "BYE sip:a SIP/2.0\r\nCall-ID: x\r\n\r\n";
  const std::string next = Message("after");
  StreamFramer framer;
  framer.Append(message + next);
  EXPECT_THAT(Drain(framer), ElementsAre(message, next));
}

TEST(StreamFramerTest, BadContentLengthIsAnError) {
  for (std::string_view value :
       {"abc", "-5", "+5", "1 2", "", "99999999999999999999999999", "0x10", "12abc"}) {
    StreamFramer framer;
    framer.Append(std::string("INFO sip:a SIP/2.0\r\nContent-Length: ") + std::string(value) +
                  "\r\n\r\nbody");
    std::string_view message;
    EXPECT_EQ(framer.Next(&message), Result::kError) << "value '" << value << "'";
    EXPECT_THAT(framer.error(), HasSubstr("Content-Length")) << "value '" << value << "'";
    // The error is sticky: the stream cannot be resynchronised.
    EXPECT_EQ(framer.Next(&message), Result::kError);
  }
}

TEST(StreamFramerTest, ConflictingContentLengthsAreAnError) {
  StreamFramer framer;
  framer.Append("INFO sip:a SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab");
  std::string_view message;
  EXPECT_EQ(framer.Next(&message), Result::kError);
  EXPECT_THAT(framer.error(), HasSubstr("conflicting"));
}

TEST(StreamFramerTest, MessageOverTheLimitIsAnError) {
  const std::string fits = Message(std::string(100, 'x'));
  StreamFramer exact(fits.size());
  exact.Append(fits);
  EXPECT_THAT(Drain(exact), ElementsAre(fits));

  StreamFramer framer(fits.size() - 1);
  framer.Append(fits.substr(0, fits.size() - 50));  // headers complete, body partial
  std::string_view message;
  EXPECT_EQ(framer.Next(&message), Result::kError);
  EXPECT_THAT(framer.error(), HasSubstr("exceeds"));
}

TEST(StreamFramerTest, HugeContentLengthIsAnErrorBeforeTheBodyArrives) {
  StreamFramer framer(4096);
  framer.Append("INFO sip:a SIP/2.0\r\nContent-Length: 18446744073709551615\r\n\r\n");
  std::string_view message;
  EXPECT_EQ(framer.Next(&message), Result::kError);
  EXPECT_THAT(framer.error(), HasSubstr("exceeds"));
}

TEST(StreamFramerTest, HeaderBlockWithoutEndOverTheLimitIsAnError) {
  StreamFramer framer(1024);
  framer.Append("INFO sip:a SIP/2.0\r\n");
  std::string_view message;
  std::string header = "X-Filler: " + std::string(100, 'f') + "\r\n";
  Result result = Result::kNeedMore;
  for (int i = 0; i < 20 && result == Result::kNeedMore; ++i) {
    framer.Append(header);
    result = framer.Next(&message);
  }
  EXPECT_EQ(result, Result::kError);
  EXPECT_THAT(framer.error(), HasSubstr("without an empty line"));
}

TEST(StreamFramerTest, ManyMessagesInAStreamKeepTheBufferSmall) {
  StreamFramer framer;
  std::vector<std::string> sent;
  size_t received = 0;
  size_t max_buffered = 0;
  for (int i = 0; i < 20000; ++i) {
    sent.push_back(Message(std::string(static_cast<size_t>(i % 50), 'b'), std::to_string(i)));
    // Feed in uneven slices that straddle message boundaries.
    const std::string& m = sent.back();
    size_t cut = static_cast<size_t>(i * 7) % m.size();
    framer.Append(std::string_view(m).substr(0, cut));
    framer.Append(std::string_view(m).substr(cut));
    std::string_view message;
    while (framer.Next(&message) == Result::kMessage) {
      ASSERT_LT(received, sent.size());
      ASSERT_EQ(message, sent[received]);
      ++received;
    }
    max_buffered = std::max(max_buffered, framer.buffered());
  }
  EXPECT_EQ(received, sent.size());
  EXPECT_EQ(framer.buffered(), 0u);
  EXPECT_LT(max_buffered, 200u);
}

}  // namespace
}  // namespace sipfleet::transport
