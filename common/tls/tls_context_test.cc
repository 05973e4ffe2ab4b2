#include "common/tls/tls_context.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/tls/test_ca.h"
#include "common/tls/tls_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::tls {
namespace {

using ::testing::HasSubstr;
using transport::IoResult;
using transport::SecureChannel;

constexpr auto kStepTimeout = std::chrono::seconds(10);
constexpr int kMaxSteps = 100000;

bool Finished(IoResult result) {
  return result != IoResult::kWantRead && result != IoResult::kWantWrite;
}

// One end of a loopback connection: a non-blocking socket and its channel.
struct Endpoint {
  int fd = -1;
  std::unique_ptr<SecureChannel> channel;
  IoResult last = IoResult::kWantWrite;  // outcome of the last step

  ~Endpoint() {
    channel.reset();
    if (fd >= 0) close(fd);
  }
  short PollEvents() const { return last == IoResult::kWantWrite ? POLLOUT : POLLIN; }
};

// Blocks (bounded) until one endpoint still waiting can make progress.
// False on timeout.
bool WaitForAny(std::initializer_list<const Endpoint*> endpoints) {
  std::vector<pollfd> fds;
  for (const Endpoint* endpoint : endpoints) {
    if (!Finished(endpoint->last)) fds.push_back({endpoint->fd, endpoint->PollEvents(), 0});
  }
  if (fds.empty()) return false;
  int timeout_ms = static_cast<int>(std::chrono::milliseconds(kStepTimeout).count());
  return poll(fds.data(), fds.size(), timeout_ms) > 0;
}

// Connected, non-blocking loopback TCP sockets (client, server); -1s on failure.
std::pair<int, int> LoopbackPair() {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int server = -1;
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
      listen(listener, 1) == 0 &&
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
      connect(client, reinterpret_cast<sockaddr*>(&address), length) == 0) {
    server = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  }
  close(listener);
  if (server < 0) {
    close(client);
    return {-1, -1};
  }
  fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK);
  int one = 1;  // as StreamConnection: no Nagle/delayed-ACK stalls
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return {client, server};
}

// A TLS connection over loopback between two contexts.
struct Connection {
  Endpoint client;
  Endpoint server;

  // Drives both handshakes until each has finished (or a step times out).
  void Handshake() {
    for (int i = 0; i < kMaxSteps; ++i) {
      if (!Finished(client.last)) client.last = client.channel->Handshake();
      if (!Finished(server.last)) server.last = server.channel->Handshake();
      if (Finished(client.last) && Finished(server.last)) return;
      if (!WaitForAny({&client, &server})) return;
    }
  }
};

std::unique_ptr<Connection> Connect(TlsContext& client_context, TlsContext& server_context) {
  auto connection = std::make_unique<Connection>();
  std::tie(connection->client.fd, connection->server.fd) = LoopbackPair();
  EXPECT_GE(connection->client.fd, 0);
  if (connection->client.fd < 0) return nullptr;
  auto client = client_context.NewChannel(connection->client.fd);
  auto server = server_context.NewChannel(connection->server.fd);
  EXPECT_TRUE(client.ok()) << client.status();
  EXPECT_TRUE(server.ok()) << server.status();
  if (!client.ok() || !server.ok()) return nullptr;
  connection->client.channel = *std::move(client);
  connection->server.channel = *std::move(server);
  return connection;
}

// Sends `data` from `from` to `to` with interleaved non-blocking writes and
// reads; returns what `to` received (short on error, close or timeout).
std::string Transfer(Endpoint& from, Endpoint& to, const std::string& data) {
  std::string received;
  size_t sent = 0;
  char buffer[16384];
  for (int i = 0; i < kMaxSteps && received.size() < data.size(); ++i) {
    size_t n = 0;
    if (sent < data.size()) {
      from.last = from.channel->Write(data.data() + sent, data.size() - sent, &n);
      sent += n;
      if (from.last == IoResult::kError || from.last == IoResult::kClosed) break;
    } else {
      from.last = IoResult::kDone;
    }
    to.last = to.channel->Read(buffer, sizeof(buffer), &n);
    received.append(buffer, n);
    if (to.last == IoResult::kError || to.last == IoResult::kClosed) break;
    if (n == 0 && from.last != IoResult::kDone && !WaitForAny({&from, &to})) break;
    if (n == 0 && from.last == IoResult::kDone && !WaitForAny({&to})) break;
  }
  return received;
}

// Reads on `endpoint` until it fails or closes; returns the last outcome.
IoResult ReadUntilFailure(Endpoint& endpoint) {
  char buffer[4096];
  for (int i = 0; i < kMaxSteps; ++i) {
    size_t n = 0;
    endpoint.last = endpoint.channel->Read(buffer, sizeof(buffer), &n);
    if (endpoint.last == IoResult::kError || endpoint.last == IoResult::kClosed) break;
    if (n == 0 && !WaitForAny({&endpoint})) break;
  }
  return endpoint.last;
}

std::string Pattern(size_t size) {
  std::string data(size, '\0');
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>('a' + (i * 7) % 26);
  return data;
}

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "tls_test.XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    absl::StatusOr<testing::TestCaFiles> files = testing::WriteTestCaFiles(dir_);
    ASSERT_TRUE(files.ok()) << files.status();
    files_ = *files;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  TlsOptions ServerOptions() const {
    TlsOptions options;
    options.cert_file = files_.server_cert;
    options.key_file = files_.server_key;
    options.cert_given = true;
    options.ca_file = files_.ca;
    return options;
  }
  TlsOptions ClientOptions() const {
    TlsOptions options;
    options.cert_file = files_.client_cert;
    options.key_file = files_.client_key;
    options.cert_given = true;
    options.ca_file = files_.ca;
    return options;
  }
  // A path in the test directory that does not exist.
  std::string Missing(const char* name) const { return dir_ + "/absent-" + name; }

  static std::unique_ptr<TlsContext> MakeContext(const TlsOptions& options, Role role) {
    absl::StatusOr<std::unique_ptr<TlsContext>> context = TlsContext::Create(options, role);
    EXPECT_TRUE(context.ok()) << context.status();
    return context.ok() ? *std::move(context) : nullptr;
  }

  std::string dir_;
  testing::TestCaFiles files_;
};

TEST_F(TlsContextTest, HandshakeAndEchoWithVerification) {
  auto client_context = MakeContext(ClientOptions(), Role::kClient);
  auto server_context = MakeContext(ServerOptions(), Role::kServer);
  ASSERT_TRUE(client_context && server_context);
  auto connection = Connect(*client_context, *server_context);
  ASSERT_NE(connection, nullptr);
  connection->Handshake();
  ASSERT_EQ(connection->client.last, IoResult::kDone) << connection->client.channel->ErrorText();
  ASSERT_EQ(connection->server.last, IoResult::kDone) << connection->server.channel->ErrorText();
  EXPECT_FALSE(connection->client.channel->Resumed());
  EXPECT_EQ(NegotiatedTlsVersion(*connection->client.channel), "TLSv1.3");

  std::string request = "OPTIONS sip:127.0.0.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(Transfer(connection->client, connection->server, request), request);
  EXPECT_EQ(Transfer(connection->server, connection->client, request), request);
  std::string bulk = Pattern(1 << 20);  // more than the socket buffers: partial writes
  EXPECT_EQ(Transfer(connection->client, connection->server, bulk), bulk);
  EXPECT_EQ(Transfer(connection->server, connection->client, bulk), bulk);
}

TEST_F(TlsContextTest, PeerCloseIsClosed) {
  auto client_context = MakeContext(ClientOptions(), Role::kClient);
  auto server_context = MakeContext(ServerOptions(), Role::kServer);
  ASSERT_TRUE(client_context && server_context);
  auto connection = Connect(*client_context, *server_context);
  ASSERT_NE(connection, nullptr);
  connection->Handshake();
  ASSERT_EQ(connection->server.last, IoResult::kDone);
  // The client reads first: unread bytes (TLS 1.3 tickets) would make close() send a RST.
  EXPECT_EQ(Transfer(connection->server, connection->client, "bye"), "bye");
  connection->client.channel.reset();
  close(connection->client.fd);
  connection->client.fd = -1;
  EXPECT_EQ(ReadUntilFailure(connection->server), IoResult::kClosed)
      << connection->server.channel->ErrorText();
}

TEST_F(TlsContextTest, WrongCaFailsVerification) {
  TlsOptions client_options = ClientOptions();
  client_options.ca_file = files_.other_ca;
  auto client_context = MakeContext(client_options, Role::kClient);
  auto server_context = MakeContext(ServerOptions(), Role::kServer);
  ASSERT_TRUE(client_context && server_context);
  auto connection = Connect(*client_context, *server_context);
  ASSERT_NE(connection, nullptr);
  connection->Handshake();
  const SecureChannel& client = *connection->client.channel;
  EXPECT_EQ(connection->client.last, IoResult::kError);
  EXPECT_TRUE(client.VerifyFailed());
  EXPECT_THAT(client.ErrorText(),
              HasSubstr("certificate verify failed: unable to get local issuer certificate"));
  EXPECT_EQ(connection->server.last, IoResult::kError);
  EXPECT_FALSE(connection->server.channel->VerifyFailed());
  EXPECT_THAT(connection->server.channel->ErrorText(), HasSubstr("unknown ca"));
}

TEST_F(TlsContextTest, NoVerificationWithoutCaFile) {
  TlsOptions client_options = ClientOptions();
  client_options.ca_file.clear();
  client_options.cert_given = false;
  client_options.cert_file = Missing("cacert.pem");
  client_options.key_file = Missing("cakey.pem");
  TlsOptions server_options = ServerOptions();
  server_options.ca_file.clear();
  auto client_context = MakeContext(client_options, Role::kClient);
  auto server_context = MakeContext(server_options, Role::kServer);
  ASSERT_TRUE(client_context && server_context);
  auto connection = Connect(*client_context, *server_context);
  ASSERT_NE(connection, nullptr);
  connection->Handshake();
  EXPECT_EQ(connection->client.last, IoResult::kDone) << connection->client.channel->ErrorText();
  EXPECT_EQ(connection->server.last, IoResult::kDone) << connection->server.channel->ErrorText();
}

TEST_F(TlsContextTest, ServerMissingCertificateNamesTheFile) {
  TlsOptions options = ServerOptions();
  options.cert_file = Missing("cacert.pem");
  absl::StatusOr<std::unique_ptr<TlsContext>> context = TlsContext::Create(options, Role::kServer);
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(context.status().message()),
              HasSubstr("TLS: cannot load certificate '" + options.cert_file +
                        "': No such file or directory"));
}

TEST_F(TlsContextTest, ServerMissingKeyNamesTheFile) {
  TlsOptions options = ServerOptions();
  options.key_file = Missing("cakey.pem");
  absl::StatusOr<std::unique_ptr<TlsContext>> context = TlsContext::Create(options, Role::kServer);
  ASSERT_FALSE(context.ok());
  EXPECT_THAT(std::string(context.status().message()),
              HasSubstr("cannot load private key '" + options.key_file + "'"));
}

TEST_F(TlsContextTest, MismatchedKeyIsAnError) {
  TlsOptions options = ServerOptions();
  options.key_file = files_.client_key;
  absl::StatusOr<std::unique_ptr<TlsContext>> context = TlsContext::Create(options, Role::kServer);
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(context.status().message()),
              HasSubstr("cannot load private key '" + options.key_file + "': key values mismatch"));
}

TEST_F(TlsContextTest, BadCaAndCrlFilesAreErrors) {
  TlsOptions options = ServerOptions();
  options.ca_file = Missing("ca.pem");
  EXPECT_THAT(std::string(TlsContext::Create(options, Role::kServer).status().message()),
              HasSubstr("cannot load CA file '" + options.ca_file + "'"));
  options = ServerOptions();
  options.crl_file = files_.server_key;  // no CRL in it
  EXPECT_THAT(std::string(TlsContext::Create(options, Role::kServer).status().message()),
              HasSubstr("cannot load CRL file '" + options.crl_file + "'"));
}

TEST_F(TlsContextTest, UnknownVersionIsInvalidArgument) {
  TlsOptions options = ServerOptions();
  options.version = "1.4";
  EXPECT_EQ(TlsContext::Create(options, Role::kServer).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsContextTest, ClientCertificateFiles) {
  TlsOptions options = ClientOptions();
  options.cert_file = Missing("client.pem");
  EXPECT_FALSE(TlsContext::Create(options, Role::kClient).ok());  // typed but missing
  options.cert_given = false;
  options.key_file = Missing("client-key.pem");
  EXPECT_TRUE(TlsContext::Create(options, Role::kClient).ok());  // defaults absent: none
}

TEST_F(TlsContextTest, ClientUsesDefaultFilesWhenPresent) {
  TlsOptions client_options = ClientOptions();
  client_options.cert_given = false;  // default names, but both exist
  auto client_context = MakeContext(client_options, Role::kClient);
  auto server_context = MakeContext(ServerOptions(), Role::kServer);
  ASSERT_TRUE(client_context && server_context);
  auto connection = Connect(*client_context, *server_context);
  ASSERT_NE(connection, nullptr);
  connection->Handshake();
  EXPECT_EQ(connection->server.last, IoResult::kDone) << connection->server.channel->ErrorText();
}

TEST_F(TlsContextTest, ServerRejectsClientWithoutCertificate) {
  TlsOptions client_options = ClientOptions();
  client_options.cert_given = false;
  client_options.cert_file = Missing("cacert.pem");
  client_options.key_file = Missing("cakey.pem");
  auto client_context = MakeContext(client_options, Role::kClient);
  auto server_context = MakeContext(ServerOptions(), Role::kServer);
  ASSERT_TRUE(client_context && server_context);
  auto connection = Connect(*client_context, *server_context);
  ASSERT_NE(connection, nullptr);
  connection->Handshake();
  EXPECT_EQ(connection->server.last, IoResult::kError);
  EXPECT_THAT(connection->server.channel->ErrorText(), HasSubstr("did not return a certificate"));
  // TLS 1.3 clients finish first and learn of the rejection on their next read.
  if (connection->client.last == IoResult::kDone) ReadUntilFailure(connection->client);
  EXPECT_EQ(connection->client.last, IoResult::kError);
  EXPECT_FALSE(connection->client.channel->VerifyFailed());
}

TEST_F(TlsContextTest, RevokedClientCertificateFailsVerification) {
  TlsOptions server_options = ServerOptions();
  server_options.crl_file = files_.crl;
  auto server_context = MakeContext(server_options, Role::kServer);
  TlsOptions client_options = ClientOptions();
  client_options.cert_file = files_.revoked_client_cert;
  client_options.key_file = files_.revoked_client_key;
  auto revoked_context = MakeContext(client_options, Role::kClient);
  auto good_context = MakeContext(ClientOptions(), Role::kClient);
  ASSERT_TRUE(server_context && revoked_context && good_context);

  auto revoked = Connect(*revoked_context, *server_context);
  ASSERT_NE(revoked, nullptr);
  revoked->Handshake();
  EXPECT_EQ(revoked->server.last, IoResult::kError);
  EXPECT_TRUE(revoked->server.channel->VerifyFailed());
  EXPECT_THAT(revoked->server.channel->ErrorText(),
              HasSubstr("certificate verify failed: certificate revoked"));

  auto good = Connect(*good_context, *server_context);
  ASSERT_NE(good, nullptr);
  good->Handshake();
  EXPECT_EQ(good->server.last, IoResult::kDone) << good->server.channel->ErrorText();
}

struct VersionCase {
  const char* option;
  const char* negotiated;
};

class TlsVersionTest : public TlsContextTest, public ::testing::WithParamInterface<VersionCase> {};

TEST_P(TlsVersionTest, PinnedVersionOnBothEnds) {
  TlsOptions client_options = ClientOptions();
  TlsOptions server_options = ServerOptions();
  client_options.version = server_options.version = GetParam().option;
  auto client_context = MakeContext(client_options, Role::kClient);
  auto server_context = MakeContext(server_options, Role::kServer);
  ASSERT_TRUE(client_context && server_context);
  auto connection = Connect(*client_context, *server_context);
  ASSERT_NE(connection, nullptr);
  connection->Handshake();
  ASSERT_EQ(connection->client.last, IoResult::kDone) << connection->client.channel->ErrorText();
  ASSERT_EQ(connection->server.last, IoResult::kDone) << connection->server.channel->ErrorText();
  EXPECT_EQ(NegotiatedTlsVersion(*connection->client.channel), GetParam().negotiated);
  EXPECT_EQ(NegotiatedTlsVersion(*connection->server.channel), GetParam().negotiated);
  std::string message = "ping";
  EXPECT_EQ(Transfer(connection->client, connection->server, message), message);
}

INSTANTIATE_TEST_SUITE_P(Versions, TlsVersionTest,
                         ::testing::Values(VersionCase{"1.0", "TLSv1"},
                                           VersionCase{"1.1", "TLSv1.1"},
                                           VersionCase{"1.2", "TLSv1.2"},
                                           VersionCase{"1.3", "TLSv1.3"}),
                         [](const auto& info) {
                           return std::string("V") + info.param.option[0] + info.param.option[2];
                         });

TEST_F(TlsContextTest, Tls13ClientFailsAgainstTls12Server) {
  TlsOptions client_options = ClientOptions();
  client_options.version = "1.3";
  TlsOptions server_options = ServerOptions();
  server_options.version = "1.2";
  auto client_context = MakeContext(client_options, Role::kClient);
  auto server_context = MakeContext(server_options, Role::kServer);
  ASSERT_TRUE(client_context && server_context);
  auto connection = Connect(*client_context, *server_context);
  ASSERT_NE(connection, nullptr);
  connection->Handshake();
  EXPECT_EQ(connection->client.last, IoResult::kError);
  EXPECT_EQ(connection->server.last, IoResult::kError);
  EXPECT_FALSE(connection->client.channel->VerifyFailed());
  EXPECT_THAT(connection->client.channel->ErrorText(), HasSubstr("protocol version"));
  EXPECT_THAT(connection->server.channel->ErrorText(), HasSubstr("unsupported protocol"));
}

class TlsResumptionTest : public TlsContextTest,
                          public ::testing::WithParamInterface<const char*> {};

TEST_P(TlsResumptionTest, LaterConnectionsResume) {
  TlsOptions client_options = ClientOptions();
  TlsOptions server_options = ServerOptions();
  client_options.version = server_options.version = GetParam();
  auto client_context = MakeContext(client_options, Role::kClient);
  auto server_context = MakeContext(server_options, Role::kServer);
  ASSERT_TRUE(client_context && server_context);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    auto connection = Connect(*client_context, *server_context);
    ASSERT_NE(connection, nullptr);
    connection->Handshake();
    ASSERT_EQ(connection->client.last, IoResult::kDone) << connection->client.channel->ErrorText();
    ASSERT_EQ(connection->server.last, IoResult::kDone) << connection->server.channel->ErrorText();
    EXPECT_EQ(connection->client.channel->Resumed(), i > 0);
    EXPECT_EQ(connection->server.channel->Resumed(), i > 0);
    // The client's read also takes in the TLS 1.3 session tickets.
    std::string message = "INVITE";
    EXPECT_EQ(Transfer(connection->client, connection->server, message), message);
    EXPECT_EQ(Transfer(connection->server, connection->client, message), message);
  }
}

// Contexts are shared by worker threads: each thread runs its own
// connections (NewChannel, session callback and store run concurrently).
TEST_P(TlsResumptionTest, ContextsSharedByThreads) {
  TlsOptions client_options = ClientOptions();
  TlsOptions server_options = ServerOptions();
  client_options.version = server_options.version = GetParam();
  auto client_context = MakeContext(client_options, Role::kClient);
  auto server_context = MakeContext(server_options, Role::kServer);
  ASSERT_TRUE(client_context && server_context);
  constexpr int kThreads = 4;
  constexpr int kConnectionsPerThread = 10;
  std::vector<int> resumed(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kConnectionsPerThread; ++i) {
        auto connection = Connect(*client_context, *server_context);
        if (connection == nullptr) return;
        connection->Handshake();
        EXPECT_EQ(connection->client.last, IoResult::kDone);
        EXPECT_EQ(connection->server.last, IoResult::kDone);
        EXPECT_EQ(Transfer(connection->server, connection->client, "200 OK"), "200 OK");
        resumed[t] += connection->client.channel->Resumed() ? 1 : 0;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  // Only connections that started before any session existed do a full handshake.
  int total = 0;
  for (int count : resumed) total += count;
  EXPECT_GE(total, kThreads * (kConnectionsPerThread - 1));
}

INSTANTIATE_TEST_SUITE_P(Versions, TlsResumptionTest, ::testing::Values("", "1.2"),
                         [](const auto& info) {
                           return std::string(*info.param ? "Tls12" : "Negotiated");
                         });

}  // namespace
}  // namespace sipfleet::tls
