#include "common/stats/stat_csv.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace sipfleet::stats {
namespace {

// Lines copied verbatim from -trace_stat files written by the real SIPp
// 3.6.1 (Debian sip-tester) on loopback, in a UTC time zone.
// `sipp 127.0.0.1:15060 -sn uac -m 20 -r 50 -trace_stat -fd 1`: header, last two rows.

constexpr char kSippUacHeader[] =
    "StartTime;LastResetTime;CurrentTime;ElapsedTime(P);ElapsedTime(C);TargetRate;"
    "CallRate(P);CallRate(C);IncomingCall(P);IncomingCall(C);OutgoingCall(P);OutgoingCall(C);"
    "TotalCallCreated;CurrentCall;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);"
    "FailedCall(C);FailedCannotSendMessage(P);FailedCannotSendMessage(C);"
    "FailedMaxUDPRetrans(P);FailedMaxUDPRetrans(C);FailedTcpConnect(P);FailedTcpConnect(C);"
    "FailedTcpClosed(P);FailedTcpClosed(C);FailedUnexpectedMessage(P);"
    "FailedUnexpectedMessage(C);FailedCallRejected(P);FailedCallRejected(C);"
    "FailedCmdNotSent(P);FailedCmdNotSent(C);FailedRegexpDoesntMatch(P);"
    "FailedRegexpDoesntMatch(C);FailedRegexpShouldntMatch(P);FailedRegexpShouldntMatch(C);"
    "FailedRegexpHdrNotFound(P);FailedRegexpHdrNotFound(C);FailedOutboundCongestion(P);"
    "FailedOutboundCongestion(C);FailedTimeoutOnRecv(P);FailedTimeoutOnRecv(C);"
    "FailedTimeoutOnSend(P);FailedTimeoutOnSend(C);FailedTestDoesntMatch(P);"
    "FailedTestDoesntMatch(C);FailedTestShouldntMatch(P);FailedTestShouldntMatch(C);"
    "FailedStrcmpDoesntMatch(P);FailedStrcmpDoesntMatch(C);FailedStrcmpShouldntMatch(P);"
    "FailedStrcmpShouldntMatch(C);OutOfCallMsgs(P);OutOfCallMsgs(C);DeadCallMsgs(P);"
    "DeadCallMsgs(C);Retransmissions(P);Retransmissions(C);AutoAnswered(P);AutoAnswered(C);"
    "Warnings(P);Warnings(C);FatalErrors(P);FatalErrors(C);WatchdogMajor(P);WatchdogMajor(C);"
    "WatchdogMinor(P);WatchdogMinor(C);ResponseTime1(P);ResponseTime1(C);"
    "ResponseTime1StDev(P);ResponseTime1StDev(C);CallLength(P);CallLength(C);"
    "CallLengthStDev(P);CallLengthStDev(C);ResponseTimeRepartition1;"
    "ResponseTimeRepartition1_<10;ResponseTimeRepartition1_<20;ResponseTimeRepartition1_<30;"
    "ResponseTimeRepartition1_<40;ResponseTimeRepartition1_<50;ResponseTimeRepartition1_<100;"
    "ResponseTimeRepartition1_<150;ResponseTimeRepartition1_<200;"
    "ResponseTimeRepartition1_>=200;CallLengthRepartition;CallLengthRepartition_<10;"
    "CallLengthRepartition_<50;CallLengthRepartition_<100;CallLengthRepartition_<500;"
    "CallLengthRepartition_<1000;CallLengthRepartition_<5000;CallLengthRepartition_<10000;"
    "CallLengthRepartition_>=10000;\n";

constexpr char kSippUacRow2[] =
    "2026-11-21\t03:09:07.830522\t1795230547.830522;"
    "2026-11-21\t03:09:07.831163\t1795230547.831163;"
    "2026-11-21\t03:09:08.242028\t1795230548.242028;00:00:00;00:00:00;50;48.7805;48.6618;0;0;"
    "20;20;20;0;20;20;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;"
    "0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;00:00:00:000000;00:00:00:000000;00:00:00:000000;"
    "00:00:00:000000;00:00:00:005000;00:00:00:005000;00:00:00:002000;00:00:00:002000;;20;0;0;"
    "0;0;0;0;0;0;;20;0;0;0;0;0;0;0;\n";

constexpr char kSippUacRow3[] =
    "2026-11-21\t03:09:07.830522\t1795230547.830522;"
    "2026-11-21\t03:09:08.242113\t1795230548.242113;"
    "2026-11-21\t03:09:08.242170\t1795230548.242170;00:00:00;00:00:00;50;0;48.6618;0;0;0;20;"
    "20;0;0;20;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;"
    "0;0;0;0;0;0;0;0;0;0;0;0;0;00:00:00:000000;00:00:00:000000;00:00:00:000000;"
    "00:00:00:000000;00:00:00:000000;00:00:00:005000;00:00:00:000000;00:00:00:002000;;20;0;0;"
    "0;0;0;0;0;0;;20;0;0;0;0;0;0;0;\n";

// The matching `sipp -sn uas -m 20` side: the row with the call lengths.

constexpr char kSippUasRow6[] =
    "2026-11-21\t03:09:07.523571\t1795230547.523571;"
    "2026-11-21\t03:09:11.540302\t1795230551.540302;"
    "2026-11-21\t03:09:12.245236\t1795230552.245236;00:00:00;00:00:04;10;0;4.23639;0;20;0;0;"
    "20;0;20;20;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;"
    "0;0;0;0;0;0;0;0;0;0;0;0;0;0;00:00:00:000000;00:00:00:000000;00:00:00:000000;"
    "00:00:00:000000;00:00:04:009000;00:00:04:009000;00:00:00:002000;00:00:00:002000;;20;0;0;"
    "0;0;0;0;0;0;;0;0;0;0;0;20;0;0;\n";

// `sipp 127.0.0.1:<closed port> -sn uac -m 3 -r 7.5 -recv_timeout 400 -trace_stat -fd 1`.

constexpr char kSippFailedCallsRow2[] =
    "2026-11-21\t03:12:52.016581\t1795230772.016581;"
    "2026-11-21\t03:12:52.017599\t1795230772.017599;"
    "2026-11-21\t03:12:52.825245\t1795230772.825245;00:00:00;00:00:00;7.5;3.71747;3.71287;0;"
    "0;3;3;3;0;0;0;3;3;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;3;3;0;0;0;0;0;0;0;0;0;0;0;"
    "0;0;0;0;0;0;0;3;3;0;0;0;0;0;0;00:00:00:000000;00:00:00:000000;00:00:00:000000;"
    "00:00:00:000000;00:00:00:405000;00:00:00:405000;00:00:00:002000;00:00:00:002000;;0;0;0;"
    "0;0;0;0;0;0;;0;0;0;3;0;0;0;0;\n";

// A uac with start_rtd="setup"/rtd="setup" on INVITE/180, counter="c1" on 180,
// counter="7" on the 200 (rtd="true"), ResponseTimeRepartition "30, 10, 20";
// run with -m 1 -r 10 against a uas pausing 0-30 ms before its 200.

constexpr char kSippNamedRtdHeader[] =
    "StartTime;LastResetTime;CurrentTime;ElapsedTime(P);ElapsedTime(C);TargetRate;"
    "CallRate(P);CallRate(C);IncomingCall(P);IncomingCall(C);OutgoingCall(P);OutgoingCall(C);"
    "TotalCallCreated;CurrentCall;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);"
    "FailedCall(C);FailedCannotSendMessage(P);FailedCannotSendMessage(C);"
    "FailedMaxUDPRetrans(P);FailedMaxUDPRetrans(C);FailedTcpConnect(P);FailedTcpConnect(C);"
    "FailedTcpClosed(P);FailedTcpClosed(C);FailedUnexpectedMessage(P);"
    "FailedUnexpectedMessage(C);FailedCallRejected(P);FailedCallRejected(C);"
    "FailedCmdNotSent(P);FailedCmdNotSent(C);FailedRegexpDoesntMatch(P);"
    "FailedRegexpDoesntMatch(C);FailedRegexpShouldntMatch(P);FailedRegexpShouldntMatch(C);"
    "FailedRegexpHdrNotFound(P);FailedRegexpHdrNotFound(C);FailedOutboundCongestion(P);"
    "FailedOutboundCongestion(C);FailedTimeoutOnRecv(P);FailedTimeoutOnRecv(C);"
    "FailedTimeoutOnSend(P);FailedTimeoutOnSend(C);FailedTestDoesntMatch(P);"
    "FailedTestDoesntMatch(C);FailedTestShouldntMatch(P);FailedTestShouldntMatch(C);"
    "FailedStrcmpDoesntMatch(P);FailedStrcmpDoesntMatch(C);FailedStrcmpShouldntMatch(P);"
    "FailedStrcmpShouldntMatch(C);OutOfCallMsgs(P);OutOfCallMsgs(C);DeadCallMsgs(P);"
    "DeadCallMsgs(C);Retransmissions(P);Retransmissions(C);AutoAnswered(P);AutoAnswered(C);"
    "Warnings(P);Warnings(C);FatalErrors(P);FatalErrors(C);WatchdogMajor(P);WatchdogMajor(C);"
    "WatchdogMinor(P);WatchdogMinor(C);ResponseTimesetup(P);ResponseTimesetup(C);"
    "ResponseTimesetupStDev(P);ResponseTimesetupStDev(C);ResponseTime1(P);ResponseTime1(C);"
    "ResponseTime1StDev(P);ResponseTime1StDev(C);CallLength(P);CallLength(C);"
    "CallLengthStDev(P);CallLengthStDev(C);c1(P);c1(C);GenericCounter7(P);GenericCounter7(C);"
    "ResponseTimeRepartitionsetup;ResponseTimeRepartitionsetup_<10;"
    "ResponseTimeRepartitionsetup_<20;ResponseTimeRepartitionsetup_<30;"
    "ResponseTimeRepartitionsetup_>=30;ResponseTimeRepartition1;ResponseTimeRepartition1_<10;"
    "ResponseTimeRepartition1_<20;ResponseTimeRepartition1_<30;ResponseTimeRepartition1_>=30;"
    "CallLengthRepartition;CallLengthRepartition_<10;CallLengthRepartition_<50;"
    "CallLengthRepartition_<100;CallLengthRepartition_<500;CallLengthRepartition_<1000;"
    "CallLengthRepartition_<5000;CallLengthRepartition_<10000;CallLengthRepartition_>=10000;\n";

constexpr char kSippSingleCallRow2[] =
    "2026-11-21\t03:12:53.141509\t1795230773.141509;"
    "2026-11-21\t03:12:53.142670\t1795230773.142670;"
    "2026-11-21\t03:12:53.293590\t1795230773.293590;00:00:00;00:00:00;10;6.66667;6.57895;0;0;"
    "1;1;1;0;1;1;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;"
    "0;0;0;0;0;0;0;0;0;0;0;0;0;0;00:00:00:000000;00:00:00:000000;00:00:00:000000;"
    "00:00:00:000000;00:00:00:008000;00:00:00:008000;00:00:00:000000;00:00:00:000000;"
    "00:00:00:048000;00:00:00:048000;2562047788015:12:55:808000;2562047788015:12:55:808000;1;"
    "1;1;1;;1;0;0;0;;1;0;0;0;;0;1;0;0;0;0;0;0;\n";

constexpr char kSippSingleCallRow3[] =
    "2026-11-21\t03:12:53.141509\t1795230773.141509;"
    "2026-11-21\t03:12:53.293671\t1795230773.293671;"
    "2026-11-21\t03:12:53.293729\t1795230773.293729;00:00:00;00:00:00;10;0;6.57895;0;0;0;1;1;"
    "0;0;1;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;"
    "0;0;0;0;0;0;0;0;0;0;0;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:000000;"
    "00:00:00:000000;00:00:00:008000;00:00:00:000000;00:00:00:000000;00:00:00:000000;"
    "00:00:00:048000;00:00:00:000000;2562047788015:12:55:808000;0;1;0;1;;1;0;0;0;;1;0;0;0;;0;"
    "1;0;0;0;0;0;0;\n";

// The same scenario without <ResponseTimeRepartition>/<CallLengthRepartition>,
// with -stat_delimiter ",": the header ends after the user counters.

constexpr char kSippNoRepartitionHeaderTail[] =
    "CallLength(P),CallLength(C),CallLengthStDev(P),CallLengthStDev(C),"
    "c1(P),c1(C),GenericCounter7(P),GenericCounter7(C),\n";

ShardLayout UacLayout() {
  ShardLayout layout;
  layout.rtd_names = {"1"};
  layout.response_time_repartition_ms = {10, 20, 30, 40, 50, 100, 150, 200};
  layout.call_length_repartition_ms = {10, 50, 100, 500, 1000, 5000, 10000};
  layout.message_count = 9;
  return layout;
}

ShardLayout NamedRtdLayout() {
  ShardLayout layout = UacLayout();
  layout.rtd_names = {"setup", "1"};
  layout.response_time_repartition_ms = {30, 10, 20};
  layout.user_counter_names = {"c1", "7"};
  return layout;
}

StatCsvOptions Utc() {
  StatCsvOptions options;
  options.time_zone = absl::UTCTimeZone();
  return options;
}

// A row the way the runtime builds one: times in µs, snapshots from a shard.
RowInput MakeRow(int64_t start, int64_t reset, int64_t now, double rate, const Snapshot& cumulative,
                 const Snapshot& periodic) {
  RowInput row;
  row.start_wall_micros = start;
  row.last_reset_wall_micros = reset;
  row.current_wall_micros = now;
  row.target_rate = rate;
  row.cumulative = &cumulative;
  row.periodic = &periodic;
  row.periodic_elapsed_micros = now - reset;
  row.cumulative_elapsed_micros = now - start;
  return row;
}

TEST(StatCsvHeaderTest, MatchesSippForTheEmbeddedUac) {
  EXPECT_EQ(StatCsvWriter(UacLayout()).HeaderRow(), kSippUacHeader);
}

TEST(StatCsvHeaderTest, MatchesSippWithNamedRtdsAndUserCounters) {
  EXPECT_EQ(StatCsvWriter(NamedRtdLayout()).HeaderRow(), kSippNamedRtdHeader);
}

TEST(StatCsvHeaderTest, OmitsRepartitionColumnsWithoutBoundaries) {
  ShardLayout layout = NamedRtdLayout();
  layout.response_time_repartition_ms.clear();
  layout.call_length_repartition_ms.clear();
  const std::string header = StatCsvWriter(layout, ",").HeaderRow();
  const std::string tail = kSippNoRepartitionHeaderTail;
  ASSERT_GE(header.size(), tail.size());
  EXPECT_EQ(header.substr(header.size() - tail.size()), tail);
}

TEST(StatCsvHeaderTest, UsesTheDelimiterEverywhere) {
  EXPECT_EQ(StatCsvWriter(UacLayout(), ",").HeaderRow(),
            absl::StrReplaceAll(kSippUacHeader, {{";", ","}}));
}

TEST(StatCsvRowTest, MatchesSippUacRows) {
  Shard shard(UacLayout());
  const Snapshot first = shard.TakeSnapshot();
  for (int i = 0; i < 20; ++i) {
    shard.Increment(Counter::kOutgoingCall);
    shard.RecordResponseTime(0, 500);
    shard.Increment(Counter::kSuccessfulCall);
    shard.RecordCallLength(i % 2 ? 3'000 : 7'000);
    shard.Increment(Counter::kCallsEnded);
  }
  const Snapshot cumulative = shard.TakeSnapshot();
  const Snapshot periodic = Delta(cumulative, first);
  const StatCsvWriter writer(UacLayout(), Utc());
  constexpr int64_t kStart = 1795230547'830522;
  EXPECT_EQ(
      writer.Row(MakeRow(kStart, 1795230547'831163, 1795230548'242028, 50, cumulative, periodic)),
      kSippUacRow2);
  const Snapshot nothing = Delta(cumulative, cumulative);
  EXPECT_EQ(
      writer.Row(MakeRow(kStart, 1795230548'242113, 1795230548'242170, 50, cumulative, nothing)),
      kSippUacRow3);
}

TEST(StatCsvRowTest, MatchesSippUasRow) {
  Shard shard(UacLayout());
  for (int i = 0; i < 20; ++i) {
    shard.Increment(Counter::kIncomingCall);
    shard.RecordResponseTime(0, 300);
  }
  const Snapshot before = shard.TakeSnapshot();
  for (int i = 0; i < 20; ++i) {
    shard.Increment(Counter::kSuccessfulCall);
    shard.RecordCallLength(i % 2 ? 4'007'000 : 4'011'000);
    shard.Increment(Counter::kCallsEnded);
  }
  const Snapshot cumulative = shard.TakeSnapshot();
  const Snapshot periodic = Delta(cumulative, before);
  EXPECT_EQ(StatCsvWriter(UacLayout(), Utc())
                .Row(MakeRow(1795230547'523571, 1795230551'540302, 1795230552'245236, 10,
                             cumulative, periodic)),
            kSippUasRow6);
}

TEST(StatCsvRowTest, MatchesSippFailedCallsRow) {
  Shard shard(UacLayout());
  for (uint64_t length : {403'500, 405'000, 407'500}) {
    shard.Increment(Counter::kOutgoingCall);
    shard.Increment(Counter::kFailedCall);
    shard.Increment(Counter::kFailedTimeoutOnRecv);
    shard.Increment(Counter::kWarnings);
    shard.RecordCallLength(length);
    shard.Increment(Counter::kCallsEnded);
  }
  const Snapshot cumulative = shard.TakeSnapshot();
  EXPECT_EQ(StatCsvWriter(UacLayout(), Utc())
                .Row(MakeRow(1795230772'016581, 1795230772'017599, 1795230772'825245, 7.5,
                             cumulative, cumulative)),
            kSippFailedCallsRow2);
}

TEST(StatCsvRowTest, MatchesSippSingleCallRowsIncludingTheNanStdDevQuirk) {
  Shard shard(NamedRtdLayout());
  shard.Increment(Counter::kOutgoingCall);
  shard.RecordResponseTime(0, 500);    // setup: 0 ms.
  shard.IncrementUserCounter(0);       // c1
  shard.RecordResponseTime(1, 8'400);  // 1: 8 ms.
  shard.IncrementUserCounter(1);       // 7
  shard.Increment(Counter::kSuccessfulCall);
  shard.RecordCallLength(48'500);
  shard.Increment(Counter::kCallsEnded);
  const Snapshot cumulative = shard.TakeSnapshot();
  const Snapshot nothing = Delta(cumulative, cumulative);

  StatCsvOptions options = Utc();
  options.single_sample_stdev_quirk = true;
  const StatCsvWriter sipp_like(NamedRtdLayout(), options);
  constexpr int64_t kStart = 1795230773'141509;
  const RowInput row2 =
      MakeRow(kStart, 1795230773'142670, 1795230773'293590, 10, cumulative, cumulative);
  EXPECT_EQ(sipp_like.Row(row2), kSippSingleCallRow2);
  EXPECT_EQ(
      sipp_like.Row(MakeRow(kStart, 1795230773'293671, 1795230773'293729, 10, cumulative, nothing)),
      kSippSingleCallRow3);

  // By default a single sample's stdev is 0.
  EXPECT_EQ(StatCsvWriter(NamedRtdLayout(), Utc()).Row(row2),
            absl::StrReplaceAll(kSippSingleCallRow2,
                                {{"2562047788015:12:55:808000", "00:00:00:000000"}}));
}

TEST(StatCsvRowTest, MicrosecondTimesOption) {
  Shard shard(UacLayout());
  shard.RecordResponseTime(0, 17'873);
  shard.RecordResponseTime(0, 17'873);
  shard.RecordCallLength(4'009'123);
  const Snapshot s = shard.TakeSnapshot();
  StatCsvOptions options = Utc();
  options.microsecond_times = true;
  const std::string row = StatCsvWriter(UacLayout(), options).Row(MakeRow(0, 0, 0, 10, s, s));
  EXPECT_NE(row.find(";00:00:00:017873;00:00:00:017873;00:00:00:000000;00:00:00:000000;"
                     "00:00:04:009123;00:00:04:009123;"),
            std::string::npos)
      << row;
  const std::string sipp_row = StatCsvWriter(UacLayout(), Utc()).Row(MakeRow(0, 0, 0, 10, s, s));
  EXPECT_NE(sipp_row.find(";00:00:00:017000;00:00:00:017000;"), std::string::npos) << sipp_row;
}

TEST(StatCsvRowTest, RepartitionIsCumulativeUnlessPeriodicRtd) {
  Shard shard(UacLayout());
  shard.RecordResponseTime(0, 12'000);
  const Snapshot before = shard.TakeSnapshot();
  shard.RecordResponseTime(0, 250'000);
  const Snapshot cumulative = shard.TakeSnapshot();
  const Snapshot periodic = Delta(cumulative, before);
  const RowInput row = MakeRow(0, 0, 1'000'000, 10, cumulative, periodic);

  const std::string tail = ";;0;1;0;0;0;0;0;0;1;;0;0;0;0;0;0;0;0;\n";
  const std::string cumulative_row = StatCsvWriter(UacLayout(), Utc()).Row(row);
  EXPECT_EQ(cumulative_row.substr(cumulative_row.size() - tail.size()), tail);

  StatCsvOptions options = Utc();
  options.periodic_rtd = true;
  const std::string periodic_tail = ";;0;0;0;0;0;0;0;0;1;;0;0;0;0;0;0;0;0;\n";
  const std::string periodic_row = StatCsvWriter(UacLayout(), options).Row(row);
  EXPECT_EQ(periodic_row.substr(periodic_row.size() - periodic_tail.size()), periodic_tail);
}

TEST(StatCsvRowTest, TargetUsersReplacesTargetRate) {
  const Snapshot s = EmptySnapshot(UacLayout());
  RowInput row = MakeRow(0, 0, 0, 10, s, s);
  row.target_users = 250;
  const std::string text = StatCsvWriter(UacLayout(), Utc()).Row(row);
  EXPECT_NE(text.find(";00:00:00;00:00:00;250;0;0;"), std::string::npos) << text;
}

TEST(StatCsvFormatTest, CallRateUsesSippSinglePrecisionArithmetic) {
  // (calls, elapsed ms) -> cell, all observed in real SIPp output.
  const struct {
    uint64_t calls;
    int64_t ms;
    const char* text;
  } kCases[] = {
      {20, 410, "48.7805"},
      {20, 411, "48.6618"},
      {20, 1003, "19.9402"},
      {20, 1005, "19.9005"},
      {20, 2008, "9.96016"},
      {20, 3012, "6.64011"},
      {20, 4016, "4.98008"},
      {20, 4721, "4.23639"},
      {99, 1001, "98.9011"},
      {99, 1002, "98.8024"},
      {101, 1004, "100.598"},
      {200, 2006, "99.7009"},
      {200, 2247, "89.0076"},
      {3, 807, "3.71747"},
      {3, 808, "3.71287"},
      {1, 150, "6.66667"},
      {1, 152, "6.57895"},
      {0, 500, "0"},
      {5, 0, "0"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(FormatSippCallRate(c.calls, c.ms), c.text) << c.calls << "/" << c.ms;
  }
}

TEST(StatCsvFormatTest, TimeCells) {
  EXPECT_EQ(FormatSippTimestamp(1795230547'830522, absl::UTCTimeZone()),
            "2026-11-21\t03:09:07.830522\t1795230547.830522");
  EXPECT_EQ(FormatSippTimestamp(123456789'000001, absl::UTCTimeZone()),
            "1973-11-29\t21:33:09.000001\t0123456789.000001");
  EXPECT_EQ(FormatSippTimestamp(1795230547'830522, absl::FixedTimeZone(2 * 3600)),
            "2026-11-21\t05:09:07.830522\t1795230547.830522");
  EXPECT_EQ(FormatSippHhMmSs(0), "00:00:00");
  EXPECT_EQ(FormatSippHhMmSs(4'721), "00:00:04");
  EXPECT_EQ(FormatSippHhMmSs(3'723'999), "01:02:03");
  EXPECT_EQ(FormatSippHhMmSs(360'000'000), "100:00:00");
  EXPECT_EQ(FormatSippHhMmSsMillis(4'009), "00:00:04:009000");
  EXPECT_EQ(FormatSippHhMmSsMillis(uint64_t{1} << 63), "2562047788015:12:55:808000");
  EXPECT_EQ(FormatHhMmSsMicros(3'723'000'042), "01:02:03:000042");
}

TEST(StatCsvFormatTest, DefaultFileName) {
  EXPECT_EQ(DefaultStatFileName("uac", 2590), "uac_2590_.csv");
  EXPECT_EQ(DefaultStatFileName("my_scenario", 7), "my_scenario_7_.csv");
}

}  // namespace
}  // namespace sipfleet::stats
