#include "common/trace/trace_set.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/base/clock.h"
#include "common/scenario/embedded.h"
#include "common/scenario/loader.h"
#include "gtest/gtest.h"

namespace sipfleet::trace {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int Lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

constexpr std::string_view kBye =
    "BYE sip:x@h SIP/2.0\r\nCall-ID: 1-7@h\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";

class TraceSetTest : public testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
    std::string pattern = testing::TempDir() + "/trace_set_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto loaded = scenario::LoadScenario(*scenario::EmbeddedScenario("uac"), "uac", {});
    ASSERT_TRUE(loaded.ok());
    scenario_ = *loaded;
    config_.flush_interval_ms = 3'600'000;  // tests flush by hand
  }
  void Enable(TraceKind kind) {
    config_[kind].enabled = true;
    config_[kind].path = dir_ + "/t" + std::string(DefaultSuffix(kind));
  }
  std::unique_ptr<TraceSet> Open() {
    auto set = TraceSet::Open(config_, *scenario_, 7, clock_);
    EXPECT_TRUE(set.ok()) << set.status();
    return set.ok() ? *std::move(set) : nullptr;
  }
  std::string dir_;
  std::shared_ptr<const scenario::Scenario> scenario_;
  TraceConfig config_;
  base::ManualClock clock_;
};

TEST_F(TraceSetTest, WorkersBufferAndTheFlusherWrites) {
  Enable(TraceKind::kMessages);
  Enable(TraceKind::kShortMessages);
  config_.flush_interval_ms = 5;
  auto set = Open();
  WorkerTrace* a = set->ForWorker(0);
  WorkerTrace* b = set->ForWorker(1);
  EXPECT_EQ(set->ForWorker(0), a);
  EXPECT_TRUE(a->Message(clock_.WallMicros(), "UDP", Direction::kSent, kBye));
  EXPECT_TRUE(b->Message(clock_.WallMicros(), "UDP", Direction::kReceived, kBye));
  const std::string shortmessages = set->path(TraceKind::kShortMessages);
  // The background flusher writes without FlushNow(); bounded wait.
  for (int i = 0; i < 400 && Lines(Read(shortmessages)) < 2; ++i) usleep(5000);
  EXPECT_EQ(Lines(Read(shortmessages)), 2);
  set->Close(stats::Snapshot{});
  std::string messages = Read(set->path(TraceKind::kMessages));
  EXPECT_NE(messages.find("UDP message sent ("), std::string::npos);
  EXPECT_NE(messages.find("UDP message received ["), std::string::npos);
  EXPECT_EQ(set->dropped(), 0u);
}

TEST_F(TraceSetTest, FullBuffersDropAndCountWithoutBlocking) {
  Enable(TraceKind::kMessages);
  config_.worker_buffer_bytes = 1024;  // the flusher never runs: it cannot keep up
  auto set = Open();
  WorkerTrace* worker = set->ForWorker(0);
  int written = 0;
  for (int i = 0; i < 100; ++i) written += worker->Message(0, "UDP", Direction::kSent, kBye);
  EXPECT_GT(written, 0);
  EXPECT_LT(written, 100);
  EXPECT_EQ(set->dropped(), static_cast<uint64_t>(100 - written));
  set->FlushNow();
  // Room again once flushed.
  EXPECT_TRUE(worker->Message(0, "UDP", Direction::kSent, kBye));
  set->Close(stats::Snapshot{});
  std::string text = Read(set->path(TraceKind::kMessages));
  size_t entries = 0;
  for (size_t pos = 0; (pos = text.find("-----------------------------------------------", pos)) !=
                       std::string::npos;
       pos += 10) {
    ++entries;
  }
  EXPECT_EQ(entries, static_cast<size_t>(written + 1));
}

TEST_F(TraceSetTest, RuntimeToggleCreatesTheFileLazily) {
  config_[TraceKind::kMessages].path = dir_ + "/toggled_messages.log";  // off at start
  auto set = Open();
  const std::string path = set->path(TraceKind::kMessages);
  EXPECT_FALSE(set->enabled(TraceKind::kMessages));
  WorkerTrace* worker = set->ForWorker(0);
  worker->Message(0, "UDP", Direction::kSent, kBye);
  set->FlushNow();
  EXPECT_NE(access(path.c_str(), F_OK), 0);
  set->SetEnabled(TraceKind::kMessages, true);
  worker->Message(0, "UDP", Direction::kSent, kBye);
  set->SetEnabled(TraceKind::kMessages, false);
  worker->Message(0, "UDP", Direction::kSent, kBye);
  set->Close(stats::Snapshot{});
  EXPECT_EQ(Lines(Read(path)), 1 + 1 + 1 + Lines(std::string(kBye)) + 1);
  // Kinds without a file cannot be turned on.
  set->SetEnabled(TraceKind::kRtt, true);
  EXPECT_FALSE(set->enabled(TraceKind::kRtt));
}

TEST_F(TraceSetTest, CountsAndErrorCodesRows) {
  Enable(TraceKind::kCounts);
  Enable(TraceKind::kErrorCodes);
  config_.stat_period_ms = 1000;
  auto set = Open();
  set->ForWorker(0)->ErrorCode(486);
  set->ForWorker(1)->ErrorCode(503);
  EXPECT_FALSE(set->PeriodDue(clock_.WallMicros() + 999'000));
  EXPECT_TRUE(set->PeriodDue(clock_.WallMicros() + 1'000'000));
  EXPECT_FALSE(set->PeriodDue(clock_.WallMicros() + 1'500'000));
  clock_.AdvanceMillis(1000);
  set->OnStatPeriod(stats::Snapshot{}, clock_.WallMicros());
  set->Close(stats::Snapshot{});
  std::string counts = Read(set->path(TraceKind::kCounts));
  EXPECT_EQ(Lines(counts), 1 + 1 + 1 + 2);  // header, start, period, final pair
  EXPECT_EQ(counts.rfind("CurrentTime;ElapsedTime;0_INVITE_Sent;", 0), 0u);
  std::string codes = Read(set->path(TraceKind::kErrorCodes));
  EXPECT_EQ(Lines(codes), 4);
  EXPECT_NE(codes.find(";00:00:01:000000;486,503,\n"), std::string::npos);
}

TEST_F(TraceSetTest, CallDebugKeepsFailedCallsOnly) {
  Enable(TraceKind::kCallDebug);
  auto set = Open();
  WorkerTrace* worker = set->ForWorker(0);
  std::unique_ptr<std::string> ok_call, failed_call;
  worker->CallEvent(&ok_call, "ok", 0, 0, "Aborting call ok (index 1).");
  worker->CallEvent(&failed_call, "bad", 0, 0, "Aborting call bad (index 1).");
  EXPECT_TRUE(worker->EndCall(&ok_call, /*failed=*/false));
  EXPECT_TRUE(worker->EndCall(&failed_call, /*failed=*/true));
  EXPECT_EQ(failed_call, nullptr);
  set->Close(stats::Snapshot{});
  std::string text = Read(set->path(TraceKind::kCallDebug));
  EXPECT_EQ(text.find("call ok"), std::string::npos);
  EXPECT_NE(text.find("Call debugging information for call bad:\n"), std::string::npos);
  EXPECT_EQ(Lines(text), 4);
}

TEST_F(TraceSetTest, CallHistoryIsBounded) {
  Enable(TraceKind::kCallDebug);
  config_.call_history_bytes = 256;
  auto set = Open();
  std::unique_ptr<std::string> history;
  int kept = 0;
  for (int i = 0; i < 50; ++i) kept += set->ForWorker(0)->CallEvent(&history, "c", 0, 0, "event");
  EXPECT_LT(kept, 50);
  EXPECT_LE(history->size(), 256u + 64u);
  EXPECT_EQ(set->dropped(), static_cast<uint64_t>(50 - kept));
}

TEST_F(TraceSetTest, ErrorsLogIsCreatedAtTheFirstError) {
  Enable(TraceKind::kErrors);
  Enable(TraceKind::kLogs);
  auto set = Open();
  const std::string errors = set->path(TraceKind::kErrors);
  set->FlushNow();
  EXPECT_NE(access(errors.c_str(), F_OK), 0);
  EXPECT_EQ(access(set->path(TraceKind::kLogs).c_str(), F_OK), 0);  // SIPp creates it at start
  set->ForWorker(0)->Error(clock_.WallMicros(), "one");
  set->ForWorker(0)->Log("hello 1");
  set->Close(stats::Snapshot{});
  EXPECT_EQ(Read(errors),
            "The following events occurred:\n2023-11-14\t22:13:21.000000\t1700000001.000000: one");
  EXPECT_EQ(Read(set->path(TraceKind::kLogs)), "hello 1\n");
}

TEST_F(TraceSetTest, DefaultNamesAreSipps) {
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  config_[TraceKind::kCounts].enabled = true;
  auto set = Open();
  EXPECT_EQ(set->path(TraceKind::kCounts), "uac_7_counts.csv");
  EXPECT_EQ(set->path(TraceKind::kMessages), "uac_7_messages.log");
  EXPECT_EQ(set->path(TraceKind::kErrorCodes), "");  // not asked for
  set->Close(stats::Snapshot{});
  EXPECT_EQ(access("uac_7_counts.csv", F_OK), 0);
  EXPECT_NE(access("uac_7_messages.log", F_OK), 0);
  ASSERT_EQ(chdir(cwd), 0);
}

}  // namespace
}  // namespace sipfleet::trace
