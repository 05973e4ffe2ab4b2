#include "common/runtime/expander.h"

#include "gtest/gtest.h"

namespace sipfleet::runtime {
namespace {

scenario::MessageTemplate Compile(std::string_view cdata) {
  auto t = scenario::MessageTemplate::Compile(cdata, {});
  EXPECT_TRUE(t.ok()) << t.status();
  return *std::move(t);
}

RunValues Values() {
  RunValues run;
  run.service = "service";
  run.remote_ip = "127.0.0.1";
  run.remote_port = "5060";
  run.local_ip = "127.0.0.1";
  run.local_ip_type = "4";
  run.media_ip = "127.0.0.1";
  run.media_ip_type = "4";
  run.pid = "4242";
  return run;
}

Call TestCall() {
  Call call;
  call.call_number = 7;
  call.call_id = "7-4242@127.0.0.1";
  call.cseq = 3;
  call.local_port = 5061;
  return call;
}

std::string ExpandCdata(std::string_view cdata, const sip::Message* last = nullptr,
                        int msg_index = 0) {
  std::string out;
  ExpandInputs inputs;
  inputs.last_message = last;
  inputs.msg_index = msg_index;
  Call call = TestCall();
  Expand(Compile(cdata), Values(), call, inputs, &out);
  return out;
}

TEST(ExpandTest, LenIsPaddedToFiveAndCountsTheBody) {
  EXPECT_EQ(ExpandCdata("M sip:a SIP/2.0\nContent-Length: [len]\n\nX\n"),
            "M sip:a SIP/2.0\r\nContent-Length:     3\r\n\r\nX\r\n");
  EXPECT_EQ(ExpandCdata("M sip:a SIP/2.0\nContent-Length: [len]\n"),
            "M sip:a SIP/2.0\r\nContent-Length:     0\r\n\r\n");
  EXPECT_EQ(ExpandCdata("M sip:a SIP/2.0\nContent-Length: [len+10]\n\nX\n"),
            "M sip:a SIP/2.0\r\nContent-Length:    13\r\n\r\nX\r\n");
}

TEST(ExpandTest, CallKeywordsAndOffsets) {
  EXPECT_EQ(ExpandCdata("M sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
                       "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
                       "Call-ID: [call_id]\nCSeq: [cseq+1] M\nX: [call_number] [pid] [msg_index]\n",
                       nullptr, 4),
            "M sip:service@127.0.0.1:5060 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-7-4\r\n"
            "Call-ID: 7-4242@127.0.0.1\r\nCSeq: 4 M\r\nX: 7 4242 4\r\n\r\n");
}

TEST(ExpandTest, LastHeadersJoinRepeatsAndDropMissingLines) {
  std::string raw =
      "INVITE sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h1;branch=1\r\nv: SIP/2.0/UDP h2\r\n"
      "To: <sip:svc@h>\r\nCSeq: 5 INVITE\r\nContent-Type: x\r\nContent-Length: 11\r\n\r\n"
      "From: body\r\n";
  auto message = sip::Message::Parse(raw);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(ExpandCdata("SIP/2.0 200 OK\n[last_Via:]\n[last_Record-Route:]\n[last_From:]\n"
                       "[last_To:];tag=1\nX: [last_cseq_number+1] [last_Request_URI]\n",
                       &*message),
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h1;branch=1, SIP/2.0/UDP h2\r\n"
            "To: <sip:svc@h>;tag=1\r\nX: 6 sip:svc@h\r\n\r\n");
}

TEST(ExpandTest, PeerTagParamOnlyWhenKnown) {
  EXPECT_EQ(ExpandCdata("M sip:a SIP/2.0\nTo: <sip:b>[peer_tag_param]\n"),
            "M sip:a SIP/2.0\r\nTo: <sip:b>\r\n\r\n");
  std::string out;
  Call call = TestCall();
  call.peer_tag = "abc";
  Expand(Compile("M sip:a SIP/2.0\nTo: <sip:b>[peer_tag_param]\n"), Values(), call, {}, &out);
  EXPECT_EQ(out, "M sip:a SIP/2.0\r\nTo: <sip:b>;tag=abc\r\n\r\n");
}

// SIPp prints [next_url] only once a rrs="true" receive recorded a target
// (an empty Request-URI before that, "ACK  SIP/2.0"), and no Route line
// without a route set.
TEST(ExpandTest, NextUrlAndRoutesOnlyOnceRecorded) {
  std::string raw = "BYE sip:a@h SIP/2.0\r\nTo: <sip:svc@h>\r\nCSeq: 5 BYE\r\n\r\n";
  auto message = sip::Message::Parse(raw);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(ExpandCdata("ACK [next_url] SIP/2.0\n[routes]\nCSeq: 1 ACK\n", &*message),
            "ACK  SIP/2.0\r\nCSeq: 1 ACK\r\n\r\n");
  std::string out;
  Call call = TestCall();
  call.extras = std::make_unique<CallExtras>();
  call.extras->next_url = "sip:b@10.0.0.9";
  call.extras->routes = "<sip:p;lr>";
  Expand(Compile("ACK [next_url] SIP/2.0\n[routes]\nCSeq: 1 ACK\n"), Values(), call, {}, &out);
  EXPECT_EQ(out, "ACK sip:b@10.0.0.9 SIP/2.0\r\nRoute: <sip:p;lr>\r\nCSeq: 1 ACK\r\n\r\n");
}

}  // namespace
}  // namespace sipfleet::runtime
