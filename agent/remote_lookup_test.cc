#include "agent/remote_lookup.h"

#include <time.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::agent {
namespace {

using ::testing::HasSubstr;
using Address = transport::SocketAddress;
using namespace std::chrono_literals;

// What a test's lookups share with their detached threads, which may
// outlive the test body: held by shared_ptr, released when the test ends.
struct Resolver {
  std::atomic<int> calls{0};
  absl::Notification release;  // a hanging lookup answers once notified
  ~Resolver() = default;
};

class LookupTest : public ::testing::Test {
 protected:
  ~LookupTest() override { resolver_->release.Notify(); }

  absl::StatusOr<Address> Run(Lookup lookup, const LookupPolicy& policy) {
    return LookUpWhileBeating(
        lookup, policy, "uas-0", [&] { ++beats_; },
        [&](std::string_view failure) { said_.emplace_back(failure); });
  }
  // Lookup number n (from 0) hangs until released when `hangs(n)`, fails
  // with NotFound when `fails(n)`, else answers 127.0.0.1:5060.
  template <typename Hangs, typename Fails>
  Lookup Scripted(Hangs hangs, Fails fails) {
    return [resolver = resolver_, hangs, fails]() -> absl::StatusOr<Address> {
      const int n = resolver->calls++;
      if (hangs(n)) resolver->release.WaitForNotification();
      if (fails(n)) return absl::NotFoundError("cannot resolve host 'uas-0': Name unknown");
      return Address::Resolve("127.0.0.1", 5060);
    };
  }

  std::shared_ptr<Resolver> resolver_ = std::make_shared<Resolver>();
  int beats_ = 0;
  std::vector<std::string> said_;
};

constexpr auto kNever = [](int) { return false; };
constexpr auto kAlways = [](int) { return true; };

TEST_F(LookupTest, AnAnswerAtOnceSaysNothing) {
  LookupPolicy policy;
  policy.wait = 5s;
  absl::StatusOr<Address> address = Run(Scripted(kNever, kNever), policy);
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->port(), 5060);
  EXPECT_EQ(resolver_->calls, 1);
  EXPECT_TRUE(said_.empty());
}

TEST_F(LookupTest, AFailedLookupIsTriedAgainUntilOneAnswers) {
  LookupPolicy policy;
  policy.wait = 10s;
  policy.retry = 5ms;
  absl::StatusOr<Address> address = Run(Scripted(kNever, [](int n) { return n < 2; }), policy);
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(resolver_->calls, 3);
  EXPECT_THAT(said_, ::testing::ElementsAre(HasSubstr("Name unknown")));
}

// The deploy flake: a lookup stuck on an upstream server's timeouts while
// the name gets published. Another lookup beside it answers, and the
// heartbeats went on while the first one hung.
TEST_F(LookupTest, AHangingLookupIsHedgedAndBeatsGoOn) {
  LookupPolicy policy;
  policy.wait = 10s;
  policy.hedge = 50ms;
  policy.beat = 10ms;
  absl::StatusOr<Address> address = Run(Scripted([](int n) { return n == 0; }, kNever), policy);
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_GE(resolver_->calls, 2);  // a slow machine may start a third
  EXPECT_GE(beats_, 1);
  EXPECT_THAT(said_,
              ::testing::ElementsAre("no answer from the resolver for 'uas-0' yet"));
}

TEST_F(LookupTest, NothingAnsweredByTheDeadlineNamesTheHostAndKeepsToTheCap) {
  LookupPolicy policy;
  policy.wait = 200ms;
  policy.hedge = 20ms;
  policy.max_outstanding = 2;
  absl::StatusOr<Address> address = Run(Scripted(kAlways, kNever), policy);
  EXPECT_EQ(address.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(address.status().message(),
              HasSubstr("no answer from the resolver for 'uas-0' within 0.2 s"));
  EXPECT_EQ(resolver_->calls, 2);
}

// At the cap nothing can start, and waiting for an answer must not spin:
// the waiting thread's CPU time stays far below the wall time it waits.
TEST_F(LookupTest, WaitingAtTheCapDoesNotSpin) {
  LookupPolicy policy;
  policy.wait = 300ms;
  policy.hedge = 1ms;
  policy.max_outstanding = 1;
  timespec before{}, after{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &before);
  absl::StatusOr<Address> address = Run(Scripted(kAlways, kNever), policy);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &after);
  EXPECT_EQ(address.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(resolver_->calls, 1);
  const double cpu_ms = (after.tv_sec - before.tv_sec) * 1e3 + (after.tv_nsec - before.tv_nsec) / 1e6;
  EXPECT_LT(cpu_ms, 100) << "the wait spun";
}

TEST_F(LookupTest, TheLastFailureIsTheAnswerAtTheDeadline) {
  LookupPolicy policy;
  policy.wait = 100ms;
  policy.retry = 10ms;
  absl::StatusOr<Address> address = Run(Scripted(kNever, kAlways), policy);
  EXPECT_EQ(address.status().code(), absl::StatusCode::kNotFound);
  EXPECT_GE(resolver_->calls, 2);
  EXPECT_EQ(said_.size(), 1u);
}

TEST_F(LookupTest, WithoutAWaitOneLookupIsFinal) {
  LookupPolicy policy;  // wait 0: -resolve_wait 0
  absl::StatusOr<Address> address = Run(Scripted(kNever, kAlways), policy);
  EXPECT_EQ(address.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(resolver_->calls, 1);
  EXPECT_TRUE(said_.empty());
}

}  // namespace
}  // namespace sipfleet::agent
