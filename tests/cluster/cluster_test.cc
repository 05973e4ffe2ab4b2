// Master + 3 agents in one process over loopback gRPC (issue 6): one UAS
// agent, two UAC agents, 2,000 calls. Each party runs on its own thread with
// the same code the binaries run (master/master.h, agent/agent_session.h).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent_session.h"
#include "common/base/clock.h"
#include "common/base/strings.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "sipfleet/control/v1/control.grpc.pb.h"
#include "gtest/gtest.h"
#include "master/master.h"

namespace sipfleet {
namespace {

using stats::Counter;

// The per-test scratch folder, removed at the end.
class ScratchDir {
 public:
  ScratchDir() {
    path_ = std::filesystem::temp_directory_path() /
            base::Cat("sipfleet_cluster_test_", static_cast<int>(getpid()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string File(std::string_view name) const { return (path_ / std::string(name)).string(); }

 private:
  std::filesystem::path path_;
};

std::vector<std::string> Split(const std::string& line, char separator) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, separator);) cells.push_back(cell);
  return cells;
}

// The system clock with its wall time moved by a fixed offset: an agent on
// a host whose clock is off.
class SkewedClock final : public base::Clock {
 public:
  explicit SkewedClock(int64_t offset_us) : offset_us_(offset_us) {}
  int64_t NowMicros() const override { return real_.NowMicros(); }
  int64_t WallMicros() const override { return real_.WallMicros() + offset_us_; }

 private:
  base::SystemClock real_;
  int64_t offset_us_;
};

// Sends one datagram to the master's control socket (SIPp's -cp).
void SendControl(int port, std::string_view datagram) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  close(fd);
}

// The CSV's rows as name -> cell maps.
std::vector<std::map<std::string, std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  std::vector<std::string> names = Split(header, ';');
  std::vector<std::map<std::string, std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells = Split(line, ';');
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < names.size() && i < cells.size(); ++i) row[names[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// Runs a master and agents on threads; collects their results.
struct Cluster {
  master::MasterResult master_result;
  std::vector<agent::AgentResult> agent_results;
  // Per agent, optional: the clock it runs on (default: the shared one).
  std::vector<const base::Clock*> agent_clocks;
  // Optional: more parties (fake agents), each run on its own thread with
  // the master's port.
  std::vector<std::function<void(int port)>> extras;

  void Run(const master::MasterOptions& options, const std::vector<std::string>& agent_names,
           const base::Clock& clock) {
    std::promise<int> port;
    std::future<int> port_ready = port.get_future();
    std::thread master_thread([&] {
      bool reported = false;
      master_result = master::RunMaster(options, clock, [&](int bound) {
        reported = true;
        port.set_value(bound);
      });
      if (!reported) port.set_value(0);
    });
    const int bound = port_ready.get();
    agent_results.resize(agent_names.size());
    std::vector<std::thread> agents;
    if (bound != 0) {
      for (size_t i = 0; i < agent_names.size(); ++i) {
        agents.emplace_back([&, i] {
          agent::AgentOptions agent_options;
          agent_options.master = base::Cat("127.0.0.1:", bound);
          agent_options.name = agent_names[i];
          const base::Clock* own = i < agent_clocks.size() ? agent_clocks[i] : nullptr;
          agent_results[i] = agent::RunAgent(agent_options, own != nullptr ? *own : clock);
        });
      }
      for (const auto& extra : extras) agents.emplace_back([&extra, bound] { extra(bound); });
    }
    for (std::thread& thread : agents) thread.join();
    master_thread.join();
  }
};

TEST(ClusterTest, UasAndTwoUacAgentsRunTwoThousandCallsAndMergeExactly) {
  ScratchDir dir;
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"uas1", "uac1", "uac2"};
  options.uas_agents = {"uas1"};
  options.uas_args = {"-trace_shortmsg", "-shortmessage_file", dir.File("uas_short.log")};
  options.agent_wait_ms = 20000;
  options.start_delay_ms = 300;
  options.sipp_args = {"-sn", "uac", "-r", "1000", "-m", "2000", "-d", "0", "127.0.0.1:17620",
                       "-trace_stat", "-stf", dir.File("run.csv"), "-fd", "1"};
  base::SystemClock clock;
  Cluster cluster;
  cluster.Run(options, {"uas1", "uac1", "uac2"}, clock);
  const master::MasterResult& result = cluster.master_result;
  ASSERT_EQ(result.exit_code, master::kExitOk) << result.message;
  for (const agent::AgentResult& agent : cluster.agent_results) {
    EXPECT_EQ(agent.exit_code, 0) << agent.message;
  }

  // Merged SuccessfulCall = the sum of what the agents counted themselves.
  const stats::Snapshot& uas_own = cluster.agent_results[0].totals;
  const stats::Snapshot& uac1_own = cluster.agent_results[1].totals;
  const stats::Snapshot& uac2_own = cluster.agent_results[2].totals;
  EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), 2000u);
  EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall),
            uac1_own.Get(Counter::kSuccessfulCall) + uac2_own.Get(Counter::kSuccessfulCall));
  EXPECT_EQ(result.merged.Get(Counter::kOutgoingCall), 2000u);
  EXPECT_EQ(uac1_own.Get(Counter::kOutgoingCall), 1000u);  // equal weights: equal stripes
  EXPECT_EQ(uac2_own.Get(Counter::kOutgoingCall), 1000u);
  EXPECT_EQ(result.merged_uas.Get(Counter::kIncomingCall), uas_own.Get(Counter::kIncomingCall));
  // The master's per-agent totals are exactly the agents' own snapshots.
  ASSERT_EQ(result.agents.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(result.agents[i].totals, cluster.agent_results[i].totals) << result.agents[i].name;
  }

  // Percentiles of the merged histogram = those of one histogram fed every
  // sample of both UAC agents (built by recording, not by Merge()).
  for (bool call_length : {false, true}) {
    stats::Histogram fed;
    for (const stats::Snapshot* own : {&uac1_own, &uac2_own}) {
      const stats::Histogram& h = call_length ? own->call_length : own->response_times[0];
      h.ForEachNonEmptyBucket([&](size_t index, uint64_t count) {
        fed.Record(stats::Histogram::BucketLowerBound(index), count);
      });
    }
    const stats::Histogram& merged = call_length ? result.merged.call_length
                                                 : result.merged.response_times[0];
    EXPECT_EQ(merged.count(), 2000u);
    EXPECT_EQ(merged.count(), fed.count());
    for (double p : {0.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
      EXPECT_EQ(merged.ValueAtPercentile(p), fed.ValueAtPercentile(p)) << p;
    }
    EXPECT_EQ(merged.min(), std::min(call_length ? uac1_own.call_length.min()
                                                 : uac1_own.response_times[0].min(),
                                     call_length ? uac2_own.call_length.min()
                                                 : uac2_own.response_times[0].min()));
  }

  // Every Call-ID unique: the UAS saw 2,000 INVITEs with 2,000 different
  // Call-IDs, and admitted each as a new call.
  EXPECT_EQ(uas_own.Get(Counter::kIncomingCall), 2000u);
  EXPECT_EQ(uas_own.Get(Counter::kOutOfCallMsgs), 0u);
  EXPECT_EQ(uas_own.Get(Counter::kDeadCallMsgs), 0u);
  std::ifstream short_log(dir.File("uas_short.log"));
  ASSERT_TRUE(short_log) << "no -trace_shortmsg file";
  std::set<std::string> invite_call_ids;
  for (std::string line; std::getline(short_log, line);) {
    std::vector<std::string> cells = Split(line, '\t');
    // <date> <time> <epoch> <S|R> <Call-ID> <CSeq> <start line>
    if (cells.size() >= 7 && cells[3] == "R" && cells[6].starts_with("INVITE ")) {
      invite_call_ids.insert(cells[4]);
    }
  }
  EXPECT_EQ(invite_call_ids.size(), 2000u);

  // The merged stat CSV, standalone format: its last row carries the totals.
  std::ifstream csv(dir.File("run.csv"));
  ASSERT_TRUE(csv);
  std::string header, line, last;
  std::getline(csv, header);
  while (std::getline(csv, line)) last = line;
  std::vector<std::string> names = Split(header, ';');
  std::vector<std::string> cells = Split(last, ';');
  auto cell = [&](std::string_view name) -> std::string {
    for (size_t i = 0; i < names.size() && i < cells.size(); ++i) {
      if (names[i] == name) return cells[i];
    }
    return "?";
  };
  EXPECT_EQ(cell("OutgoingCall(C)"), "2000");
  EXPECT_EQ(cell("SuccessfulCall(C)"), "2000");
  EXPECT_EQ(cell("FailedCall(C)"), "0");
}

// A hand-driven agent for tests that need one to misbehave: a raw control
// stream to the master at `port`, registered as `name` (clock sample
// included).
struct RawAgent {
  RawAgent(int port, const std::string& name)
      : stub(control::v1::Control::NewStub(grpc::CreateChannel(
            base::Cat("127.0.0.1:", port), grpc::InsecureChannelCredentials()))),
        stream(stub->Session(&context)) {
    control::v1::AgentMessage hello;
    hello.mutable_register_()->set_api_version(control::v1::API_VERSION_1);
    hello.mutable_register_()->set_name(name);
    hello.mutable_register_()->mutable_clock()->set_wall_micros(clock.WallMicros());
    stream->Write(hello);
  }

  // The handshake's answers: a clock sample to Registered, Prepared to
  // Prepare. False (and `out` untouched) for any other message.
  bool AnswerHandshake(const control::v1::MasterMessage& in, control::v1::AgentMessage* out) {
    if (in.has_registered()) {
      control::v1::ClockSample* sample = out->mutable_heartbeat()->mutable_clock();
      sample->set_wall_micros(clock.WallMicros());
      sample->set_echo_wall_micros(in.registered().clock().wall_micros());
      return true;
    }
    if (in.has_prepare()) {
      out->mutable_prepared()->set_epoch(in.prepare().epoch());
      return true;
    }
    return false;
  }

  base::SystemClock clock;
  grpc::ClientContext context;
  std::unique_ptr<control::v1::Control::Stub> stub;
  std::unique_ptr<grpc::ClientReaderWriter<control::v1::AgentMessage, control::v1::MasterMessage>>
      stream;
};

// A fake UAC agent that registers, prepares, and drops its stream (as a
// process killed) as soon as it is told to start.
void DroppingAgent(int port, const std::string& name) {
  namespace v1 = ::sipfleet::control::v1;
  RawAgent agent(port, name);
  v1::MasterMessage in;
  while (agent.stream->Read(&in) && !in.has_start()) {
    v1::AgentMessage out;
    if (agent.AnswerHandshake(in, &out)) agent.stream->Write(out);
  }
  agent.context.TryCancel();
  (void)agent.stream->Finish();
}

// An agent lost mid-run under -failure_policy continue: the master notices
// the closed session, tells the other agents its 3PCC instance is gone, and
// the survivors finish the run.
TEST(ClusterTest, AgentLostMidRunIsReportedAndTheSurvivorsFinish) {
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"uas1", "uac1", "drop"};
  options.uas_agents = {"uas1"};
  options.agent_wait_ms = 20000;
  options.start_delay_ms = 300;
  options.show_screens = false;
  options.read_keys = false;
  options.failure_policy = master::MasterOptions::FailurePolicy::kContinue;
  options.sipp_args = {"-sn", "uac", "-r", "100", "-m", "100", "-d", "0", "127.0.0.1:17744"};
  base::SystemClock clock;
  Cluster cluster;
  cluster.extras.push_back([](int port) { DroppingAgent(port, "drop"); });
  cluster.Run(options, {"uas1", "uac1"}, clock);
  const master::MasterResult& result = cluster.master_result;
  ASSERT_EQ(result.exit_code, master::kExitOk) << result.message;
  EXPECT_THAT(result.message, ::testing::HasSubstr("lost and continued without: drop"));
  ASSERT_EQ(result.agents.size(), 3u);
  EXPECT_TRUE(result.agents[2].lost);
  EXPECT_FALSE(result.agents[1].lost);
  // uac1 placed its stripe; drop's was never placed.
  EXPECT_EQ(cluster.agent_results[1].totals.Get(Counter::kOutgoingCall), 50u);
  EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), 50u);
  for (const agent::AgentResult& agent : cluster.agent_results) {
    EXPECT_EQ(agent.exit_code, 0) << agent.message;
  }
}

TEST(ClusterTest, DuplicateAgentNameIsRefusedWithAClearError) {
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_count = 2;
  options.agent_wait_ms = 1500;
  options.sipp_args = {"-sn", "uac", "-m", "1", "127.0.0.1:17621"};
  base::SystemClock clock;
  Cluster cluster;
  cluster.Run(options, {"same", "same"}, clock);
  // One of the two is refused (which one depends on who dials first); the
  // master then misses an agent and does not start.
  int refused = 0;
  for (const agent::AgentResult& agent : cluster.agent_results) {
    if (agent.exit_code == agent::kExitRefused) {
      ++refused;
      EXPECT_THAT(agent.message, ::testing::HasSubstr("duplicate agent name 'same'"));
    }
  }
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(cluster.master_result.exit_code, master::kExitFatal);
  EXPECT_THAT(cluster.master_result.message, ::testing::HasSubstr("did not register"));
}

TEST(ClusterTest, ScenarioFailingOnOneAgentStopsTheRunNamingAgentAndLine) {
  ScratchDir dir;
  const std::string bad = dir.File("bad.xml");
  {
    std::ofstream out(bad);
    out << "<?xml version=\"1.0\"?>\n<scenario name=\"bad\">\n  <send>\n  </send>\n"
           "  <nonsense/>\n</scenario>\n";
  }
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"uas1", "uac1"};
  options.uas_agents = {"uas1"};
  options.agent_wait_ms = 20000;
  options.sipp_args = {"-sf", bad, "-m", "10", "127.0.0.1:17622"};
  base::SystemClock clock;
  Cluster cluster;
  cluster.Run(options, {"uas1", "uac1"}, clock);
  EXPECT_EQ(cluster.master_result.exit_code, master::kExitFatal);
  EXPECT_THAT(cluster.master_result.message, ::testing::HasSubstr("agent 'uac1' failed to prepare"));
  EXPECT_THAT(cluster.master_result.message, ::testing::HasSubstr(base::Cat(bad, ":")));
  EXPECT_THAT(cluster.master_result.message, ::testing::HasSubstr("did not start"));
  EXPECT_EQ(cluster.agent_results[1].totals.Get(Counter::kOutgoingCall), 0u);
}

// The master's RunControl acts on the whole cluster: a rate change is one
// new pacing epoch for every agent, a pause (here from the UDP control
// socket, as SIPp's -cp) stops every agent's new calls, q drains.
TEST(ClusterTest, LiveRateChangePauseAndQuitActOnEveryAgent) {
  ScratchDir dir;
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"uas1", "uac1", "uac2"};
  options.uas_agents = {"uas1"};
  options.agent_wait_ms = 20000;
  options.start_delay_ms = 300;
  options.show_screens = false;
  options.read_keys = false;
  constexpr int kControlPort = 17731;
  options.sipp_args = {"-sn", "uac", "-r", "100", "-m", "100000", "-d", "0", "127.0.0.1:17730",
                       "-trace_stat", "-stf", dir.File("run.csv"), "-fd", "1",
                       "-cp", base::Cat(kControlPort)};
  // (elapsed ms, OutgoingCall merged) at every tick; what the run showed.
  std::vector<std::pair<int64_t, uint64_t>> samples;
  bool rate_changed = false, pause_sent = false, quit_sent = false, seen_paused = false;
  options.on_tick = [&](int64_t elapsed, control::RunControl& run, const stats::Snapshot& merged) {
    samples.emplace_back(elapsed, merged.Get(Counter::kOutgoingCall));
    if (elapsed >= 1000 && !rate_changed) {
      rate_changed = true;
      run.SetRate(400);
    }
    if (elapsed >= 3000 && !pause_sent) {
      pause_sent = true;
      SendControl(kControlPort, "p");
    }
    seen_paused = seen_paused || run.paused();
    if (elapsed >= 5000 && !quit_sent) {
      quit_sent = true;
      SendControl(kControlPort, "q");
    }
    if (elapsed >= 15000) run.QuitNow();  // bounded even if q were lost
  };
  base::SystemClock clock;
  Cluster cluster;
  cluster.Run(options, {"uas1", "uac1", "uac2"}, clock);
  const master::MasterResult& result = cluster.master_result;
  ASSERT_EQ(result.exit_code, master::kExitOk) << result.message;
  EXPECT_TRUE(seen_paused) << "the 'p' datagram did not reach the run";
  // The first sample at or after `ms`.
  auto at = [&](int64_t ms) -> std::pair<int64_t, uint64_t> {
    for (const auto& sample : samples) {
      if (sample.first >= ms) return sample;
    }
    return samples.empty() ? std::pair<int64_t, uint64_t>{0, 0} : samples.back();
  };
  auto rate_between = [&](int64_t from, int64_t to) {
    auto a = at(from), b = at(to);
    return b.first == a.first ? 0.0 : (b.second - a.second) * 1000.0 / (b.first - a.first);
  };
  EXPECT_NEAR(rate_between(300, 1000), 100, 30);
  EXPECT_NEAR(rate_between(1800, 2800), 400, 80);
  // Paused at ~3.0 s (+0.2 s effective delay): no agent places a call.
  EXPECT_GT(at(3800).second, 0u);
  EXPECT_EQ(at(3800).second, at(4800).second);
  // q drained: every call placed ended, none failed, both UAC agents ran.
  EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), result.merged.Get(Counter::kOutgoingCall));
  EXPECT_GT(result.agents[1].totals.Get(Counter::kOutgoingCall), 0u);
  EXPECT_GT(result.agents[2].totals.Get(Counter::kOutgoingCall), 0u);
  // The merged stat CSV follows: the live target rate, and the periodic
  // calls of a row at 400/s.
  bool saw_100 = false, saw_400 = false;
  uint64_t best_periodic = 0;
  for (const auto& row : ReadCsv(dir.File("run.csv"))) {
    auto target = row.find("TargetRate");
    ASSERT_NE(target, row.end());
    saw_100 = saw_100 || target->second == "100";
    saw_400 = saw_400 || target->second == "400";
    auto periodic = row.find("OutgoingCall(P)");
    if (periodic != row.end()) best_periodic = std::max<uint64_t>(best_periodic, std::stoull(periodic->second));
  }
  EXPECT_TRUE(saw_100);
  EXPECT_TRUE(saw_400);
  EXPECT_NEAR(static_cast<double>(best_periodic), 400, 80);
}

// An agent whose clock is off by more than -max_skew: the run does not
// start and the error names it.
TEST(ClusterTest, ClockSkewBeyondTheLimitRefusesToStartNamingTheAgent) {
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"uas1", "uac1"};
  options.uas_agents = {"uas1"};
  options.agent_wait_ms = 20000;
  options.max_skew_ms = 50;
  options.show_screens = false;
  options.read_keys = false;
  options.sipp_args = {"-sn", "uac", "-m", "10", "127.0.0.1:17702", "-cp", "17703"};
  base::SystemClock clock;
  SkewedClock skewed(300'000);  // 300 ms ahead
  Cluster cluster;
  cluster.agent_clocks = {nullptr, &skewed};
  cluster.Run(options, {"uas1", "uac1"}, clock);
  const master::MasterResult& result = cluster.master_result;
  EXPECT_EQ(result.exit_code, master::kExitFatal);
  EXPECT_THAT(result.message, ::testing::HasSubstr("agent 'uac1': its clock is"));
  EXPECT_THAT(result.message, ::testing::HasSubstr("beyond -max_skew 50 ms"));
  EXPECT_THAT(result.message, ::testing::Not(::testing::HasSubstr("'uas1'")));
  EXPECT_THAT(result.message, ::testing::HasSubstr("did not start"));
  EXPECT_EQ(cluster.agent_results[1].totals.Get(Counter::kOutgoingCall), 0u);
}

// A quiet master (no screens, no keys) for agents uas1 (UAS) and uac1.
master::MasterOptions UasAndUacOptions(std::vector<std::string> sipp_args) {
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"uas1", "uac1"};
  options.uas_agents = {"uas1"};
  options.agent_wait_ms = 20000;
  options.show_screens = false;
  options.read_keys = false;
  options.sipp_args = std::move(sipp_args);
  return options;
}

// The same skew within the limit is measured and the run goes on.
TEST(ClusterTest, ClockSkewWithinTheLimitIsMeasured) {
  master::MasterOptions options = UasAndUacOptions(
      {"-sn", "uac", "-r", "100", "-m", "20", "-d", "0", "127.0.0.1:17704", "-cp", "17705"});
  options.max_skew_ms = 500;
  base::SystemClock clock;
  SkewedClock skewed(300'000);
  Cluster cluster;
  cluster.agent_clocks = {nullptr, &skewed};
  cluster.Run(options, {"uas1", "uac1"}, clock);
  const master::MasterResult& result = cluster.master_result;
  ASSERT_EQ(result.exit_code, master::kExitOk) << result.message;
  EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), 20u);
  EXPECT_NEAR(result.agents[1].clock_offset_us, 300'000, 20'000);
  EXPECT_NEAR(result.agents[0].clock_offset_us, 0, 20'000);
}

// The system clock whose wall time steps by `jump_us` once `after_us` of
// monotonic time passed: an agent host whose clock an NTP step moves
// mid-run.
class JumpingClock final : public base::Clock {
 public:
  JumpingClock(int64_t after_us, int64_t jump_us)
      : start_us_(real_.NowMicros()), after_us_(after_us), jump_us_(jump_us) {}
  int64_t NowMicros() const override { return real_.NowMicros(); }
  int64_t WallMicros() const override {
    const bool jumped = real_.NowMicros() - start_us_ >= after_us_;
    return real_.WallMicros() + (jumped ? jump_us_ : 0);
  }

 private:
  base::SystemClock real_;
  int64_t start_us_;
  int64_t after_us_;
  int64_t jump_us_;
};

// An agent whose wall clock jumps mid-run, forward or back (issue 17's fault
// matrix): pacing, leases and heartbeats run on the monotonic clock, so the
// run completes with exact counts and no agent is taken for lost.
TEST(ClusterTest, AgentWallClockJumpMidRunDoesNotDisturbTheRun) {
  for (int64_t jump_us : {int64_t{30'000'000}, int64_t{-30'000'000}}) {
    master::MasterOptions options = UasAndUacOptions(
        {"-sn", "uac", "-r", "100", "-m", "300", "-d", "0", "127.0.0.1:17736", "-cp", "17737"});
    base::SystemClock clock;
    JumpingClock jumping(1'500'000, jump_us);  // after registration and the start
    Cluster cluster;
    cluster.agent_clocks = {nullptr, &jumping};
    cluster.Run(options, {"uas1", "uac1"}, clock);
    const master::MasterResult& result = cluster.master_result;
    ASSERT_EQ(result.exit_code, master::kExitOk) << jump_us << ": " << result.message;
    EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), 300u) << jump_us;
    EXPECT_EQ(result.merged.Get(Counter::kFailedCall), 0u) << jump_us;
    EXPECT_EQ(cluster.agent_results[1].exit_code, 0) << cluster.agent_results[1].message;
  }
}

// -late_join refuse (the default): an agent dialing once the run started
// is refused with the reason, and the run is not disturbed.
TEST(ClusterTest, LateJoinerIsRefused) {
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_count = 2;
  options.uas_agents = {"uas1"};
  options.agent_wait_ms = 20000;
  options.show_screens = false;
  options.read_keys = false;
  options.sipp_args = {"-sn", "uac", "-r", "100", "-m", "150", "-d", "0", "127.0.0.1:17706",
                       "-cp", "17707"};
  int port = 0;
  std::unique_ptr<std::thread> late;
  agent::AgentResult late_result;
  options.on_tick = [&](int64_t, control::RunControl&, const stats::Snapshot&) {
    if (late) return;
    late = std::make_unique<std::thread>([&] {
      agent::AgentOptions agent_options;
      agent_options.master = base::Cat("127.0.0.1:", port);
      agent_options.name = "late";
      late_result = agent::RunAgent(agent_options, base::SystemClock());
    });
  };
  base::SystemClock clock;
  Cluster cluster;
  // The port reaches the hook through on_listening's value, which the
  // Cluster helper hides: read it back from the agents' target instead.
  master::MasterOptions with_port = options;
  std::promise<int> bound;
  std::future<int> bound_ready = bound.get_future();
  std::thread master_thread([&] {
    cluster.master_result = master::RunMaster(with_port, clock, [&](int p) {
      port = p;
      bound.set_value(p);
    });
  });
  const int listening = bound_ready.get();
  std::vector<std::thread> agents;
  cluster.agent_results.resize(2);
  for (int i = 0; i < 2; ++i) {
    agents.emplace_back([&, i] {
      agent::AgentOptions agent_options;
      agent_options.master = base::Cat("127.0.0.1:", listening);
      agent_options.name = i == 0 ? "uas1" : "uac1";
      cluster.agent_results[i] = agent::RunAgent(agent_options, clock);
    });
  }
  for (std::thread& thread : agents) thread.join();
  master_thread.join();
  ASSERT_TRUE(late);
  late->join();
  EXPECT_EQ(late_result.exit_code, agent::kExitRefused);
  EXPECT_THAT(late_result.message, ::testing::HasSubstr("late joiners are refused"));
  EXPECT_EQ(cluster.master_result.exit_code, master::kExitOk) << cluster.master_result.message;
  EXPECT_EQ(cluster.master_result.merged.Get(Counter::kSuccessfulCall), 150u);
}

// -late_join share: the slot kept for a late joiner is covered by the others
// until someone joins; then the joiner takes its share from one epoch on and
// the total rate holds throughout, with no Call-ID used twice.
TEST(ClusterTest, LateJoinerSharesTheLoadFromTheNextEpoch) {
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"uas1", "uac1"};
  options.uas_agents = {"uas1"};
  options.late_join = master::MasterOptions::LateJoin::kShare;
  options.late_slots = 1;
  options.agent_wait_ms = 20000;
  options.show_screens = false;
  options.read_keys = false;
  options.sipp_args = {"-sn", "uac", "-r", "100", "-d", "0", "127.0.0.1:17732", "-cp", "17733"};
  int port = 0;
  std::unique_ptr<std::thread> late;
  agent::AgentResult late_result;
  std::vector<std::pair<int64_t, uint64_t>> samples;
  bool quit_sent = false;
  options.on_tick = [&](int64_t elapsed, control::RunControl& run, const stats::Snapshot& merged) {
    samples.emplace_back(elapsed, merged.Get(Counter::kOutgoingCall));
    if (elapsed >= 1000 && !late) {
      late = std::make_unique<std::thread>([&] {
        agent::AgentOptions agent_options;
        agent_options.master = base::Cat("127.0.0.1:", port);
        agent_options.name = "late1";
        late_result = agent::RunAgent(agent_options, base::SystemClock());
      });
    }
    if (elapsed >= 4500 && !quit_sent) {
      quit_sent = true;
      run.Quit();
    }
    if (elapsed >= 15000) run.QuitNow();  // bounded whatever happens
  };
  base::SystemClock clock;
  master::MasterResult result;
  std::promise<int> bound;
  std::future<int> bound_ready = bound.get_future();
  std::thread master_thread([&] {
    result = master::RunMaster(options, clock, [&](int p) {
      port = p;
      bound.set_value(p);
    });
  });
  const int listening = bound_ready.get();
  std::vector<agent::AgentResult> results(2);
  std::vector<std::thread> agents;
  for (int i = 0; i < 2; ++i) {
    agents.emplace_back([&, i] {
      agent::AgentOptions agent_options;
      agent_options.master = base::Cat("127.0.0.1:", listening);
      agent_options.name = i == 0 ? "uas1" : "uac1";
      results[i] = agent::RunAgent(agent_options, clock);
    });
  }
  for (std::thread& thread : agents) thread.join();
  master_thread.join();
  ASSERT_TRUE(late);
  late->join();
  ASSERT_EQ(result.exit_code, master::kExitOk) << result.message;
  EXPECT_EQ(late_result.exit_code, 0) << late_result.message;
  ASSERT_EQ(result.agents.size(), 3u);
  EXPECT_EQ(result.agents[2].name, "late1");
  EXPECT_TRUE(result.agents[2].late);
  auto at = [&](int64_t ms) -> std::pair<int64_t, uint64_t> {
    for (const auto& sample : samples) {
      if (sample.first >= ms) return sample;
    }
    return samples.back();
  };
  auto rate_between = [&](int64_t from, int64_t to) {
    auto a = at(from), b = at(to);
    return b.first == a.first ? 0.0 : (b.second - a.second) * 1000.0 / (b.first - a.first);
  };
  // uac1 alone covers the empty slot, then both share: 100/s throughout.
  EXPECT_NEAR(rate_between(300, 1000), 100, 25);
  EXPECT_NEAR(rate_between(3000, 4400), 100, 25);
  // The joiner placed about half of the calls once it joined (~50/s).
  const uint64_t late_calls = result.agents[2].totals.Get(Counter::kOutgoingCall);
  const uint64_t uac1_calls = result.agents[1].totals.Get(Counter::kOutgoingCall);
  EXPECT_GT(late_calls, 40u);
  EXPECT_GT(uac1_calls, late_calls);
  EXPECT_EQ(result.merged.Get(Counter::kOutgoingCall), uac1_calls + late_calls);
  EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), result.merged.Get(Counter::kOutgoingCall));
  // Every INVITE a new call at the UAS: no Call-ID placed twice.
  EXPECT_EQ(result.merged_uas.Get(Counter::kIncomingCall), result.merged.Get(Counter::kOutgoingCall));
  EXPECT_EQ(result.merged_uas.Get(Counter::kOutOfCallMsgs), 0u);
}

TEST(ClusterTest, LateJoinShareRefusesAMaxCallsRun) {
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_count = 2;
  options.late_join = master::MasterOptions::LateJoin::kShare;
  options.sipp_args = {"-sn", "uac", "-m", "10", "127.0.0.1:17734"};
  base::SystemClock clock;
  master::MasterResult result = master::RunMaster(options, clock);
  EXPECT_EQ(result.exit_code, master::kExitFatal);
  EXPECT_THAT(result.message, ::testing::HasSubstr("-late_join share needs a run without -m"));
}

// -users is the cluster's total: shared out by weight, shares add up.
TEST(ClusterTest, UsersAreSplitAcrossUacAgents) {
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"uas1", "uac1", "uac2"};
  options.uas_agents = {"uas1"};
  options.weights = {{"uac2", 2}};
  options.agent_wait_ms = 20000;
  options.show_screens = false;
  options.read_keys = false;
  options.sipp_args = {"-sn", "uac", "-users", "7", "-m", "300", "-d", "0", "127.0.0.1:17708",
                       "-cp", "17709"};
  base::SystemClock clock;
  Cluster cluster;
  cluster.Run(options, {"uas1", "uac1", "uac2"}, clock);
  const master::MasterResult& result = cluster.master_result;
  ASSERT_EQ(result.exit_code, master::kExitOk) << result.message;
  EXPECT_EQ(result.agents[1].users + result.agents[2].users, 7u);
  EXPECT_EQ(result.agents[1].users, 2u);  // 7 x 1/3 = 2.33
  EXPECT_EQ(result.agents[2].users, 5u);  // 7 x 2/3 = 4.67
  EXPECT_EQ(result.agents[0].users, 0u);
  EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), 300u);
}

// Several UAS agents: on one host each needs its own address (-uas_bind);
// two that would bind the same one are refused before anything starts.
TEST(ClusterTest, SeveralUasAgentsBindTheirOwnAddress) {
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"uas1", "uas2", "uac1"};
  options.uas_agents = {"uas1", "uas2"};
  options.agent_wait_ms = 20000;
  options.show_screens = false;
  options.read_keys = false;
  options.sipp_args = {"-sn", "uac", "-r", "100", "-m", "30", "-d", "0", "127.0.0.1:17720",
                       "-cp", "17722"};
  base::SystemClock clock;
  {
    Cluster cluster;
    cluster.Run(options, {"uas1", "uas2", "uac1"}, clock);
    EXPECT_EQ(cluster.master_result.exit_code, master::kExitFatal);
    EXPECT_THAT(cluster.master_result.message,
                ::testing::HasSubstr("UAS agents 'uas1' and 'uas2' would both bind 127.0.0.1:17720"));
  }
  // uas2 answers elsewhere (in a real cluster: behind the SUT proxy).
  options.uas_bind = {{"uas2", "127.0.0.1:17721"}};
  Cluster cluster;
  cluster.Run(options, {"uas1", "uas2", "uac1"}, clock);
  ASSERT_EQ(cluster.master_result.exit_code, master::kExitOk) << cluster.master_result.message;
  EXPECT_EQ(cluster.master_result.merged.Get(Counter::kSuccessfulCall), 30u);
  EXPECT_EQ(cluster.master_result.merged_uas.Get(Counter::kIncomingCall), 30u);
}

// The options of a small cluster (uas1 answering, uac1 and uac2 calling)
// with screens and keys off, calling `remote_port` and controlled on
// `control_port`; `sipp` is appended.
master::MasterOptions SmallCluster(int remote_port, int control_port,
                                   std::vector<std::string> sipp) {
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"uas1", "uac1", "uac2"};
  options.uas_agents = {"uas1"};
  options.agent_wait_ms = 20000;
  options.start_delay_ms = 300;
  options.show_screens = false;
  options.read_keys = false;
  options.sipp_args = {"-sn", "uac", "-d", "0", base::Cat("127.0.0.1:", remote_port),
                       "-cp", base::Cat(control_port)};
  options.sipp_args.insert(options.sipp_args.end(), sipp.begin(), sipp.end());
  return options;
}

// -rate_increase on the master raises the cluster's total rate every
// -rate_interval (one new epoch each time); past -rate_max the run quits
// as SIPp's does, holding the maximum. The merged CSV's TargetRate shows
// the steps.
TEST(ClusterTest, RateIncreaseRaisesTheTotalRateUpToRateMaxThenQuits) {
  ScratchDir dir;
  master::MasterOptions options = SmallCluster(
      17860, 17861,
      {"-r", "20", "-rate_increase", "20", "-rate_interval", "1", "-rate_max", "60", "-m",
       "100000", "-trace_stat", "-stf", dir.File("run.csv"), "-fd", "1"});
  std::vector<std::pair<int64_t, double>> rates;  // (elapsed ms, rate) at every tick
  options.on_tick = [&](int64_t elapsed, control::RunControl& run, const stats::Snapshot&) {
    rates.emplace_back(elapsed, run.rate());
    if (elapsed >= 20000) run.QuitNow();  // bounded even if it never quit
  };
  base::SystemClock clock;
  Cluster cluster;
  cluster.Run(options, {"uas1", "uac1", "uac2"}, clock);
  const master::MasterResult& result = cluster.master_result;
  ASSERT_EQ(result.exit_code, master::kExitOk) << result.message;
  ASSERT_FALSE(rates.empty());
  // 20 until 1 s, 40 until 2 s, 60 from 2 s; at 3 s 80 > 60: quit at 60.
  for (const auto& [elapsed, rate] : rates) {
    const double expected = elapsed < 1000 ? 20 : elapsed < 2000 ? 40 : 60;
    // (A tick on a step's edge may see either side.)
    if (elapsed % 1000 < 250 && elapsed >= 1000) continue;
    EXPECT_EQ(rate, expected) << "at " << elapsed << " ms";
  }
  EXPECT_LT(rates.back().first, 10000) << "the run did not quit past -rate_max";
  EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), result.merged.Get(Counter::kOutgoingCall));
  // Both UAC agents follow the epochs: the cluster placed about
  // 20 + 40 + 60 calls in the first 3 s (about 120, not 60 at a fixed 20/s).
  EXPECT_GT(result.merged.Get(Counter::kOutgoingCall), 90u);
  EXPECT_GT(result.agents[1].totals.Get(Counter::kOutgoingCall), 0u);
  EXPECT_GT(result.agents[2].totals.Get(Counter::kOutgoingCall), 0u);
  // The merged CSV: TargetRate goes 20, 40, 60 in order, never beyond.
  std::vector<std::string> targets;
  for (const auto& row : ReadCsv(dir.File("run.csv"))) {
    auto target = row.find("TargetRate");
    ASSERT_NE(target, row.end());
    if (targets.empty() || targets.back() != target->second) targets.push_back(target->second);
  }
  EXPECT_EQ(targets, (std::vector<std::string>{"20", "40", "60"}));
}

// -timeout on the master: graceful (no new calls, the calls in progress
// end, the verdict of the calls: 0); with -timeout_error the calls are
// aborted and the run fails with 255, as sipfleet.
// Stream transports: the UAS agents get the command line's -t (and TLS
// options), and the UAC agents connect when the run starts, after every
// agent is prepared and the UAS agents listen. A UAC whose connection is
// refused (the UAS left on UDP) ends the run with sipfleet's own 255, the
// agent named.
TEST(ClusterTest, StreamTransportsReachTheUasAgentsAndAConnectFailureEndsTheRun) {
  base::SystemClock clock;
  for (const char* transport : {"t1", "tn"}) {
    Cluster cluster;
    cluster.Run(SmallCluster(17866, 17867, {"-t", transport, "-r", "100", "-m", "40"}),
                {"uas1", "uac1", "uac2"}, clock);
    const master::MasterResult& result = cluster.master_result;
    ASSERT_EQ(result.exit_code, master::kExitOk) << transport << ": " << result.message;
    EXPECT_EQ(result.merged.Get(stats::Counter::kSuccessfulCall), 40u) << transport;
  }
  master::MasterOptions refused = SmallCluster(17868, 17869, {"-t", "t1", "-r", "100", "-m", "40"});
  refused.uas_args = {"-t", "u1"};
  Cluster cluster;
  cluster.Run(refused, {"uas1", "uac1", "uac2"}, clock);
  EXPECT_EQ(cluster.master_result.exit_code, 255) << cluster.master_result.message;
  EXPECT_THAT(cluster.master_result.message, ::testing::HasSubstr("ended its run"));
  EXPECT_THAT(cluster.master_result.message, ::testing::HasSubstr("Connection refused"));
}

TEST(ClusterTest, TimeoutDrainsTheClusterAndTimeoutErrorFailsIt) {
  base::SystemClock clock;
  {
    master::MasterOptions options =
        SmallCluster(17862, 17863, {"-r", "50", "-m", "100000", "-d", "500", "-timeout", "1"});
    Cluster cluster;
    cluster.Run(options, {"uas1", "uac1", "uac2"}, clock);
    const master::MasterResult& result = cluster.master_result;
    EXPECT_EQ(result.exit_code, master::kExitOk) << result.message;
    EXPECT_THAT(result.message, ::testing::HasSubstr("-timeout reached"));
    EXPECT_GT(result.merged.Get(Counter::kOutgoingCall), 20u);
    EXPECT_LT(result.merged.Get(Counter::kOutgoingCall), 150u);
    // Graceful: every call placed ended successfully.
    EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), result.merged.Get(Counter::kOutgoingCall));
  }
  master::MasterOptions options = SmallCluster(
      17864, 17865, {"-r", "50", "-m", "100000", "-d", "5000", "-timeout", "1", "-timeout_error"});
  Cluster cluster;
  cluster.Run(options, {"uas1", "uac1", "uac2"}, clock);
  const master::MasterResult& result = cluster.master_result;
  EXPECT_EQ(result.exit_code, master::kExitFatal) << result.message;
  EXPECT_THAT(result.message, ::testing::HasSubstr("-timeout reached"));
  // Aborted at 1 s: the 5 s calls never completed.
  EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), 0u);
}

// ---- 3PCC over the cluster (issue 6) ---------------------------------------

// SIPp's extended-3PCC scenarios of tests/integration/threepcc, unchanged.
std::string ThreePccScenario(std::string_view file) {
  return (std::filesystem::path(SIPFLEET_TESTS_DIR) / "integration/threepcc" / std::string(file))
      .lexically_normal()
      .string();
}

// The extended-3PCC options: master instance m (UAC agent "m", master.xml)
// calls endpoint A (UAS agent "a", 3pcc-A) and hands the offer to slaves s1
// (agent "s1") and s2 (agent "x2", named s2 by SIPp's -slave in its
// -agent_args); each slave (slave.xml) calls its endpoint B1/B2 (UAS agents
// "b1", "b2", 3pcc-B). Ports base..base+5.
master::MasterOptions ExtendedThreePccOptions(int base, int calls) {
  auto at = [base](int k) { return base::Cat("127.0.0.1:", base + k); };
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"m", "s1", "x2", "a", "b1", "b2"};
  options.uas_agents = {"s1", "x2", "a", "b1", "b2"};
  options.agent_wait_ms = 20000;
  options.start_delay_ms = 300;
  // Not a clock test: the start's skew check takes each agent's first
  // sample, and under TSan (six agents, two cores) one leg of it was seen
  // to take 110 ms, i.e. a 55 ms error.
  options.max_skew_ms = 1000;
  options.show_screens = false;
  options.read_keys = false;
  options.agent_scenario_files = {{"s1", ThreePccScenario("slave.xml")},
                                  {"x2", ThreePccScenario("slave.xml")}};
  options.agent_scenario_names = {{"a", "3pcc-A"}, {"b1", "3pcc-B"}, {"b2", "3pcc-B"}};
  // a binds the master's remote address; the others their own.
  options.uas_bind = {{"b1", at(1)}, {"b2", at(2)}, {"s1", at(4)}, {"x2", at(5)}};
  options.agent_args = {{"s1", {at(1), "-key", "self", "s1"}},
                        {"x2", {at(2), "-key", "self", "s2", "-slave", "s2"}}};
  options.instances = {{"x2", "s2"}};
  options.sipp_args = {"-sf", ThreePccScenario("master.xml"), at(0), "-i", "127.0.0.1", "-p",
                       base::Cat(base + 3), "-r", "20", "-m", base::Cat(calls),
                       "-slave_cfg", "ignored.cfg"};
  return options;
}

TEST(ClusterThreePccTest, ExtendedMasterAndTwoSlavesOnDifferentAgentsComplete) {
  constexpr int kCalls = 20;
  master::MasterOptions options = ExtendedThreePccOptions(17800, kCalls);
  base::SystemClock clock;
  Cluster cluster;
  cluster.Run(options, {"m", "s1", "x2", "a", "b1", "b2"}, clock);
  const master::MasterResult& result = cluster.master_result;
  ASSERT_EQ(result.exit_code, master::kExitOk) << result.message;
  EXPECT_EQ(result.merged.Get(Counter::kOutgoingCall), uint64_t{kCalls});
  EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), uint64_t{kCalls});
  EXPECT_EQ(result.merged.Get(Counter::kFailedCall), 0u);
  const char* names[] = {"m", "s1", "x2", "a", "b1", "b2"};
  for (size_t i = 0; i < 6; ++i) {
    const stats::Snapshot& own = cluster.agent_results[i].totals;
    EXPECT_EQ(cluster.agent_results[i].exit_code, 0) << cluster.agent_results[i].message;
    EXPECT_EQ(own.Get(Counter::kSuccessfulCall), uint64_t{kCalls}) << names[i];
    EXPECT_EQ(own.Get(Counter::kFailedCall), 0u) << names[i];
    EXPECT_EQ(own.Get(Counter::kOutOfCallMsgs), 0u) << names[i];
  }
  // Each call: m -> s1, s1 -> m, m -> s2, s2 -> m, all through the master.
  EXPECT_EQ(result.routed_3pcc, uint64_t{4 * kCalls}) << result.message;
  EXPECT_EQ(result.unrouted_3pcc, 0u);
  // The slaves' calls were started by the commands (SIPp's twin semantics):
  // one outgoing call per command received.
  EXPECT_EQ(cluster.agent_results[1].totals.Get(Counter::kOutgoingCall), uint64_t{kCalls});
  EXPECT_EQ(cluster.agent_results[2].totals.Get(Counter::kOutgoingCall), uint64_t{kCalls});
  EXPECT_THAT(result.message, ::testing::HasSubstr(base::Cat("3PCC: ", 4 * kCalls, " commands routed")));
}

TEST(ClusterThreePccTest, PlainTwinsOnDifferentAgentsComplete) {
  // 3pcc-C-A (UAC agent "ca") and 3pcc-C-B (UAS agent "cb") are -twins;
  // endpoints A and B are UAS agents. Ports 17820..17823.
  constexpr int kCalls = 10;
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"ca", "cb", "a", "b"};
  options.uas_agents = {"cb", "a", "b"};
  options.agent_wait_ms = 20000;
  options.start_delay_ms = 300;
  options.show_screens = false;
  options.read_keys = false;
  options.agent_scenario_names = {{"cb", "3pcc-C-B"}, {"a", "3pcc-A"}, {"b", "3pcc-B"}};
  options.uas_bind = {{"b", "127.0.0.1:17821"}, {"cb", "127.0.0.1:17822"}};
  options.agent_args = {{"cb", {"127.0.0.1:17821"}}};
  options.twins = {{"ca", "cb"}};
  options.sipp_args = {"-sn", "3pcc-C-A", "127.0.0.1:17820", "-i", "127.0.0.1", "-p", "17823",
                       "-r", "20", "-m", base::Cat(kCalls)};
  base::SystemClock clock;
  Cluster cluster;
  cluster.Run(options, {"ca", "cb", "a", "b"}, clock);
  const master::MasterResult& result = cluster.master_result;
  ASSERT_EQ(result.exit_code, master::kExitOk) << result.message;
  EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), uint64_t{kCalls});
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(cluster.agent_results[i].totals.Get(Counter::kSuccessfulCall), uint64_t{kCalls})
        << cluster.agent_results[i].message;
    EXPECT_EQ(cluster.agent_results[i].totals.Get(Counter::kFailedCall), 0u);
  }
  EXPECT_EQ(result.routed_3pcc, uint64_t{2 * kCalls});  // ca -> cb, cb -> ca
}

TEST(ClusterThreePccTest, DestinationNoAgentRunsFailsThePrepareNamingAgentAndLine) {
  ScratchDir dir;
  std::ifstream in(ThreePccScenario("master.xml"));
  std::stringstream text;
  text << in.rdbuf();
  std::string xml = text.str();
  const size_t at = xml.find("<sendCmd dest=\"s2\">");
  ASSERT_NE(at, std::string::npos);
  xml.replace(at, 19, "<sendCmd dest=\"s9\">");
  const std::string file = dir.File("bad_master.xml");
  std::ofstream(file) << xml;
  const int line = 1 + static_cast<int>(std::count(xml.begin(), xml.begin() + at, '\n'));
  master::MasterOptions options = ExtendedThreePccOptions(17830, 1);
  options.sipp_args[1] = file;
  base::SystemClock clock;
  Cluster cluster;
  cluster.Run(options, {"m", "s1", "x2", "a", "b1", "b2"}, clock);
  EXPECT_EQ(cluster.master_result.exit_code, master::kExitFatal);
  EXPECT_THAT(cluster.master_result.message,
              ::testing::HasSubstr(base::Cat("agent 'm' failed to prepare: ", file, ":", line,
                                             ": <sendCmd dest=\"s9\">: no 3PCC instance 's9' in "
                                             "the cluster (instances: m, s1, s2, a, b1, b2)")));
}

// A fake agent (UAS role) that sends one 3PCC command for an instance no
// agent runs once started, records the master's answer, and finishes.
void ProbeAgent(int port, std::string* notice) {
  namespace v1 = ::sipfleet::control::v1;
  RawAgent agent(port, "probe");
  v1::MasterMessage in;
  while (agent.stream->Read(&in) && !in.has_shutdown()) {
    v1::AgentMessage out;
    if (in.has_start()) {
      v1::ThreePccCommand* command = out.mutable_three_pcc();
      command->set_source_instance("probe");
      command->set_dest_instance("ghost");
      command->set_call_id("probe-1");
      command->set_payload("Call-ID: probe-1\r\nFrom: probe\r\n");
    } else if (in.has_three_pcc()) {
      *notice = in.three_pcc().lost();
    } else if (in.has_stop()) {
      out.mutable_stats()->set_sequence(1);
      out.mutable_stats()->set_final(true);
      agent.stream->Write(out);
      out.Clear();
      out.mutable_finished()->set_message("probe done");
    } else {
      agent.AnswerHandshake(in, &out);
    }
    if (out.ByteSizeLong() > 0) agent.stream->Write(out);
  }
  agent.stream->WritesDone();
  agent.context.TryCancel();
  (void)agent.stream->Finish();
}

TEST(ClusterThreePccTest, CommandForUnknownInstanceIsCountedAndReportedToItsSender) {
  master::MasterOptions options;
  options.listen = "127.0.0.1:0";
  options.agent_names = {"uas", "uac", "probe"};
  options.uas_agents = {"uas", "probe"};
  options.uas_bind = {{"probe", "127.0.0.1:17841"}};
  options.agent_wait_ms = 20000;
  options.start_delay_ms = 300;
  options.show_screens = false;
  options.read_keys = false;
  options.sipp_args = {"-sn", "uac", "-r", "50", "-m", "10", "-d", "0", "127.0.0.1:17840"};
  base::SystemClock clock;
  std::string notice;
  Cluster cluster;
  cluster.extras.push_back([&notice](int port) { ProbeAgent(port, &notice); });
  cluster.Run(options, {"uas", "uac"}, clock);
  const master::MasterResult& result = cluster.master_result;
  EXPECT_EQ(result.unrouted_3pcc, 1u) << result.message;
  EXPECT_EQ(result.routed_3pcc, 0u);
  EXPECT_THAT(result.message, ::testing::HasSubstr("1 for unknown instances not routed"));
  EXPECT_EQ(notice,
            "3PCC command from instance 'probe' (Call-ID probe-1) for instance 'ghost': no agent "
            "runs that instance");
  // The run itself is unaffected.
  EXPECT_EQ(result.merged.Get(Counter::kSuccessfulCall), 10u);
}

}  // namespace
}  // namespace sipfleet
