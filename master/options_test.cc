#include "master/options.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "master/master.h"

namespace sipfleet::master {
namespace {

absl::StatusOr<MasterOptions> Parse(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"sipfleet-master"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ParseMasterCommandLine(argv);
}

TEST(MasterOptionsTest, ClusterOptionsAreTakenAndTheRestIsSipps) {
  absl::StatusOr<MasterOptions> o =
      Parse({"-listen", "127.0.0.1:0", "-agents", "a,b,c", "-uas_agents", "c", "-r", "50",
             "-weights", "a=2,b=1", "-failure_policy", "continue", "-late_join", "share",
             "-late_slots", "2", "-uas_args", "-trace_msg  -aa", "-twins", "a=b",
             "-agent_args", "c=-slave s1 -key k v", "-ctl_tls_ca", "ca.pem",
             "-allow_plaintext", "127.0.0.1:5060"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->listen, "127.0.0.1:0");
  EXPECT_EQ(o->agent_names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(o->uas_agents, std::vector<std::string>{"c"});
  ASSERT_EQ(o->weights.size(), 2u);
  EXPECT_EQ(o->weights[0].second, 2u);
  EXPECT_EQ(o->failure_policy, MasterOptions::FailurePolicy::kContinue);
  EXPECT_EQ(o->late_join, MasterOptions::LateJoin::kShare);
  EXPECT_EQ(o->late_slots, 2u);
  EXPECT_EQ(o->uas_args, (std::vector<std::string>{"-trace_msg", "-aa"}));
  ASSERT_EQ(o->twins.size(), 1u);
  EXPECT_EQ(o->twins[0].second, "b");
  // -slave NAME inside -agent_args names the agent's 3PCC instance.
  ASSERT_EQ(o->instances.size(), 1u);
  EXPECT_EQ(o->instances[0].second, "s1");
  ASSERT_EQ(o->agent_args.size(), 1u);
  EXPECT_EQ(o->agent_args[0].second, (std::vector<std::string>{"-key", "k", "v"}));
  EXPECT_EQ(o->ctl_tls.ca_file, "ca.pem");
  EXPECT_TRUE(o->allow_plaintext_remote);
  EXPECT_EQ(o->sipp_args, (std::vector<std::string>{"-r", "50", "127.0.0.1:5060"}));
}

TEST(MasterOptionsTest, TimesAreSecondsOrTakeSippSuffixes) {
  absl::StatusOr<MasterOptions> o =
      Parse({"-agents", "2", "-lost_after", "2.5", "-lease", "1500ms", "-agent_wait", "1m",
             "-max_skew", "0.02", "-start_delay", "300ms", "-prepare_wait", "2m"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->agent_count, 2);
  EXPECT_EQ(o->lost_after_ms, 2500);
  EXPECT_EQ(o->lease_ms, 1500);
  EXPECT_EQ(o->agent_wait_ms, 60000);
  EXPECT_EQ(o->max_skew_ms, 20);
  EXPECT_EQ(o->start_delay_ms, 300);
  EXPECT_EQ(o->prepare_wait_ms, 120000);
}

TEST(MasterOptionsTest, RefusalsNameTheOption) {
  EXPECT_EQ(Parse({"-agents"}).status().message(), "option -agents needs 1 value");
  EXPECT_EQ(Parse({"-agents", "0"}).status().message(), "-agents: at least one agent");
  EXPECT_EQ(Parse({"-agents", "a,a"}).status().message(), "-agents: 'a' named twice");
  EXPECT_EQ(Parse({"-weights", "a=0"}).status().message(), "-weights: 'a=0' is not name=N, N >= 1");
  EXPECT_EQ(Parse({"-failure_policy", "retry"}).status().message(),
            "-failure_policy: invalid value 'retry': abort or continue expected");
  EXPECT_EQ(Parse({"-lease", "soon"}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Parse({"-uas_bind", "a"}).status().message(), "-uas_bind: 'a' is not name=ip:port");
  EXPECT_EQ(Parse({"-agents", "a", "-uas_agents", "b"}).status().message(),
            "-uas_agents: 'b' is not in -agents");
  EXPECT_EQ(Parse({"-agent_args", "a=-3pcc 1.2.3.4:5"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // SIPp's options are refused as sipfleet refuses them.
  EXPECT_EQ(Parse({"-agents", "2", "-rsa", "x"}).status().message(),
            "option -rsa is not supported yet");
}

TEST(MasterOptionsTest, MisspeltOptionsAreSuggestedAmongClusterAndSippNames) {
  EXPECT_EQ(Parse({"-agnets", "2"}).status().message(),
            "unknown option -agnets; did you mean -agents?");
  EXPECT_EQ(Parse({"-agents", "2", "-trace_stats"}).status().message(),
            "unknown option -trace_stats; did you mean -trace_stat?");
}

TEST(MasterOptionsTest, HelpListsEveryClusterOption) {
  const std::string help = HelpText();
  for (const char* option : {"-listen host:port", "-agents N|a,b,c",
                             "-failure_policy abort|continue", "-late_slots N", "-twins a=b,...",
                             "-ctl_tls_key FILE", "-allow_plaintext"}) {
    EXPECT_NE(help.find(std::string("  ") + option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace sipfleet::master
