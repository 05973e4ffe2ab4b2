#include "common/results/threshold.h"

#include "gtest/gtest.h"

namespace sipfleet::results {
namespace {

using stats::Counter;

stats::ShardLayout Layout() {
  stats::ShardLayout layout;
  layout.rtd_names = {"1", "setup"};
  layout.message_count = 3;
  return layout;
}

// A run of 100 calls: 98 successful, 2 failed; RTD 1 samples 1..100 ms.
stats::Snapshot Run() {
  stats::Snapshot total = stats::EmptySnapshot(Layout());
  total.counters[static_cast<size_t>(Counter::kOutgoingCall)] = 100;
  total.counters[static_cast<size_t>(Counter::kSuccessfulCall)] = 98;
  total.counters[static_cast<size_t>(Counter::kFailedCall)] = 2;
  total.counters[static_cast<size_t>(Counter::kRetransmissions)] = 5;
  for (uint64_t ms = 1; ms <= 100; ++ms) total.response_times[0].Record(ms * 1000);
  total.call_length.Record(30'000'000, 100);
  return total;
}

struct Judged {
  Threshold threshold;
  ThresholdResult result;
};

Judged Judge(std::string_view expression) {
  static const stats::ShardLayout layout = Layout();
  static const stats::Snapshot total = Run();
  absl::StatusOr<Threshold> threshold = ParseThreshold(expression, layout);
  EXPECT_TRUE(threshold.ok()) << threshold.status();
  RunFigures figures{&total, &layout, 10.0, 10.0};
  return {*threshold, Evaluate(*threshold, figures)};
}

TEST(ThresholdTest, ParsesTheIssueExamples) {
  stats::ShardLayout layout = Layout();
  for (const char* text : {"rtd1.p99<200ms", "call_length.p95<=35s", "failed_calls.rate<0.1%",
                           "successful_calls.count>=10000", "calls_per_s.mean>=900",
                           "retransmissions.count==0", "rtdsetup.p99.9 < 1.5s:abort"}) {
    EXPECT_TRUE(ParseThreshold(text, layout).ok()) << text;
  }
  absl::StatusOr<Threshold> t = ParseThreshold("call_length.p95<=35s:abort", layout);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->kind, Threshold::Kind::kDuration);
  EXPECT_EQ(t->rtd, -1);
  EXPECT_EQ(t->op, Threshold::Op::kLessEqual);
  EXPECT_DOUBLE_EQ(t->limit, 35000);
  EXPECT_TRUE(t->abort_on_fail);
  t = ParseThreshold("failed_calls.rate<0.1%", layout);
  ASSERT_TRUE(t.ok());
  EXPECT_DOUBLE_EQ(t->limit, 0.001);
}

TEST(ThresholdTest, ErrorsNameTheColumn) {
  stats::ShardLayout layout = Layout();
  struct Case {
    const char* text;
    const char* column;
  };
  for (const Case& c : {Case{"rtd1.p99<<200ms", "column 10:"}, Case{"rtd9.p99<1", "column 1:"},
                        Case{"rtd1.p99 ~ 5", "column 10:"}, Case{"rtd1.p101<5", "column 6:"},
                        Case{"failed_calls.rate<1ms", "column 20:"},
                        Case{"rtd1.p99<5ms:abrt", "column 13:"}, Case{"rtd1", "column 5:"},
                        Case{"calls_per_s.p99>1", "column 13:"}}) {
    absl::StatusOr<Threshold> t = ParseThreshold(c.text, layout);
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_NE(t.status().message().find(c.column), std::string_view::npos)
        << c.text << ": " << t.status().message();
  }
}

TEST(ThresholdTest, MeasuresFromTheMergedSnapshot) {
  EXPECT_TRUE(Judge("rtd1.p99<200ms").result.passed);
  Judged p50 = Judge("rtd1.p50<=50");
  EXPECT_DOUBLE_EQ(*p50.result.measured, 50.175);  // the bucket's upper bound, in ms
  Judged rate = Judge("failed_calls.rate<1%");
  EXPECT_DOUBLE_EQ(*rate.result.measured, 0.02);
  EXPECT_FALSE(rate.result.passed);
  EXPECT_FALSE(rate.result.final_failure);
  EXPECT_DOUBLE_EQ(*Judge("calls_per_s.mean>=9").result.measured, 10.0);
  EXPECT_TRUE(Judge("call_length.max<=30s").result.passed);
  EXPECT_FALSE(Judge("rtdsetup.p99<1").result.measured.has_value());  // no sample yet
}

TEST(ThresholdTest, CountsOverAnUpperBoundAreFinal) {
  Judged retrans = Judge("retransmissions.count==0:abort");
  EXPECT_FALSE(retrans.result.passed);
  EXPECT_TRUE(retrans.result.final_failure);
  EXPECT_TRUE(ShouldAbort(retrans.threshold, retrans.result));
  // At the limit of a strict upper bound: failed for good too.
  Judged at = Judge("retransmissions.count<5:abort");
  EXPECT_TRUE(at.result.final_failure);
  // A lower bound on a count can still be met later: no abort.
  Judged low = Judge("successful_calls.count>=1000:abort");
  EXPECT_FALSE(low.result.passed);
  EXPECT_FALSE(ShouldAbort(low.threshold, low.result));
  // Percentiles abort on the data so far (k6's abortOnFail).
  Judged p99 = Judge("rtd1.p99<10ms:abort");
  EXPECT_TRUE(ShouldAbort(p99.threshold, p99.result));
  EXPECT_FALSE(ShouldAbort(Judge("rtd1.p99<10ms").threshold, p99.result));
}

TEST(ThresholdTest, TableSaysWhichFailedAndByHowMuch) {
  Judged pass = Judge("rtd1.p99<200ms");
  Judged fail = Judge("retransmissions.count<2");
  std::string table = ThresholdTable({pass.threshold, fail.threshold}, {pass.result, fail.result});
  EXPECT_NE(table.find("rtd1.p99<200ms"), std::string::npos) << table;
  EXPECT_NE(table.find("pass"), std::string::npos) << table;
  EXPECT_NE(table.find("FAIL (limit < 2, off by 3)"), std::string::npos) << table;
}

}  // namespace
}  // namespace sipfleet::results
