#include "common/cluster/credentials.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/tls/test_ca.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::cluster {
namespace {

using ::testing::HasSubstr;

// A fresh test PKI in a temporary directory, removed afterwards.
class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/credentials_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    absl::StatusOr<tls::testing::TestCaFiles> files = tls::testing::WriteTestCaFiles(dir_);
    ASSERT_TRUE(files.ok()) << files.status();
    files_ = *files;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ControlTlsOptions ServerTls() const {
    return {files_.ca, files_.server_cert, files_.server_key, ""};
  }

  std::string dir_;
  tls::testing::TestCaFiles files_;
};

TEST(IsLoopbackHostPortTest, RecognisesLoopbackForms) {
  EXPECT_TRUE(IsLoopbackHostPort("127.0.0.1:7700"));
  EXPECT_TRUE(IsLoopbackHostPort("127.1.2.3:1"));
  EXPECT_TRUE(IsLoopbackHostPort("localhost:7700"));
  EXPECT_TRUE(IsLoopbackHostPort("[::1]:7700"));
  EXPECT_TRUE(IsLoopbackHostPort("::1"));
  EXPECT_FALSE(IsLoopbackHostPort("0.0.0.0:7700"));
  EXPECT_FALSE(IsLoopbackHostPort("[::]:7700"));
  EXPECT_FALSE(IsLoopbackHostPort("10.0.0.1:7700"));
  EXPECT_FALSE(IsLoopbackHostPort("128.0.0.1:7700"));
  EXPECT_FALSE(IsLoopbackHostPort("localhost.example.com:7700"));
}

TEST(ResolveControlSecurityTest, PlainTextOnLoopbackOnly) {
  absl::StatusOr<ControlSecurity> loopback = ResolveControlSecurity("127.0.0.1:7700", {}, false);
  ASSERT_TRUE(loopback.ok());
  EXPECT_TRUE(loopback->plaintext);
  absl::StatusOr<ControlSecurity> remote = ResolveControlSecurity("0.0.0.0:7700", {}, false);
  ASSERT_FALSE(remote.ok());
  EXPECT_EQ(remote.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(remote.status().message(), HasSubstr("off loopback"));
  EXPECT_THAT(remote.status().message(), HasSubstr("-ctl_tls_ca"));
  EXPECT_THAT(remote.status().message(), HasSubstr("-allow_plaintext"));
  absl::StatusOr<ControlSecurity> allowed = ResolveControlSecurity("10.0.0.1:7700", {}, true);
  ASSERT_TRUE(allowed.ok());
  EXPECT_TRUE(allowed->plaintext);
}

TEST_F(CredentialsTest, LoadsMatchingFilesForMutualTls) {
  absl::StatusOr<ControlSecurity> security = ResolveControlSecurity("10.0.0.1:7700", ServerTls(), false);
  ASSERT_TRUE(security.ok()) << security.status();
  EXPECT_FALSE(security->plaintext);
  EXPECT_THAT(security->material.ca_pem, HasSubstr("BEGIN CERTIFICATE"));
  EXPECT_THAT(security->description, HasSubstr("CN="));
  EXPECT_NE(MakeServerCredentials(*security), nullptr);
  EXPECT_NE(MakeChannelCredentials(*security), nullptr);
  EXPECT_TRUE(ChannelSecurityArgs(*security).empty());
}

TEST_F(CredentialsTest, RefusesPartialSetNamingTheMissingOption) {
  ControlTlsOptions tls = ServerTls();
  tls.key_file.clear();
  absl::StatusOr<ControlSecurity> security = ResolveControlSecurity("127.0.0.1:1", tls, false);
  ASSERT_FALSE(security.ok());
  EXPECT_THAT(security.status().message(), HasSubstr("-ctl_tls_key is missing"));
}

TEST_F(CredentialsTest, RefusesKeyOfAnotherCertificate) {
  ControlTlsOptions tls = ServerTls();
  tls.key_file = files_.client_key;
  absl::StatusOr<ControlSecurity> security = ResolveControlSecurity("127.0.0.1:1", tls, false);
  ASSERT_FALSE(security.ok());
  EXPECT_EQ(security.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(security.status().message(), HasSubstr("does not match the certificate"));
}

TEST_F(CredentialsTest, RefusesUnreadableAndNonPemFiles) {
  ControlTlsOptions tls = ServerTls();
  tls.ca_file = dir_ + "/absent.pem";
  absl::StatusOr<ControlSecurity> missing = ResolveControlSecurity("127.0.0.1:1", tls, false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("-ctl_tls_ca"));
  tls = ServerTls();
  tls.cert_file = files_.server_key;  // a key, not a certificate
  absl::StatusOr<ControlSecurity> not_cert = ResolveControlSecurity("127.0.0.1:1", tls, false);
  ASSERT_FALSE(not_cert.ok());
  EXPECT_THAT(not_cert.status().message(), HasSubstr("no PEM certificate"));
}

TEST_F(CredentialsTest, ServerNameBecomesTargetOverride) {
  ControlTlsOptions tls{files_.ca, files_.client_cert, files_.client_key, "localhost"};
  absl::StatusOr<ControlSecurity> security = ResolveControlSecurity("10.0.0.1:7700", tls, false);
  ASSERT_TRUE(security.ok()) << security.status();
  ASSERT_EQ(ChannelSecurityArgs(*security).size(), 1u);
  EXPECT_EQ(ChannelSecurityArgs(*security)[0].second, "localhost");
}

TEST(ControlTlsOptionTableTest, TakesOptionsWithValues) {
  std::vector<std::string> args = {"prog", "-ctl_tls_ca", "ca.pem", "-r", "10",
                                   "-ctl_tls_server_name", "m1", "-ctl_tls_key"};
  const cli::OptionTable<ControlTlsOptions> master = ControlTlsOptionTable(false);
  const cli::OptionTable<ControlTlsOptions> agent = ControlTlsOptionTable(true);
  ControlTlsOptions tls;
  size_t i = 1;
  EXPECT_EQ(*master.Take(args, &i, tls), true);
  EXPECT_EQ(i, 2u);
  EXPECT_EQ(tls.ca_file, "ca.pem");
  i = 3;
  EXPECT_EQ(*master.Take(args, &i, tls), false);
  i = 5;
  EXPECT_EQ(*master.Take(args, &i, tls), false);  // agent-only option
  EXPECT_EQ(*agent.Take(args, &i, tls), true);
  EXPECT_EQ(tls.server_name, "m1");
  i = 7;
  absl::StatusOr<bool> missing = master.Take(args, &i, tls);
  EXPECT_EQ(missing.status().message(), "option -ctl_tls_key needs 1 value");
  EXPECT_NE(agent.Help().find("  -ctl_tls_server_name NAME\n"), std::string::npos) << agent.Help();
  EXPECT_EQ(master.Help().find("ctl_tls_server_name"), std::string::npos);
}

}  // namespace
}  // namespace sipfleet::cluster
