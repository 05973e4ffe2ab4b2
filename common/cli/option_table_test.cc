#include "common/cli/option_table.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sipfleet::cli {
namespace {

struct Inner {
  std::string file;
};

struct Settings {
  bool quiet = false;
  int64_t wait_ms = 0;
  uint32_t count = 1;
  enum class Mode { kA, kB } mode = Mode::kA;
  Inner inner;
};

OptionTable<Settings> MakeTable() {
  OptionTable<Settings> table = {
      {"quiet", Flag(&Settings::quiet).Doc("", "say less")},
      {"wait", Time(&Settings::wait_ms, base::TimeUnit::kSeconds).Doc("SECONDS", "wait this long")},
      {"count", Integer(&Settings::count, uint32_t{1})},
      {"mode", Choice(&Settings::mode, {{"a", Settings::Mode::kA}, {"b", Settings::Mode::kB}})
                   .Doc("a|b", "first line\nsecond line")},
  };
  OptionTable<Inner> inner = {{"file", String(&Inner::file)}};
  table.Embed(&Settings::inner, inner);
  return table;
}

absl::StatusOr<Settings> Parse(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"prog"};
  argv.insert(argv.end(), args.begin(), args.end());
  Settings settings;
  const OptionTable<Settings> table = MakeTable();
  for (size_t i = 1; i < argv.size(); ++i) {
    absl::StatusOr<bool> taken = table.Take(argv, &i, settings);
    if (!taken.ok()) return taken.status();
    if (!*taken) return UnknownOption(std::string_view(argv[i]).substr(1), table.Names());
  }
  return settings;
}

TEST(OptionTableTest, TakesValuesWithSippTimeSuffixesAndEmbeddedTables) {
  absl::StatusOr<Settings> s = Parse({"-quiet", "-wait", "1.5", "-mode", "b", "-file", "x.pem"});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->quiet);
  EXPECT_EQ(s->wait_ms, 1500);
  EXPECT_EQ(s->mode, Settings::Mode::kB);
  EXPECT_EQ(s->inner.file, "x.pem");
  EXPECT_EQ(Parse({"-wait", "250ms"})->wait_ms, 250);
  EXPECT_EQ(Parse({"-wait", "2m"})->wait_ms, 120000);
}

TEST(OptionTableTest, RefusalsNameTheOption) {
  EXPECT_EQ(Parse({"-wait"}).status().message(), "option -wait needs 1 value");
  EXPECT_EQ(Parse({"-mode", "c"}).status().message(), "-mode: invalid value 'c': a or b expected");
  EXPECT_EQ(Parse({"-count", "0"}).status().message(),
            "-count: invalid value '0': a whole number from 1 to 4294967295 is expected");
  EXPECT_EQ(Parse({"-wait", "soon"}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Parse({"-quiett"}).status().message(), "unknown option -quiett; did you mean -quiet?");
}

TEST(OptionTableTest, HelpLinesStartAtOneColumn) {
  EXPECT_EQ(MakeTable().Help(),
            "  -quiet                say less\n"
            "  -wait SECONDS         wait this long\n"
            "  -mode a|b             first line\n"
            "                        second line\n");
  EXPECT_EQ(HelpLines("a_rather_long_option", "VALUE", "text"),
            "  -a_rather_long_option VALUE\n"
            "                        text\n");
}

}  // namespace
}  // namespace sipfleet::cli
