#include "common/control/controller.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sipfleet::control {
namespace {

// Records what the controller asked for.
class FakeRun : public RunControl {
 public:
  double rate() const override { return rate_; }
  void SetRate(double rate) override { rate_ = rate; }
  bool users_mode() const override { return users_mode_; }
  uint64_t users() const override { return users_; }
  void SetUsers(uint64_t users) override { users_ = users; }
  bool paused() const override { return paused_; }
  void SetPaused(bool paused) override { paused_ = paused; }
  void SetCallLimit(uint64_t limit) override { limit_ = limit; }
  void Quit() override { ++quits_; }
  void QuitNow() override { ++quit_nows_; }
  void DumpScreens() override { ++dumps_; }
  absl::Status SetTrace(std::string_view kind, bool on) override {
    if (kind != "messages") return absl::InvalidArgumentError("no such trace");
    trace_messages_ = on;
    return absl::OkStatus();
  }
  void ResetStats() override { ++resets_; }
  std::string DumpTasks() override { return "tasks"; }
  std::string DumpVariables() override { return "variables"; }

  double rate_ = 10;
  bool users_mode_ = false;
  uint64_t users_ = 0;
  bool paused_ = false;
  uint64_t limit_ = 0;
  int quits_ = 0, quit_nows_ = 0, dumps_ = 0, resets_ = 0;
  bool trace_messages_ = false;
};

TEST(ControllerTest, RateKeysStepByOneAndTenTimesTheScale) {
  FakeRun run;
  Controller controller(&run, 1.0);
  for (char key : std::string("+++")) controller.OnKey(key);
  EXPECT_DOUBLE_EQ(run.rate_, 13);
  controller.OnKey('*');
  EXPECT_DOUBLE_EQ(run.rate_, 23);
  controller.OnKey('/');
  controller.OnKey('-');
  EXPECT_DOUBLE_EQ(run.rate_, 12);
  EXPECT_EQ(controller.status(), "Call rate set to 12");
}

TEST(ControllerTest, RateNeverGoesBelowZeroAndFollowsRateScale) {
  FakeRun run;
  Controller controller(&run, 2.5);
  controller.OnKey('+');
  EXPECT_DOUBLE_EQ(run.rate_, 12.5);
  controller.OnKey('/');
  controller.OnKey('/');
  EXPECT_DOUBLE_EQ(run.rate_, 0);
}

TEST(ControllerTest, UsersRunAdjustsUsersNotRate) {
  FakeRun run;
  run.users_mode_ = true;
  run.users_ = 5;
  Controller controller(&run, 1.0);
  controller.OnKey('*');
  controller.OnKey('-');
  EXPECT_EQ(run.users_, 14u);
  EXPECT_DOUBLE_EQ(run.rate_, 10);
}

TEST(ControllerTest, ScreensPauseAndQuit) {
  FakeRun run;
  Controller controller(&run, 1.0);
  controller.OnKey('2');
  EXPECT_EQ(controller.screen(), 2);
  controller.OnKey('p');
  EXPECT_TRUE(run.paused_);
  controller.OnKey('p');
  EXPECT_FALSE(run.paused_);
  controller.OnKey('q');
  EXPECT_EQ(run.quits_, 1);
  EXPECT_EQ(run.quit_nows_, 0);
  controller.OnKey('q');  // the second q forces
  EXPECT_EQ(run.quit_nows_, 1);
  EXPECT_TRUE(controller.quitting());
}

TEST(ControllerTest, CapitalQQuitsAtOnceAndSDumps) {
  FakeRun run;
  Controller controller(&run, 1.0);
  controller.OnKey('s');
  controller.OnKey('Q');
  EXPECT_EQ(run.dumps_, 1);
  EXPECT_EQ(run.quit_nows_, 1);
  EXPECT_EQ(run.quits_, 0);
}

TEST(ControllerTest, DatagramIsAKeyOrACommand) {
  FakeRun run;
  Controller controller(&run, 1.0);
  controller.OnDatagram("*\n");  // echo '*' >/dev/udp/...
  EXPECT_DOUBLE_EQ(run.rate_, 20);
  controller.OnDatagram("cset rate 50\n");
  EXPECT_DOUBLE_EQ(run.rate_, 50);
  controller.OnDatagram("cset limit 7");
  EXPECT_EQ(run.limit_, 7u);
  controller.OnDatagram("ctrace messages on");
  EXPECT_TRUE(run.trace_messages_);
  controller.OnDatagram("creset stats");
  EXPECT_EQ(run.resets_, 1);
  controller.OnDatagram("cdump tasks");
  EXPECT_EQ(controller.status(), "tasks");
  controller.OnDatagram("cset rate-scale 3");
  controller.OnDatagram("+");
  EXPECT_DOUBLE_EQ(run.rate_, 53);
  controller.OnDatagram("cset hide true");
  EXPECT_TRUE(controller.hidden());
  EXPECT_EQ(controller.rejected(), 0u);
}

TEST(ControllerTest, GarbageIsCountedAndChangesNothing) {
  FakeRun run;
  Controller controller(&run, 1.0);
  const std::vector<std::string> garbage = {
      "", "x", std::string("\0\xff\x01", 3), "cset rate", "cset rate -5", "cset rate abc",
      "cset users 3",  // not a -users run
      "cset bogus 1", "ctrace nothing on", "ctrace messages maybe", "cfrobnicate",
      "cset display ooc"};
  for (const std::string& datagram : garbage) controller.OnDatagram(datagram);
  EXPECT_EQ(controller.rejected(), garbage.size());
  EXPECT_DOUBLE_EQ(run.rate_, 10);
  EXPECT_EQ(run.users_, 0u);
  EXPECT_FALSE(run.paused_);
  EXPECT_EQ(run.quits_ + run.quit_nows_, 0);
  EXPECT_NE(controller.status(), "");
}

}  // namespace
}  // namespace sipfleet::control
