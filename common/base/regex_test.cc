#include "common/base/regex.h"

#include <string>

#include "gtest/gtest.h"

namespace sipfleet::base {
namespace {

TEST(RegexTest, CompilesWhatScenariosUse) {
  for (const char* pattern : {"username=\"([a-z]+)\"", "^(.*)$", ".+?", "[0-9]{1,5}",
                              "(a{100}){100}", "Via: .*branch=([^;]*)", "[]+]+", "\\++"}) {
    EXPECT_TRUE(Regex::Compile(pattern, false, false).ok()) << pattern;
  }
}

// glibc's regcomp copies a repeated atom per repetition: stacked or nested
// repetitions multiply and would take gigabytes (a fuzzer's 130 stacked +).
TEST(RegexTest, RefusesRepetitionsThatMultiplyPastTheLimit) {
  std::string stacked = "expires=([0-9]" + std::string(130, '+') + ")";
  for (const std::string& pattern :
       {stacked, std::string("((a{100}){100}){2}"), std::string("(x{20000})"),
        std::string("(a~") + std::string(40, '+')}) {  // an unclosed group
    absl::StatusOr<std::shared_ptr<const Regex>> regex = Regex::Compile(pattern, false, false);
    ASSERT_FALSE(regex.ok()) << pattern;
    EXPECT_NE(regex.status().message().find("too complex"), std::string::npos)
        << regex.status().message();
  }
  std::vector<Regex::Span> groups;
  auto fine = Regex::Compile("a+b+c+d+", false, false);
  ASSERT_TRUE(fine.ok());
  EXPECT_TRUE((*fine)->Search("xaabcd", &groups));
}

}  // namespace
}  // namespace sipfleet::base
