#include "common/runtime/worker.h"

#include <vector>

#include "common/scenario/embedded.h"
#include "common/scenario/loader.h"
#include "gtest/gtest.h"

namespace sipfleet::runtime {
namespace {

using transport::SocketAddress;

// Drives one Worker on a manual clock against a silent peer socket, so the
// retransmission schedule can be read off exactly.
class RetransmissionTest : public ::testing::Test {
 protected:
  void StartWorker(std::string_view xml) {
    auto scenario = scenario::LoadScenario(xml, "t.xml", {});
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    peer_ = *transport::UdpSocket::Bind(*SocketAddress::Resolve("127.0.0.1", 0), 1 << 20);
    shared_.scenario = *scenario;
    shared_.clock = &clock_;
    shared_.config.remote = peer_->local_address();
    shared_.config.local = *SocketAddress::Resolve("127.0.0.1", 0);
    shared_.config.local_ip_for_uri = "127.0.0.1";
    shared_.config.max_calls = max_calls_;
    shared_.config.rate = rate_;
    shared_.config.users = users_;
    shared_.workers.resize(1);
    auto socket = transport::UdpSocket::Bind(shared_.config.local, 1 << 20);
    ASSERT_TRUE(socket.ok());
    worker_ = std::make_unique<Worker>(0, &shared_, std::move(*socket), false, 1, 1);
    shared_.workers[0] = worker_.get();
    if (users_ > 0) worker_->SetUsers(users_, 1, 1);
    ASSERT_TRUE(worker_->Init().ok());
    worker_->Begin();
  }

  // Advances the clock 1 ms at a time up to `until_ms` after the start and
  // records when each datagram reached the peer and its first line.
  void RunUntil(int64_t until_ms) {
    while (elapsed_ms_ < until_ms) {
      clock_.AdvanceMillis(1);
      ++elapsed_ms_;
      worker_->Poll();
      int n = batch_.Receive(peer_->fd());
      for (int i = 0; i < n; ++i) {
        std::string_view d = batch_.datagram(i);
        arrivals_.push_back({elapsed_ms_, std::string(d.substr(0, d.find(' ')))});
        last_datagram_ = std::string(d);
        datagrams_.push_back(last_datagram_);
      }
    }
  }

  struct Arrival {
    int64_t at_ms;
    std::string method;
  };
  base::ManualClock clock_;
  WorkerShared shared_;
  std::unique_ptr<transport::UdpSocket> peer_;
  std::unique_ptr<Worker> worker_;
  transport::ReceiveBatch batch_;
  std::vector<Arrival> arrivals_;
  std::vector<std::string> datagrams_;
  std::string last_datagram_;
  uint64_t max_calls_ = 1;  // -m and -r of the run StartWorker() makes
  double rate_ = 1;
  uint64_t users_ = 0;  // -users (0: rate mode)
  int64_t elapsed_ms_ = 0;
};

TEST_F(RetransmissionTest, InviteDoublesWithoutCapFiveTimesThenTimesOut) {
  StartWorker(*scenario::EmbeddedScenario("uac"));
  RunUntil(40'000);
  // First INVITE at start (Begin flushed it before the first tick).
  std::vector<int64_t> invites;
  for (const Arrival& a : arrivals_) {
    if (a.method == "INVITE") invites.push_back(a.at_ms);
  }
  // The initial send is read on the first tick (1 ms); retransmissions at
  // T1=500 ms doubling: 500, 1500, 3500, 7500, 15500.
  EXPECT_EQ(invites, (std::vector<int64_t>{1, 500, 1500, 3500, 7500, 15500}));
  // After the 5th retransmission, Timer B at +16 s fails the call with
  // a CANCEL (default behaviour "bye"), and no more INVITEs.
  ASSERT_FALSE(arrivals_.empty());
  EXPECT_EQ(arrivals_.back().method, "CANCEL");
  EXPECT_EQ(arrivals_.back().at_ms, 31500);
  stats::Snapshot s = worker_->stats().TakeSnapshot();
  EXPECT_EQ(s.Get(stats::Counter::kFailedMaxUDPRetrans), 1u);
  EXPECT_EQ(s.Get(stats::Counter::kFailedCall), 1u);
  EXPECT_EQ(s.Get(stats::Counter::kRetransmissions), 5u);
  EXPECT_TRUE(worker_->finished());
}

TEST_F(RetransmissionTest, NonInviteIsCappedAtT2AndRetransmittedNineTimes) {
  StartWorker(R"(<scenario>
    <send retrans="500"><![CDATA[
      OPTIONS sip:x@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Content-Length: 0
    ]]></send>
    <recv response="200"/>
  </scenario>)");
  RunUntil(40'000);
  std::vector<int64_t> times;
  for (const Arrival& a : arrivals_) times.push_back(a.at_ms);
  // 500, 1000, 2000, 4000 (T2), 4000, ... : nine retransmissions.
  EXPECT_EQ(times,
            (std::vector<int64_t>{1, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500}));
  stats::Snapshot s = worker_->stats().TakeSnapshot();
  EXPECT_EQ(s.Get(stats::Counter::kRetransmissions), 9u);
  EXPECT_EQ(s.Get(stats::Counter::kFailedMaxUDPRetrans), 1u);
}

// Builds a response to `request` as a UAS would (RFC 3261 §8.2.6).
std::string ResponseTo(std::string_view request, int code, std::string_view reason) {
  auto message = sip::Message::Parse(request);
  EXPECT_TRUE(message.ok());
  std::string out = "SIP/2.0 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
  for (const sip::HeaderField& h : message->headers()) {
    if (sip::SameHeaderName(h.name, "Via") || sip::SameHeaderName(h.name, "From") ||
        sip::SameHeaderName(h.name, "Call-ID") || sip::SameHeaderName(h.name, "CSeq")) {
      out += std::string(h.line) + "\r\n";
    }
    if (sip::SameHeaderName(h.name, "To")) out += std::string(h.line) + ";tag=peer1\r\n";
  }
  return out + "Content-Length: 0\r\n\r\n";
}

TEST_F(RetransmissionTest, UnexpectedFinalResponseIsAckedAndFailsTheCall) {
  StartWorker(*scenario::EmbeddedScenario("uac"));
  RunUntil(1);
  ASSERT_EQ(last_datagram_.substr(0, 6), "INVITE");
  transport::SendBatch reply(peer_->fd());
  reply.Queue(ResponseTo(last_datagram_, 486, "Busy Here"), worker_->local_address());
  ASSERT_EQ(reply.Flush(), 0);
  RunUntil(40'000);
  ASSERT_EQ(arrivals_.size(), 2u);
  EXPECT_EQ(arrivals_[1].method, "ACK");  // no CANCEL after a final response
  EXPECT_NE(last_datagram_.find("To: service <sip:service@"), std::string::npos);
  EXPECT_NE(last_datagram_.find(";tag=peer1"), std::string::npos);
  EXPECT_NE(last_datagram_.find("CSeq: 1 ACK"), std::string::npos);
  stats::Snapshot s = worker_->stats().TakeSnapshot();
  EXPECT_EQ(s.Get(stats::Counter::kFailedUnexpectedMessage), 1u);
  EXPECT_EQ(s.Get(stats::Counter::kFailedCall), 1u);
  EXPECT_EQ(s.Get(stats::Counter::kRetransmissions), 0u);
}

TEST_F(RetransmissionTest, RepeatedOkIsAnsweredWithTheAckAgainAndTheCallSucceeds) {
  shared_.config.default_duration_ms = 1000;
  StartWorker(*scenario::EmbeddedScenario("uac"));
  RunUntil(1);
  std::string invite = last_datagram_;
  transport::SendBatch reply(peer_->fd());
  std::string ok = ResponseTo(invite, 200, "OK");
  reply.Queue(ok, worker_->local_address());
  reply.Flush();
  RunUntil(10);
  ASSERT_EQ(arrivals_.back().method, "ACK");
  reply.Queue(ok, worker_->local_address());  // our ACK "was lost"
  reply.Flush();
  RunUntil(20);
  ASSERT_EQ(arrivals_.size(), 3u);
  EXPECT_EQ(arrivals_[2].method, "ACK");
  RunUntil(1100);  // the pause (-d 1000) ends: BYE
  ASSERT_EQ(arrivals_.back().method, "BYE");
  EXPECT_NE(last_datagram_.find(";tag=peer1"), std::string::npos);
  reply.Queue(ResponseTo(last_datagram_, 200, "OK"), worker_->local_address());
  reply.Flush();
  RunUntil(1110);
  stats::Snapshot s = worker_->stats().TakeSnapshot();
  EXPECT_EQ(s.Get(stats::Counter::kSuccessfulCall), 1u);
  EXPECT_EQ(s.Get(stats::Counter::kRetransmissions), 1u);
  EXPECT_EQ(s.response_times[0].count(), 1u);
  EXPECT_TRUE(worker_->finished());
}

TEST_F(RetransmissionTest, NoRetransmissionWithNr) {
  shared_.config.retransmissions = false;
  StartWorker(*scenario::EmbeddedScenario("uac"));
  RunUntil(5'000);
  EXPECT_EQ(arrivals_.size(), 1u);
}

// Issue 15: a UAC whose peer stops answering stops starting calls once its
// unanswered INVITEs fill the congestion window (64 at first), instead of
// sending every due INVITE to time out later; when answers come back, the
// held-back calls start and those over 100 ms late are counted.
TEST_F(RetransmissionTest, UnansweredInvitesHoldNewCallsBackAndLateOnesAreCounted) {
  max_calls_ = 1000;
  rate_ = 1000;
  StartWorker(*scenario::EmbeddedScenario("uac"));
  RunUntil(450);  // 450 calls are due; no retransmission timer has fired yet
  std::vector<std::string> invites;
  for (const std::string& d : datagrams_) {
    if (d.starts_with("INVITE")) invites.push_back(d);
  }
  EXPECT_EQ(invites.size(), 64u);
  stats::Snapshot s = worker_->stats().TakeSnapshot();
  EXPECT_EQ(s.Get(stats::Counter::kOutgoingCall), 64u);
  EXPECT_EQ(s.Get(stats::Counter::kLateCalls), 0u);
  // The peer answers them all: the window frees, the held-back calls start.
  transport::SendBatch reply(peer_->fd());
  for (const std::string& invite : invites) {
    reply.Queue(ResponseTo(invite, 100, "Trying"), worker_->local_address());
  }
  ASSERT_EQ(reply.Flush(), 0);
  RunUntil(460);
  s = worker_->stats().TakeSnapshot();
  EXPECT_GT(s.Get(stats::Counter::kOutgoingCall), 64u);
  EXPECT_GT(s.Get(stats::Counter::kLateCalls), 0u);
  EXPECT_EQ(s.Get(stats::Counter::kRetransmissions), 0u);
}

// -users keeps that many calls open, but not more unanswered INVITEs than
// the window: the rest wait for answers as in rate mode.
TEST_F(RetransmissionTest, UsersModeHoldsNewCallsBackToo) {
  max_calls_ = 1000;
  users_ = 500;
  StartWorker(*scenario::EmbeddedScenario("uac"));
  RunUntil(450);
  stats::Snapshot s = worker_->stats().TakeSnapshot();
  EXPECT_EQ(s.Get(stats::Counter::kOutgoingCall), 64u);
}

// -no_call_window: SIPp's behaviour, every due INVITE leaves on time whether
// or not the peer answers.
TEST_F(RetransmissionTest, WithoutTheCallWindowEveryDueInviteIsSent) {
  max_calls_ = 1000;
  rate_ = 1000;
  shared_.config.call_window = false;
  StartWorker(*scenario::EmbeddedScenario("uac"));
  RunUntil(450);
  stats::Snapshot s = worker_->stats().TakeSnapshot();
  EXPECT_GE(s.Get(stats::Counter::kOutgoingCall), 449u);
  EXPECT_EQ(s.Get(stats::Counter::kLateCalls), 0u);
}

// A distant peer that answers every INVITE 80 ms after it left (a round
// trip, not a queue) gets the asked rate: the delay target counts from the
// shortest answer seen, not from zero.
TEST_F(RetransmissionTest, ASteadyRoundTripDoesNotHoldCallsBack) {
  max_calls_ = 1000;
  rate_ = 1000;
  StartWorker(*scenario::EmbeddedScenario("uac"));
  transport::SendBatch reply(peer_->fd());
  size_t answered = 0;
  for (int64_t t = 1; t <= 900; ++t) {
    RunUntil(t);
    while (answered < datagrams_.size() && arrivals_[answered].at_ms + 80 <= t) {
      if (arrivals_[answered].method == "INVITE") {
        reply.Queue(ResponseTo(datagrams_[answered], 100, "Trying"), worker_->local_address());
      }
      ++answered;
    }
    ASSERT_EQ(reply.Flush(), 0);
  }
  stats::Snapshot s = worker_->stats().TakeSnapshot();
  EXPECT_GE(s.Get(stats::Counter::kOutgoingCall), 890u);
  EXPECT_EQ(s.Get(stats::Counter::kLateCalls), 0u);
}

}  // namespace
}  // namespace sipfleet::runtime
