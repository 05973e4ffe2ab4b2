#include "common/transport/stream_connection.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>
#include <vector>

#include "common/base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::transport {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

SocketAddress Loopback(uint16_t port) { return *SocketAddress::Resolve("127.0.0.1", port); }

std::string Message(std::string_view body, int cseq = 1) {
  return "MESSAGE sip:bob@example.com SIP/2.0\r\nCSeq: " + std::to_string(cseq) +
         " MESSAGE\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

// Records what a connection reports.
class Recorder : public StreamEvents {
 public:
  void OnStreamReady(StreamConnection& connection) override { ++ready; }
  void OnStreamMessage(StreamConnection& connection, std::string_view message) override {
    messages.emplace_back(message);
    if (on_message) on_message(connection);
  }
  void OnStreamClosed(StreamConnection& connection, CloseReason why,
                      std::string_view text) override {
    ++closed;
    reason = why;
    detail = std::string(text);
  }

  int ready = 0;
  std::vector<std::string> messages;
  int closed = 0;
  CloseReason reason = CloseReason::kLocalClose;
  std::string detail;
  std::function<void(StreamConnection&)> on_message;
};

// A stand-in for TLS: bytes pass through unchanged after a handshake in
// which each side sends 'H' and waits for the peer's 'H' (so the side that
// speaks first sees kWantRead once).
class FakeSecureFactory;

class FakeChannel : public SecureChannel {
 public:
  FakeChannel(int fd, FakeSecureFactory& factory) : fd_(fd), factory_(factory) {}
  IoResult Handshake() override;
  IoResult Read(char* buffer, size_t capacity, size_t* read) override {
    ssize_t n = recv(fd_, buffer, capacity, 0);
    if (n > 0) *read = static_cast<size_t>(n);
    return Outcome(n, IoResult::kWantRead);
  }
  IoResult Write(const char* data, size_t size, size_t* written) override {
    ssize_t n = send(fd_, data, size, MSG_NOSIGNAL);
    if (n > 0) *written = static_cast<size_t>(n);
    return Outcome(n, IoResult::kWantWrite);
  }
  std::string ErrorText() const override { return error_; }
  bool VerifyFailed() const override { return verify_failed_; }
  bool Resumed() const override;

 private:
  IoResult Outcome(ssize_t n, IoResult would_block) {
    if (n > 0) return IoResult::kDone;
    if (n == 0) return IoResult::kClosed;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return would_block;
    error_ = strerror(errno);
    return IoResult::kError;
  }

  int fd_;
  FakeSecureFactory& factory_;
  bool sent_hello_ = false;
  bool verify_failed_ = false;
  std::string error_;
};

class FakeSecureFactory : public SecureChannelFactory {
 public:
  absl::StatusOr<std::unique_ptr<SecureChannel>> NewChannel(int fd) override {
    if (fail_new_channel) return absl::InternalError("no channel for you");
    return std::make_unique<FakeChannel>(fd, *this);
  }

  bool fail_new_channel = false;
  bool fail_verify = false;
  bool fail_handshake = false;
  bool resumed = false;
  int handshake_calls = 0;
  int want_reads = 0;
};

IoResult FakeChannel::Handshake() {
  ++factory_.handshake_calls;
  if (!sent_hello_) {
    if (send(fd_, "H", 1, MSG_NOSIGNAL) != 1) return IoResult::kWantWrite;
    sent_hello_ = true;
  }
  char hello = 0;
  ssize_t n = recv(fd_, &hello, 1, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    ++factory_.want_reads;
    return IoResult::kWantRead;
  }
  if (n <= 0 || hello != 'H') {
    error_ = "bad hello";
    return n == 0 ? IoResult::kClosed : IoResult::kError;
  }
  if (factory_.fail_verify) {
    verify_failed_ = true;
    error_ = "certificate verify failed: fake CA";
    return IoResult::kError;
  }
  if (factory_.fail_handshake) {
    error_ = "handshake failure: fake alert";
    return IoResult::kError;
  }
  return IoResult::kDone;
}

bool FakeChannel::Resumed() const { return factory_.resumed; }

class StreamConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(loop_.Init().ok());
    loop_.set_tick_micros(0);
  }
  void TearDown() override {
    for (int fd : raw_fds_) close(fd);
  }

  // Runs the loop until `done()` holds; false after 10 s.
  bool RunUntil(const std::function<bool()>& done) {
    const int64_t deadline = clock_.NowMicros() + 10'000'000;
    while (!done()) {
      if (clock_.NowMicros() > deadline) return false;
      loop_.RunOnce(5);
    }
    return true;
  }

  // Listens on `address`. Accepted sockets are adopted into server_ with
  // server_options_, or kept as raw fds in raw_fds_ when adopt_ is false.
  absl::Status StartServer(const SocketAddress& address) {
    auto listener =
        StreamListener::Listen(loop_, address, false, [this](int fd, const SocketAddress& peer) {
          if (!adopt_) {
            raw_fds_.push_back(fd);
            return;
          }
          auto connection =
              StreamConnection::Adopt(loop_, fd, peer, server_options_, server_events_);
          ASSERT_TRUE(connection.ok()) << connection.status();
          server_.push_back(*std::move(connection));
        });
    if (!listener.ok()) return listener.status();
    listener_ = *std::move(listener);
    return absl::OkStatus();
  }

  std::unique_ptr<StreamConnection> Connect(Recorder& events,
                                            const StreamConnection::Options& options = {}) {
    auto connection = StreamConnection::Connect(loop_, listener_->local_address(), options, events);
    EXPECT_TRUE(connection.ok()) << connection.status();
    return connection.ok() ? *std::move(connection) : nullptr;
  }

  // A client connected to a server socket kept raw (raw_fds_[0]), the
  // connection made; null on failure.
  std::unique_ptr<StreamConnection> ConnectToRawPeer(Recorder& events) {
    adopt_ = false;
    if (!StartServer(Loopback(0)).ok()) return nullptr;
    auto client = Connect(events);
    if (client == nullptr ||
        !RunUntil([&] { return client->ready() && raw_fds_.size() == 1; })) {
      return nullptr;
    }
    return client;
  }

  base::SystemClock clock_;
  EventLoop loop_{clock_};
  std::unique_ptr<StreamListener> listener_;
  StreamConnection::Options server_options_;
  Recorder server_events_;
  std::vector<std::unique_ptr<StreamConnection>> server_;
  bool adopt_ = true;
  std::vector<int> raw_fds_;
};

TEST_F(StreamConnectionTest, ConnectAndExchangeMessages) {
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  EXPECT_NE(listener_->local_address().port(), 0);
  Recorder client_events;
  auto client = Connect(client_events);
  ASSERT_NE(client, nullptr);
  EXPECT_FALSE(client->ready());
  EXPECT_TRUE(client->Send(Message("ping")));  // queued until connected
  ASSERT_TRUE(RunUntil([&] { return server_events_.messages.size() == 1; }));
  EXPECT_EQ(server_events_.messages[0], Message("ping"));
  EXPECT_EQ(client_events.ready, 1);
  EXPECT_TRUE(client->ready());
  EXPECT_FALSE(client->resumed_tls());

  ASSERT_EQ(server_.size(), 1u);
  EXPECT_TRUE(server_[0]->ready());
  EXPECT_EQ(server_[0]->peer().port(), client->local().port());
  EXPECT_EQ(server_[0]->local().port(), listener_->local_address().port());
  EXPECT_EQ(client->peer().port(), listener_->local_address().port());
  EXPECT_TRUE(server_[0]->Send(Message("pong", 2)));
  ASSERT_TRUE(RunUntil([&] { return client_events.messages.size() == 1; }));
  EXPECT_EQ(client_events.messages[0], Message("pong", 2));

  client->Close();
  ASSERT_TRUE(RunUntil([&] { return server_events_.closed == 1; }));
  EXPECT_EQ(server_events_.reason, CloseReason::kPeerClosed);
  EXPECT_EQ(CloseReasonName(server_events_.reason), "peer closed");
  EXPECT_EQ(client_events.closed, 0);  // Close() without notify reports nothing
  EXPECT_FALSE(client->Send("late"));
}

TEST_F(StreamConnectionTest, CoalescedMessagesAndCloseInsideCallback) {
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  server_events_.on_message = [](StreamConnection& connection) { connection.Close(); };
  Recorder client_events;
  auto client = Connect(client_events);
  ASSERT_NE(client, nullptr);
  client->Send(Message("a", 1) + Message("b", 2) + Message("c", 3));
  ASSERT_TRUE(RunUntil([&] { return client_events.closed == 1; }));
  // The server stopped delivering once its owner closed it, and said nothing more.
  EXPECT_EQ(server_events_.messages.size(), 1u);
  EXPECT_EQ(server_events_.closed, 0);
  EXPECT_THAT(client_events.reason, AnyOf(CloseReason::kPeerClosed, CloseReason::kReset));
}

TEST_F(StreamConnectionTest, CloseWithNotifyReportsLocalCloseOnce) {
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  Recorder client_events;
  auto client = Connect(client_events);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(RunUntil([&] { return client->ready(); }));
  client->Close(/*notify=*/true);
  client->Close(/*notify=*/true);
  EXPECT_TRUE(client->closed());
  EXPECT_EQ(client_events.closed, 1);
  EXPECT_EQ(client_events.reason, CloseReason::kLocalClose);
  EXPECT_EQ(CloseReasonName(CloseReason::kLocalClose), "local close");
}

TEST_F(StreamConnectionTest, OversizeMessageClosesWithFraming) {
  server_options_.max_message_bytes = 4096;
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  Recorder client_events;
  auto client = Connect(client_events);
  ASSERT_NE(client, nullptr);
  client->Send(Message("small"));
  client->Send(Message(std::string(5000, 'x'), 2));
  ASSERT_TRUE(RunUntil([&] { return server_events_.closed == 1; }));
  EXPECT_EQ(server_events_.reason, CloseReason::kFraming);
  EXPECT_THAT(server_events_.detail, HasSubstr("exceeds"));
  EXPECT_EQ(server_events_.messages.size(), 1u);
  EXPECT_EQ(CloseReasonName(CloseReason::kFraming), "framing");
}

TEST_F(StreamConnectionTest, BadContentLengthClosesWithFraming) {
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  Recorder client_events;
  auto client = Connect(client_events);
  ASSERT_NE(client, nullptr);
  client->Send("INFO sip:a SIP/2.0\r\nContent-Length: lots\r\n\r\n");
  ASSERT_TRUE(RunUntil([&] { return server_events_.closed == 1; }));
  EXPECT_EQ(server_events_.reason, CloseReason::kFraming);
  EXPECT_THAT(server_events_.detail, HasSubstr("Content-Length"));
}

TEST_F(StreamConnectionTest, LargeWriteIsBufferedAndArrivesComplete) {
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  StreamConnection::Options options;
  // Far below 4 MiB, so the write must wait for EPOLLOUT; not below the
  // 64 KiB loopback MSS, where delayed ACKs make the transfer crawl.
  options.buffer_bytes = 64 * 1024;
  Recorder client_events;
  auto client = Connect(client_events, options);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(RunUntil([&] { return client->ready() && server_.size() == 1; }));

  constexpr int kMessages = 4096;
  std::string blob;
  for (int i = 0; i < kMessages; ++i) {
    blob += Message(std::string(1000, static_cast<char>('a' + i % 26)), i);
  }
  ASSERT_GT(blob.size(), 4u << 20);
  EXPECT_TRUE(client->Send(blob));
  EXPECT_GT(client->pending_write_bytes(), 0u);
  EXPECT_TRUE(client->Send(Message("tail", kMessages)));  // queued behind the blob
  ASSERT_TRUE(RunUntil([&] { return server_events_.messages.size() == kMessages + 1; }));
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_EQ(server_events_.messages[i],
              Message(std::string(1000, static_cast<char>('a' + i % 26)), i));
  }
  EXPECT_EQ(server_events_.messages.back(), Message("tail", kMessages));
  EXPECT_EQ(client->pending_write_bytes(), 0u);
  EXPECT_EQ(server_events_.closed, 0);
}

TEST_F(StreamConnectionTest, ConnectToClosedPortFails) {
  // A bound but not listening socket holds the port: connecting is refused.
  int holder = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(holder, 0);
  raw_fds_.push_back(holder);
  SocketAddress address = Loopback(0);
  ASSERT_EQ(bind(holder, address.sockaddr_ptr(), address.length()), 0);
  socklen_t length = SocketAddress::kCapacity;
  ASSERT_EQ(getsockname(holder, address.mutable_sockaddr(), &length), 0);

  Recorder events;
  auto client = StreamConnection::Connect(loop_, address, {}, events);
  if (!client.ok()) {  // a kernel may refuse a loopback connect at once
    EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
    return;
  }
  ASSERT_TRUE(RunUntil([&] { return events.closed == 1; }));
  EXPECT_EQ(events.reason, CloseReason::kConnectFailed);
  EXPECT_EQ(events.detail, strerror(ECONNREFUSED));
  EXPECT_EQ(events.ready, 0);
  EXPECT_TRUE((*client)->closed());
  EXPECT_EQ(CloseReasonName(CloseReason::kConnectFailed), "connect failed");
}

TEST_F(StreamConnectionTest, PeerClosingMidMessageIsReset) {
  Recorder client_events;
  auto client = ConnectToRawPeer(client_events);
  ASSERT_NE(client, nullptr);
  std::string whole = Message("complete") + Message("cut short", 2);
  std::string partial = whole.substr(0, whole.size() - 3);
  ASSERT_EQ(send(raw_fds_[0], partial.data(), partial.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(partial.size()));
  close(raw_fds_[0]);
  raw_fds_.clear();
  ASSERT_TRUE(RunUntil([&] { return client_events.closed == 1; }));
  EXPECT_EQ(client_events.messages.size(), 1u);
  EXPECT_EQ(client_events.reason, CloseReason::kReset);
  EXPECT_EQ(client_events.detail, "connection closed in the middle of a message");
  EXPECT_EQ(CloseReasonName(CloseReason::kReset), "reset");
}

TEST_F(StreamConnectionTest, IncompleteMessageIsTimedFromItsFirstByteAndCanExpire) {
  Recorder client_events;
  auto client = ConnectToRawPeer(client_events);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->incomplete_since_us(), 0);
  std::string whole = Message("complete") + Message("half", 2);
  const int64_t before = clock_.NowMicros();
  std::string partial = whole.substr(0, whole.size() - 3);
  ASSERT_EQ(send(raw_fds_[0], partial.data(), partial.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(partial.size()));
  ASSERT_TRUE(RunUntil([&] { return client_events.messages.size() == 1; }));
  const int64_t since = client->incomplete_since_us();
  EXPECT_GE(since, before);
  // The rest of the message completes it: nothing is unfinished any more.
  std::string rest = whole.substr(whole.size() - 3);
  ASSERT_EQ(send(raw_fds_[0], rest.data(), rest.size(), MSG_NOSIGNAL), 3);
  ASSERT_TRUE(RunUntil([&] { return client_events.messages.size() == 2; }));
  EXPECT_EQ(client->incomplete_since_us(), 0);
  // A new half message starts a new count; the owner may expire it.
  ASSERT_EQ(send(raw_fds_[0], "OPTIONS", 7, MSG_NOSIGNAL), 7);
  ASSERT_TRUE(RunUntil([&] { return client->incomplete_since_us() != 0; }));
  EXPECT_GE(client->incomplete_since_us(), since);
  client->ExpireIncomplete("too slow");
  EXPECT_EQ(client_events.closed, 1);
  EXPECT_EQ(client_events.reason, CloseReason::kReadTimeout);
  EXPECT_EQ(client_events.detail, "too slow");
  EXPECT_EQ(CloseReasonName(CloseReason::kReadTimeout), "read timeout");
}

TEST_F(StreamConnectionTest, ServerTlsHandshakeCountsAsUnfinishedUntilDone) {
  FakeSecureFactory server_tls;
  server_options_.secure = &server_tls;
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  Recorder client_events;
  auto client = Connect(client_events);  // plain: says no hello until told
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(RunUntil([&] { return server_.size() == 1 && client->ready(); }));
  EXPECT_NE(server_[0]->incomplete_since_us(), 0);  // stalled in its handshake
  client->Send("H");
  ASSERT_TRUE(RunUntil([&] { return server_events_.ready == 1; }));
  EXPECT_EQ(server_[0]->incomplete_since_us(), 0);
}

TEST_F(StreamConnectionTest, PeerResetIsReported) {
  adopt_ = false;
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  Recorder client_events;
  auto client = Connect(client_events);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(RunUntil([&] { return client->ready() && raw_fds_.size() == 1; }));
  linger abort_on_close{1, 0};  // close() sends RST
  ASSERT_EQ(setsockopt(raw_fds_[0], SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof(abort_on_close)),
            0);
  close(raw_fds_[0]);
  raw_fds_.clear();
  ASSERT_TRUE(RunUntil([&] { return client_events.closed == 1; }));
  EXPECT_THAT(client_events.reason, AnyOf(CloseReason::kReset, CloseReason::kPeerClosed));
  // Writing after the reset neither crashes (no SIGPIPE) nor reports twice.
  client->Send(Message("after reset"));
  for (int i = 0; i < 10; ++i) loop_.RunOnce(0);
  EXPECT_EQ(client_events.closed, 1);
}

TEST_F(StreamConnectionTest, SendToResetPeerReportsResetFromTheLoop) {
  adopt_ = false;
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  Recorder client_events;
  auto client = Connect(client_events);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(RunUntil([&] { return client->ready() && raw_fds_.size() == 1; }));
  close(raw_fds_[0]);  // FIN; the first write then draws a RST
  raw_fds_.clear();
  // Keep writing without reading: a failing Send() never calls back itself.
  ASSERT_TRUE(RunUntil([&] {
    client->Send(Message("x"));
    EXPECT_LE(client_events.closed, 1);
    return client_events.closed == 1;
  }));
  EXPECT_THAT(client_events.reason, AnyOf(CloseReason::kReset, CloseReason::kPeerClosed));
}

// What a raw peer socket holds now, without waiting ("" when nothing).
std::string ReadAvailable(int fd) {
  std::string bytes;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT)) > 0) bytes.append(buffer, n);
  return bytes;
}

TEST_F(StreamConnectionTest, SendsOfOneIterationLeaveTogetherAtItsEnd) {
  Recorder client_events;
  auto client = ConnectToRawPeer(client_events);
  ASSERT_NE(client, nullptr);
  const std::string all = Message("a", 1) + Message("b", 2) + Message("c", 3);
  ASSERT_TRUE(client->Send(Message("a", 1)));
  ASSERT_TRUE(client->Send(Message("b", 2)));
  ASSERT_TRUE(client->Send(Message("c", 3)));
  EXPECT_EQ(ReadAvailable(raw_fds_[0]), "");  // held to the iteration's end
  EXPECT_EQ(client->pending_write_bytes(), all.size());
  loop_.RunOnce(0);
  EXPECT_EQ(client->pending_write_bytes(), 0u);
  std::string received;
  ASSERT_TRUE(RunUntil([&] {
    received += ReadAvailable(raw_fds_[0]);
    return received.size() >= all.size();
  }));
  EXPECT_EQ(received, all);
}

TEST_F(StreamConnectionTest, CloseWritesWhatTheIterationQueuedAndDestroyCancelsTheFlush) {
  Recorder client_events;
  auto client = ConnectToRawPeer(client_events);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send(Message("last")));
  client->Close();
  client.reset();
  loop_.RunOnce(0);  // the cancelled flush is not run (ASan: no use after free)
  std::string received;
  ASSERT_TRUE(RunUntil([&] {
    received += ReadAvailable(raw_fds_[0]);
    return received.size() >= Message("last").size();
  }));
  EXPECT_EQ(received, Message("last"));

  Recorder other_events;
  auto other = Connect(other_events);
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(RunUntil([&] { return other->ready(); }));
  ASSERT_TRUE(other->Send(Message("never")));
  other.reset();  // destroyed with its flush scheduled
  loop_.RunOnce(0);
}

TEST_F(StreamConnectionTest, Ipv6Loopback) {
  absl::StatusOr<SocketAddress> any6 = SocketAddress::Resolve("::1", 0);
  if (!any6.ok() || !StartServer(*any6).ok()) GTEST_SKIP() << "::1 is not available";
  EXPECT_TRUE(listener_->local_address().is_ipv6());
  Recorder client_events;
  auto client = Connect(client_events);
  ASSERT_NE(client, nullptr);
  client->Send(Message("v6"));
  ASSERT_TRUE(RunUntil([&] { return server_events_.messages.size() == 1; }));
  EXPECT_EQ(server_events_.messages[0], Message("v6"));
  EXPECT_TRUE(client->local().is_ipv6());
  EXPECT_EQ(client->local().ip(), "::1");
}

TEST_F(StreamConnectionTest, BindAddressNoPortReportsTheRealPort) {
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  SocketAddress source = Loopback(0);
  StreamConnection::Options options;
  options.local = &source;
  Recorder client_events;
  auto client = Connect(client_events, options);
  ASSERT_NE(client, nullptr);
  EXPECT_NE(client->local().port(), 0);  // known as soon as connect() returns
  EXPECT_EQ(client->local().ip(), "127.0.0.1");
  ASSERT_TRUE(RunUntil([&] { return client->ready() && server_.size() == 1; }));
  EXPECT_EQ(server_[0]->peer().port(), client->local().port());
  client->Send(Message("bound"));
  ASSERT_TRUE(RunUntil([&] { return server_events_.messages.size() == 1; }));
}

TEST_F(StreamConnectionTest, ListeningOnAPortInUseIsFailedPrecondition) {
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  auto second =
      StreamListener::Listen(loop_, listener_->local_address(), false, [](int, const auto&) {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("address in use"));
}

TEST_F(StreamConnectionTest, ReusePortListenersShareAnAddress) {
  auto first =
      StreamListener::Listen(loop_, Loopback(0), true, [](int fd, const auto&) { close(fd); });
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = StreamListener::Listen(loop_, (*first)->local_address(), true,
                                       [](int fd, const auto&) { close(fd); });
  EXPECT_TRUE(second.ok()) << second.status();
}

TEST_F(StreamConnectionTest, SecureHandshakeThenMessagesBothWays) {
  FakeSecureFactory client_tls;
  FakeSecureFactory server_tls;
  client_tls.resumed = true;
  server_options_.secure = &server_tls;
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  StreamConnection::Options options;
  options.secure = &client_tls;
  Recorder client_events;
  auto client = Connect(client_events, options);
  ASSERT_NE(client, nullptr);
  client->Send(Message("over tls"));  // queued until the handshake is done
  ASSERT_TRUE(RunUntil([&] { return server_events_.messages.size() == 1; }));
  EXPECT_EQ(server_events_.messages[0], Message("over tls"));
  EXPECT_EQ(client_events.ready, 1);
  EXPECT_EQ(server_events_.ready, 1);
  // The client spoke first and had to wait for the server's hello.
  EXPECT_GE(client_tls.want_reads, 1);
  EXPECT_GE(client_tls.handshake_calls, 2);
  EXPECT_TRUE(client->resumed_tls());
  ASSERT_EQ(server_.size(), 1u);
  EXPECT_FALSE(server_[0]->resumed_tls());
  server_[0]->Send(Message("reply", 2));
  ASSERT_TRUE(RunUntil([&] { return client_events.messages.size() == 1; }));
  EXPECT_EQ(client_events.messages[0], Message("reply", 2));
}

TEST_F(StreamConnectionTest, SecureVerifyFailureIsTlsVerify) {
  FakeSecureFactory client_tls;
  FakeSecureFactory server_tls;
  client_tls.fail_verify = true;
  server_options_.secure = &server_tls;
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  StreamConnection::Options options;
  options.secure = &client_tls;
  Recorder client_events;
  auto client = Connect(client_events, options);
  ASSERT_NE(client, nullptr);
  client->Send(Message("never sent"));
  ASSERT_TRUE(RunUntil([&] { return client_events.closed == 1; }));
  EXPECT_EQ(client_events.reason, CloseReason::kTlsVerify);
  EXPECT_EQ(client_events.detail, "certificate verify failed: fake CA");
  EXPECT_EQ(client_events.ready, 0);
  EXPECT_EQ(CloseReasonName(CloseReason::kTlsVerify), "tls verify");
  ASSERT_TRUE(RunUntil([&] { return server_events_.closed == 1; }));
  EXPECT_TRUE(server_events_.messages.empty());
}

TEST_F(StreamConnectionTest, SecureHandshakeFailureIsTlsHandshake) {
  FakeSecureFactory server_tls;
  server_tls.fail_handshake = true;
  server_options_.secure = &server_tls;
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  FakeSecureFactory client_tls;
  StreamConnection::Options options;
  options.secure = &client_tls;
  Recorder client_events;
  auto client = Connect(client_events, options);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(RunUntil([&] { return server_events_.closed == 1; }));
  EXPECT_EQ(server_events_.reason, CloseReason::kTlsHandshake);
  EXPECT_EQ(server_events_.detail, "handshake failure: fake alert");
  EXPECT_EQ(server_events_.ready, 0);
  EXPECT_EQ(CloseReasonName(CloseReason::kTlsHandshake), "tls handshake");
}

TEST_F(StreamConnectionTest, SecureChannelCreationFailureIsTlsHandshake) {
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  FakeSecureFactory client_tls;
  client_tls.fail_new_channel = true;
  StreamConnection::Options options;
  options.secure = &client_tls;
  Recorder client_events;
  auto client = Connect(client_events, options);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(RunUntil([&] { return client_events.closed == 1; }));
  EXPECT_EQ(client_events.reason, CloseReason::kTlsHandshake);
  EXPECT_EQ(client_events.detail, "no channel for you");
}

TEST_F(StreamConnectionTest, DestroyingAnOpenConnectionReportsNothing) {
  ASSERT_TRUE(StartServer(Loopback(0)).ok());
  Recorder client_events;
  auto client = Connect(client_events);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(RunUntil([&] { return client->ready() && server_.size() == 1; }));
  client.reset();
  ASSERT_TRUE(RunUntil([&] { return server_events_.closed == 1; }));
  EXPECT_EQ(server_events_.reason, CloseReason::kPeerClosed);
  EXPECT_EQ(client_events.closed, 0);
}

}  // namespace
}  // namespace sipfleet::transport
