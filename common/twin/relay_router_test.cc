#include "common/twin/relay_router.h"

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace sipfleet::twin {
namespace {

// Counts what the router hands its sink; fails the test if anything arrives
// after Stop() returned.
class CountingSink : public CommandSink {
 public:
  void DeliverCommand(std::string_view source, std::string message) override {
    EXPECT_FALSE(stopped.load()) << "delivered after Stop()";
    std::lock_guard<std::mutex> lock(mutex);
    if (source == "m") ++from_m;
    received.push_back(std::move(message));
  }
  void TwinLost(std::string what) override {
    EXPECT_FALSE(stopped.load()) << "lost reported after Stop()";
    std::lock_guard<std::mutex> lock(mutex);
    lost.push_back(std::move(what));
  }

  std::atomic<bool> stopped{false};
  std::mutex mutex;
  int from_m = 0;
  std::vector<std::string> received;
  std::vector<std::string> lost;
};

// The agent's use (agent_session.cc): engine workers Send from their
// threads while the gRPC reader thread Delivers and reports lost peers, and
// the session Starts and Stops the router. Run under TSan by
// scripts/sanitize.sh; here it checks order, counts and the Stop contract.
TEST(RelayRouterTest, ConcurrentSendDeliverLoseAndStop) {
  constexpr int kWorkers = 3;
  constexpr int kPerWorker = 500;
  constexpr int kDelivered = 1000;
  std::atomic<int> out{0};
  RelayOptions options;
  options.self = "s1";
  options.extended = true;
  options.destinations = {"m", "s2"};
  RelayRouter router(options, [&out](RelayedCommand command) {
    EXPECT_EQ(command.source, "s1");
    EXPECT_FALSE(command.call_id.empty());
    out.fetch_add(1);
    return true;
  });
  CountingSink sink;
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&router, &refused, w] {
      for (int i = 0; i < kPerWorker; ++i) {
        std::string text = "Call-ID: w" + std::to_string(w) + "-" + std::to_string(i) + "\r\n\r\n";
        if (!router.Send(i % 2 ? "m" : "s2", std::move(text))) refused.fetch_add(1);
      }
    });
  }
  std::thread relay([&router] {
    for (int i = 0; i < kDelivered; ++i) {
      router.Deliver("From: m\r\nCall-ID: in-" + std::to_string(i) + "\r\n\r\n");
      if (i == kDelivered / 2) router.PeerLost("s2", "agent of s2 lost");
    }
  });
  router.Start(&sink);  // commands held before this are delivered first
  relay.join();
  for (std::thread& thread : threads) thread.join();
  router.Stop();
  sink.stopped = true;
  router.Deliver("From: m\r\nCall-ID: late\r\n\r\n");  // dropped, not delivered
  router.PeerLost("m", "too late");

  EXPECT_EQ(out.load() + refused.load(), kWorkers * kPerWorker);
  EXPECT_GE(out.load(), kWorkers * kPerWorker / 2);  // every Send to m went out
  std::lock_guard<std::mutex> lock(sink.mutex);
  ASSERT_EQ(sink.received.size(), static_cast<size_t>(kDelivered));
  EXPECT_EQ(sink.from_m, kDelivered);
  for (int i = 0; i < kDelivered; ++i) {  // in the order the relay delivered them
    EXPECT_EQ(sink.received[i], "From: m\r\nCall-ID: in-" + std::to_string(i) + "\r\n\r\n");
  }
  EXPECT_EQ(sink.lost, std::vector<std::string>{"agent of s2 lost"});
  EXPECT_FALSE(router.Send("s2", "Call-ID: after\r\n\r\n"));
}

// A peer lost while the instance still prepares (before Start) is reported
// at Start, after the commands that came before it: it is never dropped.
TEST(RelayRouterTest, LossBeforeStartIsHeldAndReportedInOrder) {
  RelayOptions options;
  options.self = "s1";
  options.extended = true;
  options.destinations = {"m", "s2"};
  RelayRouter router(options, [](RelayedCommand) { return true; });
  CountingSink sink;
  ASSERT_TRUE(router.Deliver("From: m\r\nCall-ID: a\r\n\r\n"));
  router.PeerLost("s2", "agent of s2 lost");
  router.PeerLost("s2", "agent of s2 lost again");  // once per peer
  EXPECT_FALSE(router.Send("s2", "Call-ID: b\r\n\r\n"));
  router.Start(&sink);
  std::lock_guard<std::mutex> lock(sink.mutex);
  EXPECT_EQ(sink.received, std::vector<std::string>{"From: m\r\nCall-ID: a\r\n\r\n"});
  EXPECT_EQ(sink.lost, std::vector<std::string>{"agent of s2 lost"});
}

// An instance that only receives from a peer (no dest= names it) still
// hears of that peer's loss when it came before Start().
TEST(RelayRouterTest, LossOfAPeerWeOnlyHeardFromBeforeStartIsReported) {
  RelayOptions options;
  options.self = "s1";
  options.extended = true;
  RelayRouter router(options, [](RelayedCommand) { return true; });
  CountingSink sink;
  ASSERT_TRUE(router.Deliver("From: m\r\nCall-ID: a\r\n\r\n"));
  router.PeerLost("m", "agent of m lost");
  router.PeerLost("x", "agent of x lost");  // never heard from: not ours
  router.Start(&sink);
  std::lock_guard<std::mutex> lock(sink.mutex);
  EXPECT_EQ(sink.from_m, 1);
  EXPECT_EQ(sink.lost, std::vector<std::string>{"agent of m lost"});
}

}  // namespace
}  // namespace sipfleet::twin
