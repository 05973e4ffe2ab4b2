#include "common/screen/render.h"

#include <stdlib.h>
#include <time.h>

#include <array>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/scenario/embedded.h"
#include "common/scenario/loader.h"
#include "common/stats/shard.h"
#include "gmock/gmock.h"
#include "common/scenario/stats_layout.h"
#include "gtest/gtest.h"

namespace sipfleet::screen {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using stats::Counter;
using stats::MessageCounter;

std::shared_ptr<const scenario::Scenario> Load(std::string_view xml) {
  auto loaded = scenario::LoadScenario(xml, "t.xml", {});
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded.ok() ? *loaded : nullptr;
}

std::shared_ptr<const scenario::Scenario> Embedded(std::string_view name) {
  return Load(*scenario::EmbeddedScenario(name));
}

stats::Snapshot EmptyFor(const scenario::Scenario& scenario) {
  return stats::EmptySnapshot(scenario::StatsLayoutFor(scenario));
}

void SetCounter(stats::Snapshot* snapshot, Counter counter, uint64_t value) {
  snapshot->counters[static_cast<size_t>(counter)] = value;
}

// Per-message counters: {index, {sent, received, retrans, timeout, unexp}}.
void SetMessage(stats::Snapshot* snapshot, size_t index,
                std::array<uint64_t, stats::kNumMessageCounters> values) {
  snapshot->messages[index] = values;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// The state of a `sipp -sn uac 127.0.0.1:17599 -r 5 -m 50` two seconds
// into the run (SIPp 3.6.1 screen captured with tmux).
ScreenInput UacInput(const scenario::Scenario& uac) {
  ScreenInput input;
  input.scenario = &uac;
  input.cumulative = EmptyFor(uac);
  SetCounter(&input.cumulative, Counter::kOutgoingCall, 10);
  input.periodic = EmptyFor(uac);
  SetCounter(&input.periodic, Counter::kOutgoingCall, 6);
  // INVITE, 100, 180, 183, 200, ACK, pause, BYE, 200.
  SetMessage(&input.cumulative, 0, {10, 0, 0, 0, 0});
  SetMessage(&input.cumulative, 2, {0, 10, 0, 0, 0});
  SetMessage(&input.cumulative, 4, {0, 10, 0, 0, 0});
  SetMessage(&input.cumulative, 5, {10, 0, 0, 0, 0});
  SetMessage(&input.cumulative, 6, {10, 0, 0, 0, 0});
  SetMessage(&input.cumulative, 7, {9, 0, 0, 0, 0});
  SetMessage(&input.cumulative, 8, {0, 9, 0, 0, 0});
  input.elapsed_us = 2'000'000;
  input.period_elapsed_us = 1'004'000;
  input.rate = 5;
  input.rate_period_ms = 1000;
  input.open_calls = 1;
  input.call_limit = 15;
  input.max_calls = 50;
  input.peak_calls = 1;
  input.transport = "UDP";
  input.local_port = 5060;
  input.remote_address = "127.0.0.1:17599";
  input.waiting_calls = 11;
  input.woken_calls = 14;
  input.open_sockets = 3;
  return input;
}

TEST(RenderScreenTest, ClientScenarioScreenMatchesSipp) {
  auto uac = Embedded("uac");
  ASSERT_NE(uac, nullptr);
  EXPECT_EQ(RenderScreen(1, UacInput(*uac)),
            "------------------------------ Scenario Screen -------- [1-9]: Change Screen --\n"
            "  Call rate (length)   Port   Total-time  Total-calls  Remote-host\n"
            "  5.0(0 ms)/1.000s   5060       2.00 s           10  127.0.0.1:17599(UDP)\n"
            "\n"
            "  6 new calls during 1.004 s period       1 ms scheduler resolution\n"
            "  1 calls (limit 15)                      Peak was 1 calls, after 0 s\n"
            "  0 Running, 11 Paused, 14 Woken up\n"
            "  0 dead call msg (discarded)             0 out-of-call msg (discarded)\n"
            "  3 open sockets                          0/0/0 UDP errors (send/recv/cong)\n"
            "  0 Total RTP pckts sent                  0.000 last period RTP rate (kB/s)\n"
            "\n"
            "                                 Messages  Retrans   Timeout   Unexpected-Msg\n"
            "      INVITE ---------->         10        0         0\n"
            "         100 <----------         0         0         0         0\n"
            "         180 <----------         10        0         0         0\n"
            "         183 <----------         0         0         0         0\n"
            "         200 <----------  E-RTD1 10        0         0         0\n"
            "         ACK ---------->         10        0\n"
            "       Pause [      0ms]         10                            0\n"
            "         BYE ---------->         9         0         0\n"
            "         200 <----------         9         0         0         0\n"
            "\n"
            "------ [+|-|*|/]: Adjust rate ---- [q]: Soft exit ---- [p]: Pause traffic -----");
}

TEST(RenderScreenTest, ServerScenarioScreenMatchesSipp) {
  auto uas = Embedded("uas");
  ASSERT_NE(uas, nullptr);
  ScreenInput input;
  input.scenario = uas.get();
  input.cumulative = EmptyFor(*uas);
  SetCounter(&input.cumulative, Counter::kIncomingCall, 50);
  input.periodic = EmptyFor(*uas);
  // INVITE, 180, 200, ACK, BYE, 200, timewait.
  SetMessage(&input.cumulative, 0, {0, 50, 0, 0, 0});
  SetMessage(&input.cumulative, 1, {50, 0, 0, 0, 0});
  SetMessage(&input.cumulative, 2, {50, 0, 0, 0, 0});
  SetMessage(&input.cumulative, 3, {0, 50, 0, 0, 0});
  SetMessage(&input.cumulative, 4, {0, 50, 0, 0, 0});
  SetMessage(&input.cumulative, 5, {50, 0, 0, 0, 0});
  SetMessage(&input.cumulative, 6, {50, 0, 0, 0, 0});
  input.elapsed_us = 11'040'000;
  input.period_elapsed_us = 10'000'000;
  input.max_calls = 50;
  input.open_calls = 18;
  input.peak_calls = 21;
  input.peak_calls_elapsed_s = 4;
  input.local_port = 17599;
  input.waiting_calls = 51;
  input.woken_calls = 9;
  input.open_sockets = 3;
  input.quitting = true;
  EXPECT_EQ(RenderScreen(1, input),
            "------------------------------ Scenario Screen -------- [1-9]: Change Screen --\n"
            "  Port   Total-time  Total-calls  Transport\n"
            "  17599     11.04 s           50  UDP\n"
            "\n"
            "  Call limit 50 hit, 10.0 s period        1 ms scheduler resolution\n"
            "  18 calls                                Peak was 21 calls, after 4 s\n"
            "  0 Running, 51 Paused, 9 Woken up\n"
            "  0 dead call msg (discarded)\n"
            "  3 open sockets                          0/0/0 UDP errors (send/recv/cong)\n"
            "  0 Total RTP pckts sent                  0.000 last period RTP rate (kB/s)\n"
            "\n"
            "                                 Messages  Retrans   Timeout   Unexpected-Msg\n"
            "  ----------> INVITE             50        0         0         0\n"
            "\n"
            "  <---------- 180                50        0\n"
            "  <---------- 200                50        0         0\n"
            "  ----------> ACK         E-RTD1 50        0         0         0\n"
            "\n"
            "  ----------> BYE                50        0         0         0\n"
            "  <---------- 200                50        0\n"
            "  [   4000ms] Pause              50                            0\n"
            "------- Waiting for active calls to end. Press [q] again to force exit. -------");
}

TEST(RenderScreenTest, UsersModeHeader) {
  auto uac = Embedded("uac");
  ScreenInput input = UacInput(*uac);
  input.users_mode = true;
  input.users = 5;
  input.transport = "TCP";
  std::vector<std::string> lines = SplitLines(RenderScreen(1, input));
  EXPECT_EQ(lines[1], "  Users (length)   Port   Total-time  Total-calls  Remote-host");
  EXPECT_EQ(lines[2], "  5 (0 ms)   5060       2.00 s           10  127.0.0.1:17599(TCP)");
  EXPECT_EQ(lines[8], "  3 open sockets                          0/0/0 TCP errors (send/recv/cong)");
}

TEST(RenderScreenTest, RateWithPeriodAndDuration) {
  auto uac = Embedded("uac");
  ScreenInput input = UacInput(*uac);
  input.rate = 3;
  input.rate_period_ms = 2000;
  input.call_duration_ms = 1500;
  std::vector<std::string> lines = SplitLines(RenderScreen(1, input));
  EXPECT_EQ(lines[2], "  3.0(1500 ms)/2.000s   5060       2.00 s           10  127.0.0.1:17599(UDP)");
  EXPECT_EQ(lines[18], "       Pause [   1500ms]         10                            0");
}

// sipfleet's own status line, only in a period with late calls.
TEST(RenderScreenTest, LateCallsShowCannotKeepUp) {
  auto uac = Embedded("uac");
  ScreenInput input = UacInput(*uac);
  std::vector<std::string> plain = SplitLines(RenderScreen(1, input));
  SetCounter(&input.periodic, Counter::kLateCalls, 250);
  std::vector<std::string> lines = SplitLines(RenderScreen(1, input));
  ASSERT_EQ(lines.size(), plain.size() + 1);
  EXPECT_EQ(lines[10], "  cannot keep up: 250 calls started late this period");
  EXPECT_EQ(lines[11], "");
}

TEST(RenderScreenTest, BannersFollowTheRunState) {
  auto uac = Embedded("uac");
  ScreenInput input = UacInput(*uac);
  for (int screen = 1; screen <= 9; ++screen) {
    input.paused = true;
    EXPECT_THAT(SplitLines(RenderScreen(screen, input)).back(),
                "----------------- Traffic Paused - Press [p] again to resume ------------------");
    input.quitting = true;
    EXPECT_THAT(SplitLines(RenderScreen(screen, input)).back(),
                "------- Waiting for active calls to end. Press [q] again to force exit. -------");
    input.terminated = true;
    EXPECT_THAT(SplitLines(RenderScreen(screen, input)).back(),
                "------------------------------ Test Terminated --------------------------------");
    input = UacInput(*uac);
  }
}

TEST(RenderScreenTest, LastErrorIsCutAndShownAboveTheBanner) {
  auto uac = Embedded("uac");
  ScreenInput input = UacInput(*uac);
  input.last_error =
      "Call-Id: 1-11192@127.0.0.1, receive timeout on message t1:1, jumping to label 3";
  for (int screen : {1, 2, 3}) {
    std::vector<std::string> lines = SplitLines(RenderScreen(screen, input));
    EXPECT_EQ(lines[lines.size() - 2],
              "Last Error: Call-Id: 1-11192@127.0.0.1, receive timeout on message t1:1,...");
  }
}

TEST(RenderScreenTest, StatisticsScreenMatchesSipp) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  auto uac = Embedded("uac");
  ScreenInput input = UacInput(*uac);
  input.start_time_us = 1795244334292038;
  input.period_start_time_us = 1795244337304923;
  input.current_time_us = 1795244338308188;
  input.period_elapsed_us = 1'003'000;
  input.elapsed_us = 4'016'064;  // 20 calls at 4.980 cps
  input.open_calls = 0;
  SetCounter(&input.cumulative, Counter::kOutgoingCall, 20);
  SetCounter(&input.periodic, Counter::kOutgoingCall, 5);
  SetCounter(&input.cumulative, Counter::kSuccessfulCall, 20);
  SetCounter(&input.periodic, Counter::kSuccessfulCall, 6);
  input.cumulative.call_length.Record(6000);
  input.periodic.call_length.Record(6000);
  EXPECT_EQ(RenderScreen(2, input),
            "----------------------------- Statistics Screen ------- [1-9]: Change Screen --\n"
            "  Start Time             | 2026-11-21   06:58:54.292038 1795244334.292038\n"
            "  Last Reset Time        | 2026-11-21   06:58:57.304923 1795244337.304923\n"
            "  Current Time           | 2026-11-21   06:58:58.308188 1795244338.308188\n"
            "-------------------------+---------------------------+--------------------------\n"
            "  Counter Name           | Periodic value            | Cumulative value\n"
            "-------------------------+---------------------------+--------------------------\n"
            "  Elapsed Time           | 00:00:01:003000           | 00:00:04:016064\n"
            "  Call Rate              |    4.985 cps              |    4.980 cps\n"
            "-------------------------+---------------------------+--------------------------\n"
            "  Incoming calls created |        0                  |        0\n"
            "  Outgoing calls created |        5                  |       20\n"
            "  Total Calls created    |                           |       20\n"
            "  Current Calls          |        0                  |\n"
            "-------------------------+---------------------------+--------------------------\n"
            "  Successful call        |        6                  |       20\n"
            "  Failed call            |        0                  |        0\n"
            "-------------------------+---------------------------+--------------------------\n"
            "  Response Time 1        | 00:00:00:000000           | 00:00:00:000000\n"
            "  Call Length            | 00:00:00:006000           | 00:00:00:006000\n"
            "------ [+|-|*|/]: Adjust rate ---- [q]: Soft exit ---- [p]: Pause traffic -----");
}

TEST(RenderScreenTest, StatisticsScreenShowsUserCountersAndRtdNames) {
  auto scenario = Load(R"(<scenario name="t">
  <send start_rtd="a"><![CDATA[
      OPTIONS sip:x SIP/2.0
      Content-Length: 0
    ]]></send>
  <recv response="200" rtd="a" counter="c1"/>
</scenario>)");
  ASSERT_NE(scenario, nullptr);
  ScreenInput input;
  input.scenario = scenario.get();
  input.cumulative = EmptyFor(*scenario);
  input.periodic = EmptyFor(*scenario);
  input.cumulative.user_counters[0] = 7;
  input.cumulative.response_times[0].Record(1'500'000);
  std::string screen = RenderScreen(2, input);
  EXPECT_THAT(screen, HasSubstr("  Counter c1             |        0                  |        7\n"));
  EXPECT_THAT(screen, HasSubstr("  Response Time a        | 00:00:00:000000           | 00:00:01:5"));
}

TEST(RenderScreenTest, RepartitionScreenMatchesSipp) {
  auto uac = Embedded("uac");
  ScreenInput input = UacInput(*uac);
  input.cumulative.response_time_repartition[0][0] = 25;
  input.cumulative.call_length_repartition[0] = 25;
  EXPECT_EQ(RenderScreen(3, input),
            "---------------------------- Repartition Screen ------- [1-9]: Change Screen --\n"
            "  Average Response Time Repartition 1\n"
            "             0 ms <= n <         10 ms :         25\n"
            "            10 ms <= n <         20 ms :          0\n"
            "            20 ms <= n <         30 ms :          0\n"
            "            30 ms <= n <         40 ms :          0\n"
            "            40 ms <= n <         50 ms :          0\n"
            "            50 ms <= n <        100 ms :          0\n"
            "           100 ms <= n <        150 ms :          0\n"
            "           150 ms <= n <        200 ms :          0\n"
            "                   n >=        200 ms :          0\n"
            "  Average Call Length Repartition\n"
            "             0 ms <= n <         10 ms :         25\n"
            "            10 ms <= n <         50 ms :          0\n"
            "            50 ms <= n <        100 ms :          0\n"
            "           100 ms <= n <        500 ms :          0\n"
            "           500 ms <= n <       1000 ms :          0\n"
            "          1000 ms <= n <       5000 ms :          0\n"
            "          5000 ms <= n <      10000 ms :          0\n"
            "                   n >=      10000 ms :          0\n"
            "------ [+|-|*|/]: Adjust rate ---- [q]: Soft exit ---- [p]: Pause traffic -----");
}

constexpr char kTwoRtds[] = R"(<scenario name="t2">
  <send start_rtd="a"><![CDATA[
      OPTIONS sip:x SIP/2.0
      Content-Length: 0
    ]]></send>
  <nop start_rtd="b"/>
  <recv response="200" rtd="a"/>
  <recv response="201" rtd="b"/>
</scenario>)";

TEST(RenderScreenTest, ExtraRepartitionScreens) {
  auto scenario = Load(kTwoRtds);
  ASSERT_NE(scenario, nullptr);
  ScreenInput input;
  input.scenario = scenario.get();
  input.cumulative = EmptyFor(*scenario);
  input.periodic = EmptyFor(*scenario);
  EXPECT_EQ(RenderScreen(3, input),
            "---------------------------- Repartition Screen ------- [1-9]: Change Screen --\n"
            "  Average Response Time Repartition a\n"
            "    <No repartion defined>\n"
            "  Average Call Length Repartition\n"
            "    <No repartion defined>\n"
            "------ [+|-|*|/]: Adjust rate ---- [q]: Soft exit ---- [p]: Pause traffic -----");
  EXPECT_EQ(RenderScreen(6, input),
            "--------------------------- Repartition 2 Screen ------ [1-9]: Change Screen --\n"
            "  Average Response Time Repartition b\n"
            "    <No repartion defined>\n"
            "------ [+|-|*|/]: Adjust rate ---- [q]: Soft exit ---- [p]: Pause traffic -----");
  EXPECT_EQ(RenderScreen(9, input),
            "--------------------------- Repartition 5 Screen ------ [1-9]: Change Screen --\n"
            "    <No repartion defined>\n"
            "------ [+|-|*|/]: Adjust rate ---- [q]: Soft exit ---- [p]: Pause traffic -----");
  std::string scenario_screen = RenderScreen(1, input);
  EXPECT_THAT(scenario_screen, HasSubstr("\n     OPTIONS ---------->  B-RTD1 0         0\n"));
  EXPECT_THAT(scenario_screen, HasSubstr("\n              [ NOP ]\n"));
  EXPECT_THAT(scenario_screen, HasSubstr("\n         201 <----------  E-RTD2 0         0         0         0\n"));
}

constexpr char kOddScenario[] = R"(<scenario name="odd">
  <send retrans="500"><![CDATA[
      OPTIONS sip:x SIP/2.0
      Content-Length: 0
    ]]></send>
  <recv response="200" crlf="true">
    <action><ereg regexp="a" search_in="msg" assign_to="v1"/></action>
  </recv>
  <recv request="ANYVERYLONGMETHODNAME" optional="true"/>
  <recv request="INF.*" regexp_match="true"/>
  <send><![CDATA[
      MESSAGE sip:x SIP/2.0
      X: [$v1]
      Content-Length: 0
    ]]></send>
  <nop><action><assign assign_to="v2" value="3"/></action></nop>
  <nop display="nop shown"/>
  <nop hide="true"/>
  <pause milliseconds="12345"/>
  <pause milliseconds="99999"/>
  <pause milliseconds="7200000"/>
  <pause distribution="uniform" min="10" max="20"/>
  <pause distribution="normal" mean="100" stdev="10"/>
  <pause distribution="exponential" mean="30"/>
  <pause distribution="gpareto" shape="0.1" scale="123456.5" location="99999.25"/>
  <pause variable="v2"/>
  <send hide="true"><![CDATA[
      NOTIFY sip:x SIP/2.0
      Content-Length: 0
    ]]></send>
  <recv response="202" timeout="100"/>
</scenario>)";

TEST(RenderScreenTest, OddElementsAsSippDrawsThem) {
  auto scenario = Load(kOddScenario);
  ASSERT_NE(scenario, nullptr);
  ScreenInput input;
  input.scenario = scenario.get();
  input.cumulative = EmptyFor(*scenario);
  input.periodic = EmptyFor(*scenario);
  SetMessage(&input.cumulative, 0, {1, 0, 2, 0, 0});
  std::string screen = RenderScreen(1, input);
  EXPECT_THAT(screen, HasSubstr("\n     OPTIONS ---------->         1         2         0\n"));
  EXPECT_THAT(screen, HasSubstr("\n         200 <----------         0         0         0         0\n\n"));
  EXPECT_THAT(screen, HasSubstr("\n       INF.* <----------         0"));
  EXPECT_THAT(screen, HasSubstr("\n     MESSAGE ---------->         0         0\n"));
  EXPECT_THAT(screen, HasSubstr("\n              [ NOP ]\n nop shown\n"));
  EXPECT_THAT(screen, HasSubstr("\n       Pause [    12.3s]         0                             0\n"));
  EXPECT_THAT(screen, HasSubstr("\n       Pause [     1:39]         0"));
  EXPECT_THAT(screen, HasSubstr("\n       Pause [  2:00:00]         0"));
  EXPECT_THAT(screen, HasSubstr("\n       Pause [10ms/20ms]         0"));
  EXPECT_THAT(screen, HasSubstr("\n       Pause [N(100ms,10ms)]     0"));
  EXPECT_THAT(screen, HasSubstr("\n       Pause [Exp(30ms)]         0"));
  EXPECT_THAT(screen, HasSubstr("\n       Pause [      $v2]         0"));
  EXPECT_THAT(screen, Not(HasSubstr("NOTIFY")));
  // SIPp lets a long name push the row past 80 columns; we cut the name.
  EXPECT_THAT(screen, HasSubstr("\nANYVERYLONGM <----------         0"));
  for (int number = 1; number <= 9; ++number) {
    for (const std::string& line : SplitLines(RenderScreen(number, input))) {
      EXPECT_LE(line.size(), 80u) << "screen " << number << ": " << line;
      EXPECT_EQ(line.find('\t'), std::string::npos);
      EXPECT_TRUE(line.empty() || line.back() != ' ') << "screen " << number << ": " << line;
    }
  }
}

TEST(RenderScreenTest, VariablesScreenListsActionsAndVariables) {
  auto scenario = Load(kOddScenario);
  ASSERT_NE(scenario, nullptr);
  ScreenInput input;
  input.scenario = scenario.get();
  std::string screen = RenderScreen(4, input);
  EXPECT_THAT(screen, HasSubstr("----------------------------- Variables Screen -------- [1-9]: "
                                "Change Screen --\nAction defined Per Message :\n"));
  EXPECT_THAT(screen, HasSubstr("=> Message[1] - [1] action(s) defined :\n"
                                "   --> action[0] = ereg varId[v1]\n"));
  EXPECT_THAT(screen, HasSubstr("   --> action[0] = assign varId[v2] 3.000000\n"));
  EXPECT_THAT(screen, HasSubstr("Variables :\n   $v1 (call)\n   $v2 (call)\n"));

  auto uac = Embedded("uac");
  input.scenario = uac.get();
  EXPECT_THAT(RenderScreen(4, input), HasSubstr("\n=> No action found on any messages\n"));
}

TEST(RenderScreenTest, TdmScreenSaysUnsupported) {
  ScreenInput input;
  EXPECT_THAT(RenderScreen(5, input), HasSubstr("not supported"));
}

TEST(RenderScreenTest, WithoutScenarioOrSnapshotsNothingBreaks) {
  ScreenInput input;
  for (int number = 0; number <= 10; ++number) {
    std::string screen = RenderScreen(number, input);
    EXPECT_FALSE(screen.empty());
    for (const std::string& line : SplitLines(screen)) EXPECT_LE(line.size(), 80u);
  }
  auto uac = Embedded("uac");
  input.scenario = uac.get();  // Snapshots still empty (no message rows).
  EXPECT_THAT(RenderScreen(1, input), HasSubstr("      INVITE ---------->         0"));
  EXPECT_THAT(RenderScreen(3, input), HasSubstr("             0 ms <= n <         10 ms :          0"));
  EXPECT_FALSE(RenderScreenDump(input).empty());
}

TEST(RenderScreenDumpTest, WritesScenarioStatisticsAndRepartitionLikeSipp) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  auto uac = Embedded("uac");
  ScreenInput input = UacInput(*uac);
  input.terminated = true;
  input.start_time_us = 1795244334292038;
  input.period_start_time_us = 1795244344302086;
  input.current_time_us = 1795244344302134;
  std::string dump = RenderScreenDump(input);
  std::vector<std::string> lines = SplitLines(dump);
  ASSERT_EQ(lines.size(), 23u + 21u + 21u);
  EXPECT_EQ(lines[0],
            "------------------------------ Scenario Screen -------- [1-9]: Change Screen --");
  EXPECT_EQ(lines[12],
            "      INVITE ---------->         10        0         0                         ");
  EXPECT_EQ(lines[17],
            "         ACK ---------->         10        0                                   ");
  EXPECT_EQ(lines[18], "       Pause [      0ms]         10                            0        ");
  EXPECT_EQ(lines[22],
            "------------------------------ Test Terminated --------------------------------");
  EXPECT_EQ(lines[23],
            "----------------------------- Statistics Screen ------- [1-9]: Change Screen --");
  EXPECT_EQ(lines[24],
            "  Start Time             | 2026-11-21\t06:58:54.292038\t1795244334.292038         ");
  EXPECT_EQ(lines[44],
            "---------------------------- Repartition Screen ------- [1-9]: Change Screen --");
  EXPECT_EQ(lines[45],
            "  Average Response Time Repartition 1                                          ");
  EXPECT_EQ(lines.back(),
            "------------------------------ Test Terminated --------------------------------");
  EXPECT_EQ(dump.back(), '\n');
}

}  // namespace
}  // namespace sipfleet::screen
