#include "agent/agent_options.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sipfleet::agent {
namespace {

absl::StatusOr<AgentCommandLine> Parse(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"sipfleet-agent"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ParseAgentCommandLine(argv);
}

TEST(AgentOptionsTest, TakesItsOptionsAndTimeSuffixes) {
  absl::StatusOr<AgentCommandLine> c =
      Parse({"-master", "127.0.0.1:7700", "-name", "uac1", "-lease", "1", "-drain", "500ms",
             "-allow_exec", "-ctl_tls_server_name", "m1", "-allow_plaintext"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->options.master, "127.0.0.1:7700");
  EXPECT_EQ(c->options.name, "uac1");
  EXPECT_EQ(c->options.lease_ms, 1000);
  EXPECT_EQ(c->options.drain_limit_ms, 500);
  EXPECT_TRUE(c->options.allow_exec);
  EXPECT_EQ(c->options.ctl_tls.server_name, "m1");
  EXPECT_TRUE(c->options.allow_plaintext_remote);
  EXPECT_FALSE(c->help);
  EXPECT_TRUE(Parse({"-h"})->help);
  EXPECT_TRUE(Parse({"--help"})->help);
}

TEST(AgentOptionsTest, RefusalsNameTheOption) {
  EXPECT_EQ(Parse({"-master", "m:1"}).status().message(),
            "-master and -name are required (-h for help)");
  EXPECT_EQ(Parse({"-master"}).status().message(), "option -master needs 1 value");
  EXPECT_EQ(Parse({"-master", "m:1", "-name", "a", "-lease", "0"}).status().message(),
            "-lease: invalid value '0': a time above 0 is expected");
  EXPECT_EQ(Parse({"-master", "m:1", "-nam", "a"}).status().message(),
            "unknown option -nam; did you mean -name?");
  EXPECT_EQ(Parse({"stray"}).status().message(), "unexpected argument 'stray' (-h for help)");
}

TEST(AgentOptionsTest, HelpListsEveryOption) {
  const std::string help = AgentHelpText();
  for (const char* option : {"-master host:port", "-name NAME", "-lease SECONDS",
                             "-drain SECONDS", "-allow_exec", "-ctl_tls_server_name NAME",
                             "-allow_plaintext", "-h"}) {
    EXPECT_NE(help.find(std::string("  ") + option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace sipfleet::agent
