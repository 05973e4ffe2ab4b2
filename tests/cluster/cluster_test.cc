// Master + 3 agents in one process over loopback gRPC (issue 6): one UAS
// agent, two UAC agents, 2,000 calls. Each party runs on its own thread with
// the same code the binaries run (master/master.h, agent/agent_session.h).

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent_session.h"
#include "common/base/clock.h"
#include "common/base/strings.h"
#include "gmock/gmock.h"
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

// Runs a master and agents on threads; collects their results.
struct Cluster {
  master::MasterResult master_result;
  std::vector<agent::AgentResult> agent_results;

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
          agent_results[i] = agent::RunAgent(agent_options, clock);
        });
      }
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

}  // namespace
}  // namespace sipfleet
