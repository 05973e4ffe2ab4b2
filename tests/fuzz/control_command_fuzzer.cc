// libFuzzer target for SIPp's key and command language as the UDP control
// socket (-cp/-ci) and the terminal feed it (common/control/controller.h):
// the input is one datagram, then each of its lines as a typed command and
// each of its bytes as a key, against a run that only records.

#include <string>
#include <string_view>

#include "common/control/controller.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using ::sipfleet::fuzz::Check;

// A run with no engine behind it; keeps what it is told, within bounds.
class RecordingRun : public sipfleet::control::RunControl {
 public:
  double rate() const override { return rate_; }
  void SetRate(double rate) override {
    Check(rate >= 0);
    rate_ = rate;
  }
  bool users_mode() const override { return users_mode_; }
  uint64_t users() const override { return users_; }
  void SetUsers(uint64_t users) override { users_ = users; }
  bool paused() const override { return paused_; }
  void SetPaused(bool paused) override { paused_ = paused; }
  void SetCallLimit(uint64_t) override {}
  void Quit() override {}
  void QuitNow() override {}
  void DumpScreens() override {}
  absl::Status SetTrace(std::string_view kind, bool) override {
    if (kind != "messages" && kind != "error") return absl::InvalidArgumentError("no such trace");
    return absl::OkStatus();
  }
  void ResetStats() override {}
  std::string DumpTasks() override { return "tasks"; }
  std::string DumpVariables() override { return "variables"; }

  bool users_mode_ = false;

 private:
  double rate_ = 10;
  uint64_t users_ = 0;
  bool paused_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (bool users_mode : {false, true}) {
    RecordingRun run;
    run.users_mode_ = users_mode;
    sipfleet::control::Controller controller(&run, 1.0);
    const uint64_t rejected = controller.rejected();
    controller.OnDatagram(input);
    Check(controller.rejected() >= rejected);
    std::string_view rest = input;
    while (!rest.empty()) {
      size_t end = rest.find('\n');
      controller.OnCommand(rest.substr(0, end));
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
    for (char key : input.substr(0, 64)) controller.OnKey(key);
    Check(controller.screen() >= 1 && controller.screen() <= 9);
  }
  return 0;
}
