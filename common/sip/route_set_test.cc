#include "common/sip/route_set.h"

#include <string>
#include <string_view>

#include "common/base/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::sip {
namespace {

using ::testing::ElementsAre;

// A 200 (UAC side) or an INVITE (UAS side) with `headers` added.
std::string Response(std::string_view headers) {
  return base::Cat("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\n",
                   "To: <sip:b@x>;tag=2\r\nFrom: <sip:a@y>;tag=1\r\nCall-ID: c\r\n",
                   "CSeq: 1 INVITE\r\n", headers, "Content-Length: 0\r\n\r\n");
}
std::string Request(std::string_view headers) {
  return base::Cat("INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\n",
                   "To: <sip:b@x>\r\nFrom: <sip:a@y>;tag=1\r\nCall-ID: c\r\n",
                   "CSeq: 1 INVITE\r\n", headers, "Content-Length: 0\r\n\r\n");
}

DialogRoute RouteOf(const std::string& text) {
  absl::StatusOr<Message> message = Message::Parse(text);
  EXPECT_TRUE(message.ok()) << message.status();
  std::optional<DialogRoute> route = ComputeDialogRoute(*message);
  EXPECT_TRUE(route.has_value());
  return route.value_or(DialogRoute{"<none>", "<none>"});
}

constexpr std::string_view kThreeProxies =
    "Record-Route: <sip:a.example;lr>\r\n"
    "Record-Route: <sip:b.example;lr>, <sip:c.example;lr>\r\n"
    "Contact: <sip:ua@10.0.0.9:5070;transport=udp>\r\n";

TEST(SplitHeaderValuesTest, CommasInsideAnglesAndQuotesDoNotSplit) {
  EXPECT_THAT(SplitHeaderValues(" <sip:a;lr> ,<sip:b;lr>"),
              ElementsAre("<sip:a;lr>", "<sip:b;lr>"));
  EXPECT_THAT(SplitHeaderValues(R"("Doe, \"J\", Jr" <sip:j@x;p=a,b>;q=1, <sip:k@y>)"),
              ElementsAre(R"("Doe, \"J\", Jr" <sip:j@x;p=a,b>;q=1)", "<sip:k@y>"));
  EXPECT_THAT(SplitHeaderValues(", ,<sip:a>,"), ElementsAre("<sip:a>"));
  EXPECT_THAT(SplitHeaderValues(""), ElementsAre());
}

TEST(DialogRouteTest, UacReversesEveryValueOfEveryLine) {
  // RFC 3261 §12.1.2: a, then b and c on one line, give the route set c, b, a.
  DialogRoute route = RouteOf(Response(kThreeProxies));
  EXPECT_EQ(route.routes, "<sip:c.example;lr>, <sip:b.example;lr>, <sip:a.example;lr>");
  EXPECT_EQ(route.next_url, "sip:ua@10.0.0.9:5070;transport=udp");
}

TEST(DialogRouteTest, UasKeepsTheOrder) {
  // §12.1.1: the UAS's route set is the Record-Route values in order.
  DialogRoute route = RouteOf(Request(kThreeProxies));
  EXPECT_EQ(route.routes, "<sip:a.example;lr>, <sip:b.example;lr>, <sip:c.example;lr>");
  EXPECT_EQ(route.next_url, "sip:ua@10.0.0.9:5070;transport=udp");
}

TEST(DialogRouteTest, StrictRouterIsTheRequestUri) {
  // §12.2.1.1: the first route has no lr: it becomes the Request-URI and the
  // remote target goes last.
  DialogRoute route = RouteOf(Response(
      "Record-Route: <sip:loose.example;lr>, <sip:strict.example;maddr=10.0.0.1>\r\n"
      "Contact: <sip:ua@10.0.0.9>\r\n"));
  EXPECT_EQ(route.next_url, "sip:strict.example;maddr=10.0.0.1");
  EXPECT_EQ(route.routes, "<sip:loose.example;lr>, <sip:ua@10.0.0.9>");
  // lr=on is loose too; a parameter that only starts with "lr" is not.
  EXPECT_EQ(RouteOf(Response("Record-Route: <sip:p;lr=on>\r\nContact: <sip:ua@h>\r\n")).next_url,
            "sip:ua@h");
  EXPECT_EQ(RouteOf(Response("Record-Route: <sip:p;lrx>\r\nContact: <sip:ua@h>\r\n")).next_url,
            "sip:p;lrx");
}

TEST(DialogRouteTest, WithoutRecordRouteTheContactIsTheTarget) {
  DialogRoute route = RouteOf(Response("m: \"Bob, B\" <sip:ua@h:5062>;expires=60\r\n"));
  EXPECT_EQ(route.routes, "");
  EXPECT_EQ(route.next_url, "sip:ua@h:5062");
}

TEST(DialogRouteTest, NothingWithoutContact) {
  // The text outlives the message: a Message is views into it (the
  // temporary this test first parsed was a use after free under ASan).
  const std::string text = Response("Record-Route: <sip:a;lr>\r\n");
  absl::StatusOr<Message> message = Message::Parse(text);
  ASSERT_TRUE(message.ok());
  EXPECT_FALSE(ComputeDialogRoute(*message).has_value());
}

TEST(AddressUriTest, NameAddrAndAddrSpec) {
  EXPECT_EQ(AddressUri("\"Bob\" <sip:b@x;transport=tcp>;expires=5"), "sip:b@x;transport=tcp");
  EXPECT_EQ(AddressUri(" sip:b@x;expires=5"), "sip:b@x");
  EXPECT_EQ(AddressUri("sip:b@x"), "sip:b@x");
}

}  // namespace
}  // namespace sipfleet::sip
