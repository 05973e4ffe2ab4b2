#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/base/strings.h"
#include "common/twin/command.h"
#include "common/twin/hub.h"
#include "common/twin/slave_cfg.h"
#include "gtest/gtest.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sipfleet::twin {
namespace {

TEST(CommandFramerTest, SplitsOnEscapeAcrossReads) {
  CommandFramer framer(100);
  std::vector<std::string> out;
  EXPECT_TRUE(framer.Feed("Call-ID: a\r\n\x1b" "Call-ID: b", &out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "Call-ID: a\r\n");
  EXPECT_TRUE(framer.Feed("\r\n\x1b\x1b", &out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1], "Call-ID: b\r\n");
  EXPECT_EQ(out[2], "");
  EXPECT_EQ(framer.pending(), 0u);
}

TEST(CommandFramerTest, RefusesOverlongCommand) {
  CommandFramer framer(8);
  std::vector<std::string> out;
  EXPECT_TRUE(framer.Feed("12345678", &out));
  EXPECT_FALSE(framer.Feed("9", &out));
}

TEST(CommandTest, FrameAppendsDelimiter) {
  std::string out;
  AppendFrame("Call-ID: x\r\n", &out);
  EXPECT_EQ(out, "Call-ID: x\r\n\x1b");
}

TEST(CommandTest, CallIdAnyCaseCompactAndSlashes) {
  EXPECT_EQ(CommandCallId("Call-ID: 1-2@h\r\nContent-Type: x\r\n"), "1-2@h");
  EXPECT_EQ(CommandCallId("From: m\r\ncall-id:  abc \r\n"), "abc");
  EXPECT_EQ(CommandCallId("i: short\n"), "short");
  EXPECT_EQ(CommandCallId("Call-ID: pre///real\r\n"), "real");
  EXPECT_EQ(CommandCallId("Content-Type: x\r\n"), "");
}

TEST(CommandTest, SenderAndAbort) {
  EXPECT_EQ(CommandSender("Call-ID: a\r\nFrom: s1\r\n"), "s1");
  EXPECT_EQ(CommandSender("Call-ID: a\r\n"), "");
  std::string abort = AbortCommand("7-1@h");
  EXPECT_TRUE(IsAbortCommand(abort));
  EXPECT_EQ(CommandCallId(abort), "7-1@h");
  EXPECT_TRUE(IsAbortCommand("call-id: x\ninternal-cmd: abort_call\n\n"));
  EXPECT_FALSE(IsAbortCommand("call-id: x\ninternal-cmd: other\n"));
  EXPECT_FALSE(IsAbortCommand("call-id: x\n"));
}

TEST(CommandTest, ActionsViewHeaderAndBody) {
  std::string_view command =
      "Call-ID: a\r\nContent-Type: application/sdp\r\nX-A: 1\r\nX-A: 2\r\n\r\nv=0\r\n\r\n";
  EXPECT_EQ(CommandForActions(command),
            "Call-ID: a\r\nContent-Type: application/sdp\r\nX-A: 1\r\nX-A: 2\r\n\r\nv=0");
  std::string value;
  EXPECT_TRUE(CommandHeader(command, "X-A:", false, 0, &value));
  EXPECT_EQ(value, " 1, 2");
  value.clear();
  EXPECT_TRUE(CommandHeader(command, "x-a", true, 2, &value));
  EXPECT_EQ(value, " 2");
  value.clear();
  EXPECT_FALSE(CommandHeader(command, "x-a", false, 0, &value));
  EXPECT_EQ(CommandBody(command), "v=0\r\n\r\n");
}

TEST(SlaveCfgTest, ParsesLines) {
  auto peers =
      ParseSlaveCfg("s1;127.0.0.1:8080\n\n  s2 ; 127.0.0.2:7080 \r\nm;[::1]:6080;x\n", "c");
  ASSERT_TRUE(peers.ok()) << peers.status();
  ASSERT_EQ(peers->size(), 3u);
  EXPECT_EQ((*peers)[1].name, "s2");
  EXPECT_EQ((*peers)[1].host, "127.0.0.2");
  EXPECT_EQ((*peers)[1].port, 7080);
  EXPECT_EQ((*peers)[1].line, 3);
  EXPECT_EQ((*peers)[2].host, "::1");
  EXPECT_NE(FindPeer(*peers, "m"), nullptr);
  EXPECT_EQ(FindPeer(*peers, "x"), nullptr);
}

TEST(SlaveCfgTest, ErrorsNameFileAndLine) {
  auto no_semicolon = ParseSlaveCfg("s1;127.0.0.1:1\ns2 127.0.0.1:2\n", "cfg.txt");
  ASSERT_FALSE(no_semicolon.ok());
  EXPECT_EQ(no_semicolon.status().message(), "cfg.txt:2: 's2 127.0.0.1:2' is not name;host:port");
  auto bad_port = ParseSlaveCfg("s1;127.0.0.1:x\n", "cfg.txt");
  ASSERT_FALSE(bad_port.ok());
  EXPECT_NE(bad_port.status().message().find("cfg.txt:1: "), absl::string_view::npos);
  auto twice = ParseSlaveCfg("s1;h:1\ns1;h:2\n", "cfg.txt");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(), "cfg.txt:2: instance 's1' is listed twice");
  EXPECT_FALSE(LoadSlaveCfg("/nonexistent/cfg").ok());
}

// A loopback TCP port free a moment ago.
uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// Collects what a hub delivers.
class Recorder : public CommandSink {
 public:
  void DeliverCommand(std::string_view source, std::string message) override {
    std::lock_guard<std::mutex> lock(mutex_);
    commands_.push_back(base::Cat(source, "|", message));
    changed_.notify_all();
  }
  void TwinLost(std::string what) override {
    std::lock_guard<std::mutex> lock(mutex_);
    lost_.push_back(std::move(what));
    changed_.notify_all();
  }
  // Waits (bounded) until `count` commands / losses arrived.
  bool WaitCommands(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(5),
                             [&] { return commands_.size() >= count; });
  }
  bool WaitLost() {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return !lost_.empty(); });
  }
  std::vector<std::string> commands() {
    std::lock_guard<std::mutex> lock(mutex_);
    return commands_;
  }
  std::vector<std::string> lost() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lost_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> commands_;
  std::vector<std::string> lost_;
};

TEST(TwinHubTest, ControllersExchangeCommandsBothWays) {
  HubOptions b_options;
  b_options.twin_address = base::Cat("127.0.0.1:", FreePort());
  auto b = TwinHub::Open(b_options);
  ASSERT_TRUE(b.ok()) << b.status();
  HubOptions a_options;
  a_options.twin_address = base::Cat("127.0.0.1:", (*b)->listen_address().port());
  a_options.connect_to_twin = true;
  auto a = TwinHub::Open(a_options);
  ASSERT_TRUE(a.ok()) << a.status();
  Recorder at_a;
  Recorder at_b;
  (*a)->Start(&at_a);
  (*b)->Start(&at_b);
  ASSERT_TRUE((*a)->Send("", "Call-ID: 1\r\nX: a\r\n"));
  ASSERT_TRUE(at_b.WaitCommands(1));
  EXPECT_EQ(at_b.commands()[0], "|Call-ID: 1\r\nX: a\r\n");
  ASSERT_TRUE((*b)->Send("", "Call-ID: 1\r\nX: b\r\n"));
  ASSERT_TRUE(at_a.WaitCommands(1));
  EXPECT_EQ(at_a.commands()[0], "|Call-ID: 1\r\nX: b\r\n");
  (*a)->Stop();
  ASSERT_TRUE(at_b.WaitLost());
  EXPECT_NE(at_b.lost()[0].find("closed the connection"), std::string::npos);
  EXPECT_TRUE(at_a.lost().empty());  // a stop is not a loss
  EXPECT_FALSE((*a)->Send("", "Call-ID: 2\r\n"));
}

TEST(TwinHubTest, ConnectFailsClearly) {
  HubOptions b_options;
  b_options.twin_address = base::Cat("127.0.0.1:", FreePort());
  auto b = TwinHub::Open(b_options);
  ASSERT_TRUE(b.ok());
  uint16_t port = (*b)->listen_address().port();
  b->reset();  // nothing listens there any more
  HubOptions a_options;
  a_options.twin_address = base::Cat("127.0.0.1:", port);
  a_options.connect_to_twin = true;
  auto a = TwinHub::Open(a_options);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("cannot connect to 3PCC twin 127.0.0.1:"),
            absl::string_view::npos);
}

TEST(TwinHubTest, ExtendedMasterAndSlave) {
  // Listen on port 0 first to learn free ports.
  std::vector<PeerAddress> peers = {{"m", "127.0.0.1", 0, 1}, {"s1", "127.0.0.1", 0, 2}};
  HubOptions slave;
  slave.extended = true;
  slave.self = "s1";
  slave.peers = peers;
  slave.destinations = {"m"};
  auto s1 = TwinHub::Open(slave);
  ASSERT_TRUE(s1.ok()) << s1.status();
  peers[1].port = (*s1)->listen_address().port();
  HubOptions master;
  master.extended = true;
  master.master = true;
  master.self = "m";
  master.peers = peers;
  master.destinations = {"s1"};
  auto m = TwinHub::Open(master);
  ASSERT_TRUE(m.ok()) << m.status();
  // The slave learns the master's port only now (a real cfg has it fixed).
  // Rebuild the slave's view: not possible after Open, so check one way.
  Recorder at_m;
  Recorder at_s1;
  (*m)->Start(&at_m);
  (*s1)->Start(&at_s1);
  ASSERT_TRUE((*m)->Send("s1", "Call-ID: 1\r\nFrom: m\r\n"));
  EXPECT_FALSE((*m)->Send("s2", "Call-ID: 1\r\nFrom: m\r\n"));
  ASSERT_TRUE(at_s1.WaitCommands(1));
  EXPECT_EQ(at_s1.commands()[0], "m|Call-ID: 1\r\nFrom: m\r\n");
  (*m)->Stop();
  (*s1)->Stop();
}

}  // namespace
}  // namespace sipfleet::twin
