// Actions, variables and the runtime keywords (SIPP_NOTES §3.4-§3.6), run
// through a real Worker on a manual clock against a scripted peer socket.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/auth/digest.h"
#include "common/base/strings.h"
#include "common/runtime/worker.h"
#include "common/scenario/loader.h"
#include "common/sip/message.h"
#include "gtest/gtest.h"

namespace sipfleet::runtime {
namespace {

using stats::Counter;
using transport::SocketAddress;

constexpr std::string_view kHeaders =
    "Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]\n"
    "From: <sip:a@[local_ip]>;tag=[call_number]\n"
    "To: <sip:b@[remote_ip]:[remote_port]>[peer_tag_param]\n"
    "Call-ID: [call_id]\n";

std::string Send(std::string_view method, std::string_view extra = "",
                 std::string_view attributes = "") {
  return base::Cat("<send", attributes, "><![CDATA[\n", method, " sip:b@[remote_ip] SIP/2.0\n",
                   kHeaders, "CSeq: [cseq] ", method, "\n", extra, "Content-Length: 0\n]]></send>\n");
}

// A response to `request` as a UAS would send it.
std::string Response(std::string_view request, int code, std::string_view extra = "") {
  auto parsed = sip::Message::Parse(request);
  std::string out = base::Cat("SIP/2.0 ", code, " X\r\n");
  for (const sip::HeaderField& h : parsed->headers()) {
    if (sip::SameHeaderName(h.name, "Via") || sip::SameHeaderName(h.name, "From") ||
        sip::SameHeaderName(h.name, "Call-ID") || sip::SameHeaderName(h.name, "CSeq")) {
      base::Append(&out, h.line, "\r\n");
    } else if (sip::SameHeaderName(h.name, "To")) {
      base::Append(&out, h.line, ";tag=peer\r\n");
    }
  }
  base::Append(&out, extra, "Content-Length: 0\r\n\r\n");
  return out;
}

// What a test changes from the defaults.
struct LoadOptionsPatch {
  scenario::LoadOptions load;
  EngineConfig config;
  uint64_t calls = 1;
  std::vector<std::shared_ptr<injection::InjectionFile>> files;
};

class ScenarioRunTest : public ::testing::Test {
 protected:
  using Responder = std::function<std::optional<std::string>(const std::string& request)>;

  void Start(const std::string& body, LoadOptionsPatch patch = {}) {
    scenario::LoadOptions options = patch.load;
    auto scenario = scenario::LoadScenario(base::Cat("<scenario>\n", body, "\n</scenario>"),
                                           "t.xml", options);
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    peer_ = *transport::UdpSocket::Bind(*SocketAddress::Resolve("127.0.0.1", 0), 1 << 20);
    shared_.scenario = *scenario;
    shared_.clock = &clock_;
    shared_.config = patch.config;
    shared_.config.remote = peer_->local_address();
    shared_.config.local = *SocketAddress::Resolve("127.0.0.1", 0);
    shared_.config.local_ip_for_uri = "127.0.0.1";
    shared_.config.max_calls = patch.calls;
    shared_.config.rate = 1000;
    shared_.injection_files = patch.files;
    shared_.globals = std::make_unique<GlobalVariables>((*scenario)->global_variables.size());
    shared_.workers.resize(1);
    auto socket = transport::UdpSocket::Bind(shared_.config.local, 1 << 20);
    ASSERT_TRUE(socket.ok());
    worker_ = std::make_unique<Worker>(0, &shared_, std::move(*socket), false, 1, 1);
    shared_.workers[0] = worker_.get();
    ASSERT_TRUE(worker_->Init().ok());
    worker_->RunInit();
    worker_->Begin();
  }

  void Run(int64_t ms, const Responder& respond = nullptr) {
    for (int64_t i = 0; i < ms; ++i) {
      clock_.AdvanceMillis(1);
      worker_->Poll();
      int n = batch_.Receive(peer_->fd());
      if (n <= 0 && worker_->finished()) break;
      for (int j = 0; j < n; ++j) {
        std::string datagram(batch_.datagram(j));
        received_.push_back(datagram);
        if (respond) {
          if (std::optional<std::string> answer = respond(datagram)) {
            transport::SendBatch out(peer_->fd());
            out.Queue(*answer, worker_->local_address());
            out.Flush();
          }
        }
      }
    }
  }

  // Runs REGISTER, <recv response="401" auth="true"/>, a second REGISTER with
  // `extra` header lines, <recv response="200"/>, against a peer that
  // challenges every REGISTER without Authorization (qop=auth).
  void RegisterWithChallenge(std::string_view extra, LoadOptionsPatch patch) {
    Start(Send("REGISTER", "", " retrans=\"500\"") + "<recv response=\"401\" auth=\"true\"/>\n" +
              Send("REGISTER", extra, " retrans=\"500\"") + "<recv response=\"200\"/>",
          std::move(patch));
    Run(100, [](const std::string& request) -> std::optional<std::string> {
      if (request.find("Authorization:") == std::string::npos) {
        return Response(request, 401,
                        "WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"\r\n");
      }
      return Response(request, 200);
    });
  }

  uint64_t Count(Counter counter) const { return worker_->stats().TakeSnapshot().Get(counter); }

  // The value of header `name` in the last datagram that has it.
  std::string LastHeader(std::string_view name) const {
    for (auto it = received_.rbegin(); it != received_.rend(); ++it) {
      auto parsed = sip::Message::Parse(*it);
      if (!parsed.ok()) continue;
      if (const sip::HeaderField* h = parsed->FindHeader(name)) return std::string(h->value);
    }
    return "<none>";
  }

  base::ManualClock clock_;
  WorkerShared shared_;
  std::unique_ptr<transport::UdpSocket> peer_;
  std::unique_ptr<Worker> worker_;
  transport::ReceiveBatch batch_;
  std::vector<std::string> received_;
};

TEST_F(ScenarioRunTest, ArithmeticStringAndTestActions) {
  Start(R"xml(<nop><action>
  <assign assign_to="n" value="10"/>
  <add assign_to="n" value="5"/>
  <subtract assign_to="n" value="3"/>
  <multiply assign_to="n" value="2"/>
  <divide assign_to="n" value="8"/>
  <assignstr assign_to="s" value="  call-[call_number]  "/>
  <trim assign_to="s"/>
  <strcmp assign_to="c" variable="s" value="call-1"/>
  <test assign_to="t" variable="n" compare="equal" value="3"/>
  <test assign_to="f" variable="n" compare="greater_than" value="3"/>
  <assignstr assign_to="u" value="a b&amp;c"/>
  <urlencode variable="u"/>
  <assignstr assign_to="v" value="x%20y"/>
  <urldecode variable="v"/>
  <assignstr assign_to="numtext" value="42.5"/>
  <todouble assign_to="d" variable="numtext"/>
  <index assign_to="i"/>
  <sample assign_to="fixed" distribution="fixed" value="7"/>
  <assign assign_to="len" value="5"/>
</action></nop>
)xml" + Send("OPTIONS", "X-N: [$n]\nX-S: [$s]\nX-C: [$c]\nX-T: [$t] [$f]\nX-U: [$u] [$v]\n"
                     "X-D: [$d] [$i] [$fixed]\nX-Fill: [fill variable=len text=\"ab\"]\n"));
  Run(50);
  EXPECT_EQ(LastHeader("X-N"), "3.000000");
  EXPECT_EQ(LastHeader("X-S"), "call-1");
  EXPECT_EQ(LastHeader("X-C"), "");  // SIPp prints a double 0 as nothing
  EXPECT_EQ(LastHeader("X-T"), "true false");
  EXPECT_EQ(LastHeader("X-U"), "a%20b%26c x y");
  EXPECT_EQ(LastHeader("X-D"), "42.500000  7.000000");
  EXPECT_EQ(LastHeader("X-Fill"), "ababa");
  EXPECT_EQ(Count(Counter::kSuccessfulCall), 1u);
}

TEST_F(ScenarioRunTest, EregExtractsAndTestBranches) {
  Start(Send("INVITE", "", " retrans=\"500\"") + R"xml(
<recv response="200">
  <action>
    <ereg regexp="ua([0-9]+)" search_in="hdr" header="Contact:" assign_to="all,num"/>
    <ereg regexp="nomatch" search_in="msg" assign_to="missing"/>
  </action>
</recv>
)xml" + Send("ACK", "X-Got: [$all] [$num]\n") + R"xml(
<nop next="skip" test="missing"/>
)xml" + Send("BYE", "X-Branch: not-skipped\n") +
        R"xml(<label id="skip"/><Reference variables="missing"/>)xml");
  Run(100, [](const std::string& request) -> std::optional<std::string> {
    if (request.starts_with("INVITE")) return Response(request, 200, "Contact: <sip:ua42@h>\r\n");
    return std::nullopt;
  });
  EXPECT_EQ(LastHeader("X-Got"), "ua42 42");
  // "missing" did not match, so test= did not take the branch.
  EXPECT_EQ(LastHeader("X-Branch"), "not-skipped");
}

TEST_F(ScenarioRunTest, FailedChecksCountTheirReason) {
  Start(Send("INVITE", "", " retrans=\"500\"") + R"xml(
<recv response="200">
  <action><ereg regexp="absent" search_in="msg" check_it="true" assign_to="x"/></action>
</recv>
<Reference variables="x"/>)xml");
  Run(100, [](const std::string& request) -> std::optional<std::string> {
    if (request.starts_with("INVITE")) return Response(request, 200);
    return std::nullopt;
  });
  EXPECT_EQ(Count(Counter::kFailedRegexpDoesntMatch), 1u);
  EXPECT_EQ(Count(Counter::kFailedCall), 1u);
}

TEST_F(ScenarioRunTest, TestCheckAndStrcmpInverseFailCalls) {
  Start(R"xml(<nop><action>
  <assign assign_to="n" value="1"/>
  <test variable="n" compare="equal" value="1" check_it_inverse="true"/>
</action></nop>)xml" + Send("OPTIONS"));
  Run(20);
  EXPECT_EQ(Count(Counter::kFailedTestShouldntMatch), 1u);
  EXPECT_EQ(Count(Counter::kFailedCall), 1u);
  // As SIPp, the scenario goes on (the OPTIONS is sent); the call is
  // counted failed when it ends.
  EXPECT_EQ(received_.size(), 1u);
}

TEST_F(ScenarioRunTest, JumpCondexecAndIntCmd) {
  Start(R"xml(<nop><action><assign assign_to="go" value="1"/><jump value="2"/></action></nop>
)xml" + Send("OPTIONS", "X-Skipped: yes\n") + Send("OPTIONS", "X-Cond: yes\n", " condexec=\"go\"") +
        Send("OPTIONS", "X-Inverse: yes\n", " condexec=\"go\" condexec_inverse=\"true\"") +
        R"xml(<nop><action><exec int_cmd="stop_call"/></action></nop>)xml" + Send("OPTIONS", "X-After: yes\n"));
  Run(50);
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(LastHeader("X-Cond"), "yes");
  EXPECT_EQ(LastHeader("X-Skipped"), "<none>");
  EXPECT_EQ(Count(Counter::kFailedCallRejected), 1u);
}

TEST_F(ScenarioRunTest, InitSetsGlobalsAndErrorRequestsExit) {
  Start(R"xml(<Global variables="g"/>
<init><nop><action><assign assign_to="g" value="41"/></action></nop></init>
<nop><action><add assign_to="g" value="1"/></action></nop>
)xml" + Send("OPTIONS", "X-G: [$g]\n") + R"xml(<nop><action><error message="stop [$g]"/></action></nop>)xml");
  Run(20);
  EXPECT_EQ(LastHeader("X-G"), "42.000000");
  EXPECT_EQ(shared_.forced_exit_code.load(), 255);
  EXPECT_EQ(shared_.forced_exit_message, "stop 42.000000");
  EXPECT_EQ(Count(Counter::kFatalErrors), 1u);
}

TEST_F(ScenarioRunTest, FieldsComeFromTheCallsLine) {
  LoadOptionsPatch patch;
  patch.load.injection_files = {"users.csv"};
  patch.calls = 3;
  patch.files.push_back(*injection::InjectionFile::Parse("SEQUENTIAL\nalice;pw1\nbob;pw2\n", "users.csv"));
  Start(Send("OPTIONS", "X-User: [field0] [field1] [field0 line=\"1\"] [field5]\n"), patch);
  Run(50);
  ASSERT_EQ(received_.size(), 3u);
  std::vector<std::string> users;
  for (const std::string& d : received_) {
    users.emplace_back(sip::Message::Parse(d)->FindHeader("X-User")->value);
  }
  EXPECT_EQ(users, (std::vector<std::string>{"alice pw1 bob", "bob pw2 bob", "alice pw1 bob"}));
}

TEST_F(ScenarioRunTest, AuthenticationAnswersTheStoredChallenge) {
  LoadOptionsPatch patch;
  patch.config.auth_password = "unused-default";
  RegisterWithChallenge("[authentication username=alice password=secret]\n", patch);
  std::string authorization = LastHeader("Authorization");
  EXPECT_TRUE(auth::VerifyAuthorization(authorization, "REGISTER", "alice", "secret"))
      << authorization;
  EXPECT_FALSE(auth::VerifyAuthorization(authorization, "REGISTER", "alice", "wrong"));
  EXPECT_NE(authorization.find("nc=00000001"), std::string::npos);
  EXPECT_EQ(Count(Counter::kSuccessfulCall), 1u);
}

// The reference's "User0001;[authentication username=joe password=schmo]"
// with [field1] in the message: SIPp processes the [authentication] keyword
// of a field value (and no other keyword).
TEST_F(ScenarioRunTest, AuthenticationKeywordInsideAnInjectedField) {
  LoadOptionsPatch patch;
  patch.load.injection_files = {"users.csv"};
  patch.config.auth_password = "unused-default";
  patch.files.push_back(*injection::InjectionFile::Parse(
      "SEQUENTIAL\nalice;[authentication username=alice password=secret];[call_id] [field0]\n",
      "users.csv"));
  RegisterWithChallenge("[field1]\nX-Literal: [field2]\n", patch);
  std::string authorization = LastHeader("Authorization");
  EXPECT_TRUE(auth::VerifyAuthorization(authorization, "REGISTER", "alice", "secret"))
      << authorization;
  EXPECT_EQ(LastHeader("X-Literal"), "[call_id] [field0]");
  ASSERT_FALSE(received_.empty());
  EXPECT_EQ(received_.back().find("[authentication"), std::string::npos) << received_.back();
  EXPECT_EQ(Count(Counter::kSuccessfulCall), 1u);
}

TEST_F(ScenarioRunTest, RouteSetAndNextUrlFromRrs) {
  Start(Send("INVITE", "", " retrans=\"500\"") + R"xml(
<recv response="200" rrs="true"/>
<send><![CDATA[
ACK [next_url] SIP/2.0
[routes]
X-Id: [dynamic_id] [dynamic_id]
Content-Length: 0
]]></send>)xml");
  Run(100, [](const std::string& request) -> std::optional<std::string> {
    if (request.starts_with("INVITE")) {
      return Response(request, 200,
                      "Record-Route: <sip:p1;lr>\r\nRecord-Route: <sip:p2;lr>, <sip:p3;lr>\r\n"
                      "Contact: <sip:b@10.0.0.9:5070>;expires=60\r\n");
    }
    return std::nullopt;
  });
  ASSERT_FALSE(received_.empty());
  EXPECT_TRUE(received_.back().starts_with("ACK sip:b@10.0.0.9:5070 SIP/2.0\r\n"));
  // RFC 3261 §12.1.2: a UAC's route set is every Record-Route value reversed.
  EXPECT_EQ(LastHeader("Route"), "<sip:p3;lr>, <sip:p2;lr>, <sip:p1;lr>");
  EXPECT_EQ(LastHeader("X-Id"), "0 1");
}

// SIPp records a route set once per call: a later rrs="true" with other
// Record-Route values changes nothing; a strict router is the Request-URI.
TEST_F(ScenarioRunTest, RouteSetIsRecordedOnceAndStrictRoutersAreTheTarget) {
  Start(Send("INVITE", "", " retrans=\"500\"") + R"xml(
<recv response="180" rrs="true"/>
<recv response="200" rrs="true"/>
<send><![CDATA[
ACK [next_url] SIP/2.0
[routes]
Content-Length: 0
]]></send>)xml");
  Run(100, [](const std::string& request) -> std::optional<std::string> {
    if (!request.starts_with("INVITE")) return std::nullopt;
    return Response(request, 180,
                    "Record-Route: <sip:loose;lr>, <sip:strict>\r\nContact: <sip:b@10.0.0.9>\r\n");
  });
  ASSERT_FALSE(received_.empty());
  transport::SendBatch out(peer_->fd());
  out.Queue(Response(received_.front(), 200,
                     "Record-Route: <sip:other;lr>\r\nContact: <sip:c@10.0.0.8>\r\n"),
            worker_->local_address());
  out.Flush();
  Run(100);
  ASSERT_TRUE(received_.back().starts_with("ACK sip:strict SIP/2.0\r\n")) << received_.back();
  EXPECT_EQ(LastHeader("Route"), "<sip:loose;lr>, <sip:b@10.0.0.9>");
}

TEST_F(ScenarioRunTest, UnexpectedMessageJumpsToUnexpMain) {
  Start(Send("INVITE", "", " retrans=\"500\"") + R"xml(
<recv response="200"/>
)xml" + Send("ACK") + R"xml(
<label id="_unexp.main"/>
)xml" + Send("OPTIONS", "X-Handled: [$_unexp.retaddr]\n"));
  Run(100, [](const std::string& request) -> std::optional<std::string> {
    if (request.starts_with("INVITE")) return Response(request, 404);
    return std::nullopt;
  });
  EXPECT_EQ(LastHeader("X-Handled"), "1.000000");
  EXPECT_EQ(Count(Counter::kFailedUnexpectedMessage), 0u);
}

TEST_F(ScenarioRunTest, ResponseWithoutToIsUnexpected) {
  Start(Send("INVITE", "", " retrans=\"500\"") + R"xml(<recv response="200"/>)xml" + Send("ACK"));
  Run(100, [](const std::string& request) -> std::optional<std::string> {
    if (!request.starts_with("INVITE")) return std::nullopt;
    std::string response = Response(request, 200);
    size_t to = response.find("To:");
    response.erase(to, response.find("\r\n", to) + 2 - to);
    return response;
  });
  EXPECT_EQ(Count(Counter::kFailedUnexpectedMessage), 1u);
  EXPECT_EQ(Count(Counter::kFailedCall), 1u);
}

}  // namespace
}  // namespace sipfleet::runtime
