#include "common/injection/injection_file.h"

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::injection {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::shared_ptr<InjectionFile> MustParse(std::string_view text) {
  absl::StatusOr<std::shared_ptr<InjectionFile>> file = InjectionFile::Parse(text, "test.csv");
  EXPECT_TRUE(file.ok()) << file.status();
  return file.ok() ? *file : nullptr;
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// Field `field` of `line`, or "<none>" when AppendField returns false.
std::string Field(const InjectionFile& file, size_t line, int field) {
  std::string out;
  return file.AppendField(line, field, &out) ? out : "<none>";
}

std::string WriteTempFile(const std::string& name, const std::string& contents) {
  std::string path = testing::TempDir() + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr);
  std::fwrite(contents.data(), 1, contents.size(), f);
  std::fclose(f);
  return path;
}

constexpr char kUsers[] = "SEQUENTIAL\nSarah;sipphone32\nBob;sipphone12\nFred;sipphone94\n";

TEST(InjectionFileTest, SequentialCyclesFromTheFirstLine) {
  auto file = MustParse(kUsers);
  EXPECT_EQ(file->order(), Order::kSequential);
  EXPECT_EQ(file->path(), "test.csv");
  ASSERT_EQ(file->line_count(), 3u);
  std::vector<size_t> lines;
  for (uint64_t call = 1; call <= 7; ++call) lines.push_back(file->LineForCall(call, 99, 12345));
  EXPECT_EQ(lines, (std::vector<size_t>{0, 1, 2, 0, 1, 2, 0}));
  EXPECT_EQ(file->LineForCall(0, 0, 0), 0u);  // 0 treated as 1
  EXPECT_EQ(Field(*file, 1, 0), "Bob");
  EXPECT_EQ(Field(*file, 2, 1), "sipphone94");
  EXPECT_EQ(file->max_fields(), 2);
}

TEST(InjectionFileTest, RandomTakesTheRandomValueModuloLines) {
  auto file = MustParse("RANDOM\na\nb\nc\n");
  EXPECT_EQ(file->order(), Order::kRandom);
  EXPECT_EQ(file->LineForCall(1, 0, 0), 0u);
  EXPECT_EQ(file->LineForCall(1, 0, 4), 1u);
  EXPECT_EQ(file->LineForCall(1, 0, ~uint64_t{0}), (~uint64_t{0}) % 3);
}

TEST(InjectionFileTest, UserMapsOneBasedUserIdsToLines) {
  auto file = MustParse("USER\nu1\nu2\nu3\n");
  EXPECT_EQ(file->order(), Order::kUser);
  EXPECT_EQ(file->LineForCall(50, 1, 7), 0u);
  EXPECT_EQ(file->LineForCall(50, 3, 7), 2u);
  EXPECT_EQ(file->LineForCall(50, 4, 7), 0u);  // SIPp would exit; see CheckUsers
  EXPECT_EQ(file->LineForCall(50, 0, 7), InjectionFile::kNoLine);
  EXPECT_EQ(Field(*file, InjectionFile::kNoLine, 0), "<none>");
  EXPECT_TRUE(file->CheckUsers(3).ok());
  absl::Status too_many = file->CheckUsers(4);
  EXPECT_THAT(Message(too_many), HasSubstr("test.csv has only 3 lines, yet -users 4"));
  EXPECT_TRUE(MustParse(kUsers)->CheckUsers(1000).ok());
}

TEST(InjectionFileTest, OrderWordIsFoundAnywhereInTheFirstLine) {
  EXPECT_EQ(MustParse("  SEQUENTIAL;\nx\n")->order(), Order::kSequential);
  EXPECT_EQ(MustParse("USER,RANDOM\nx\n")->order(), Order::kRandom);  // RANDOM first
  absl::StatusOr<std::shared_ptr<InjectionFile>> lower = InjectionFile::Parse("sequential\nx\n", "a.csv");
  EXPECT_THAT(Message(lower.status()), StartsWith("a.csv:1: unknown order"));
}

TEST(InjectionFileTest, HashCommentsAreSkippedAndABlankLineEndsTheData) {
  auto file = MustParse(
      "SEQUENTIAL\n#This line will be ignored\nSarah;a\n #not a comment\n//nor this\n"
      "\nLost;1\n#x\nLost;2\n");
  ASSERT_EQ(file->line_count(), 3u);
  EXPECT_EQ(Field(*file, 0, 0), "Sarah");
  EXPECT_EQ(Field(*file, 1, 0), " #not a comment");
  EXPECT_EQ(Field(*file, 2, 0), "//nor this");
  ASSERT_EQ(file->warnings().size(), 1u);
  EXPECT_EQ(file->warnings()[0],
            "test.csv:6: blank line: the 2 data line(s) after it are ignored, as SIPp does");
  EXPECT_TRUE(MustParse(kUsers)->warnings().empty());
}

TEST(InjectionFileTest, BlankLineBeforeAnyDataIsAnError) {
  auto file = InjectionFile::Parse("SEQUENTIAL\n#c\n\na;b\n", "a.csv");
  EXPECT_EQ(Message(file.status()),
            "a.csv:3: blank line before any data line (SIPp stops reading at a blank line)");
  auto only_header = InjectionFile::Parse("SEQUENTIAL\n#c\n", "a.csv");
  EXPECT_EQ(Message(only_header.status()), "a.csv: no data line after the first line");
}

TEST(InjectionFileTest, CrlfLineEndingsAreStripped) {
  auto file = MustParse("SEQUENTIAL\r\nA;B\r\n#c\r\nC;D\r\n\r\nE;F\r\n");
  ASSERT_EQ(file->line_count(), 2u);  // "\r\n" alone is a blank line
  EXPECT_EQ(Field(*file, 0, 1), "B");
  EXPECT_EQ(Field(*file, 1, 1), "D");
}

TEST(InjectionFileTest, LastLineWithoutNewlineIsARecord) {
  auto file = MustParse("SEQUENTIAL\nA;B\nC;D");
  ASSERT_EQ(file->line_count(), 2u);
  EXPECT_EQ(Field(*file, 1, 1), "D");
}

TEST(InjectionFileTest, FieldsAreVerbatim) {
  auto file = MustParse(
      "SEQUENTIAL\nUser0001;[authentication username=joe password=schmo]; spaced ;\"q\"\n");
  EXPECT_EQ(Field(*file, 0, 1), "[authentication username=joe password=schmo]");
  EXPECT_EQ(Field(*file, 0, 2), " spaced ");
  EXPECT_EQ(Field(*file, 0, 3), "\"q\"");
}

TEST(InjectionFileTest, FieldBeyondTheLineIsAbsent) {
  auto file = MustParse("SEQUENTIAL\na;b\nc;d;\ne\n");
  EXPECT_EQ(Field(*file, 0, 1), "b");
  EXPECT_EQ(Field(*file, 0, 2), "<none>");
  EXPECT_EQ(Field(*file, 1, 2), "");  // trailing ';' makes an empty third field
  EXPECT_EQ(Field(*file, 1, 3), "<none>");
  EXPECT_EQ(Field(*file, 2, 1), "<none>");
  EXPECT_EQ(Field(*file, 0, -1), "<none>");
  EXPECT_EQ(Field(*file, 3, 0), "<none>");  // no such line
  EXPECT_EQ(file->max_fields(), 3);
  std::string out = "keep";
  EXPECT_FALSE(file->AppendField(0, 5, &out));
  EXPECT_EQ(out, "keep");
}

TEST(InjectionFileTest, PrintfExpandsVirtualLines) {
  auto file = MustParse("SEQUENTIAL,PRINTF=5\nuser%03d;pw%d;100%%\n");
  ASSERT_TRUE(file->printf_options().has_value());
  ASSERT_EQ(file->line_count(), 5u);
  EXPECT_EQ(file->LineForCall(7, 0, 0), 1u);
  EXPECT_EQ(Field(*file, 2, 0), "user002");
  EXPECT_EQ(Field(*file, 2, 1), "pw2");
  EXPECT_EQ(Field(*file, 2, 2), "100%");
  EXPECT_EQ(Field(*file, 5, 0), "<none>");
}

TEST(InjectionFileTest, PrintfOffsetMultipleAndSeveralRecords) {
  auto file = MustParse("RANDOM,PRINTF=4,PRINTFOFFSET=1000,PRINTFMULTIPLE=2\na%d\nb%d\n");
  EXPECT_EQ(Field(*file, 0, 0), "a1000");
  EXPECT_EQ(Field(*file, 1, 0), "b1002");
  EXPECT_EQ(Field(*file, 2, 0), "a1004");
  EXPECT_EQ(Field(*file, 3, 0), "b1006");
  // Options in any order; negative offset.
  auto negative = MustParse("SEQUENTIAL,PRINTFOFFSET=-5,PRINTF=3\n%d\n");
  EXPECT_EQ(Field(*negative, 0, 0), "-5");
  EXPECT_EQ(Field(*negative, 2, 0), "-3");
}

TEST(InjectionFileTest, PrintfConversionFlags) {
  auto file = MustParse("SEQUENTIAL,PRINTF=10,PRINTFOFFSET=7\n[%-4d];[%5.3d];[%.0d];[%-05d];[%05d]\n");
  EXPECT_EQ(Field(*file, 0, 0), "[7   ]");
  EXPECT_EQ(Field(*file, 0, 1), "[  007]");
  EXPECT_EQ(Field(*file, 0, 2), "[7]");
  EXPECT_EQ(Field(*file, 0, 3), "[7    ]");
  EXPECT_EQ(Field(*file, 0, 4), "[00007]");
  auto zero = MustParse("SEQUENTIAL,PRINTF=1\n[%.0d];[%.d];[%3.0d]\n");
  EXPECT_EQ(Field(*zero, 0, 0), "[]");  // printf prints no digit for 0 with precision 0
  EXPECT_EQ(Field(*zero, 0, 1), "[]");
  EXPECT_EQ(Field(*zero, 0, 2), "[   ]");
}

TEST(InjectionFileTest, PrintfValuesAreCIntegers) {
  EXPECT_EQ(MustParse("SEQUENTIAL,PRINTF=0x10\nx\n")->line_count(), 16u);
  EXPECT_EQ(MustParse("SEQUENTIAL,PRINTF=010\nx\n")->line_count(), 8u);  // octal, as strtoul
}

TEST(InjectionFileTest, BadPrintfOptionsAreLocatedOnLineOne) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"SEQUENTIAL,PRINTF\nx\n", "f.csv:1: PRINTF requires '=' and a value"},
      {"SEQUENTIAL,PRINTF=0\nx\n", "f.csv:1: a PRINTF file needs at least one virtual line"},
      {"SEQUENTIAL,PRINTF=abc\nx\n", "f.csv:1: invalid PRINTF value \"abc\""},
      {"SEQUENTIAL,PRINTF=10x\nx\n", "f.csv:1: invalid PRINTF value \"10x\""},
      {"SEQUENTIAL,PRINTF=08\nx\n", "f.csv:1: invalid PRINTF value \"08\""},
      {"SEQUENTIAL,PRINTF=-3\nx\n", "f.csv:1: a PRINTF file needs at least one virtual line"},
      {"SEQUENTIAL,PRINTF=2,PRINTF=3\nx\n", "f.csv:1: PRINTF given twice"},
      {"SEQUENTIAL,PRINTFOFFSET=3\nx\n", "f.csv:1: PRINTFOFFSET and PRINTFMULTIPLE need PRINTF=N"},
      {"SEQUENTIAL,PRINTF=2,PRINTFMULTIPLE\nx\n", "f.csv:1: PRINTFMULTIPLE requires '='"},
  };
  for (const Case& c : cases) {
    auto file = InjectionFile::Parse(c.text, "f.csv");
    EXPECT_THAT(Message(file.status()), StartsWith(c.message)) << c.text;
  }
}

TEST(InjectionFileTest, BadPrintfConversionsAreLocatedOnTheirLine) {
  const char* bad[] = {"a%x", "a%5", "a%", "a%5-2d", "a%1.2.3d", "a%;d", "a%2000d"};
  for (const char* record : bad) {
    auto file = InjectionFile::Parse(std::string("USER,PRINTF=2\n#c\nok%d\n") + record + "\n",
                                     "p.csv");
    EXPECT_THAT(Message(file.status()), StartsWith("p.csv:4: invalid printf conversion")) << record;
  }
  // Not a PRINTF file: '%' is plain text.
  EXPECT_EQ(Field(*MustParse("USER\na%x\n"), 0, 0), "a%x");
}

TEST(InjectionFileTest, LineOverrideFollowsStrtod) {
  auto line = [](std::string_view text) { return InjectionFile::ParseLineOverride(text); };
  EXPECT_EQ(*line("3"), 3u);
  EXPECT_EQ(*line("3.000000"), 3u);  // a double call variable prints %lf
  EXPECT_EQ(*line(" 2"), 2u);
  EXPECT_EQ(*line(""), 0u);
  EXPECT_EQ(*line("-0.5"), 0u);  // truncated toward zero
  EXPECT_EQ(*line("-1.000000"), std::nullopt);  // a lookup miss
  EXPECT_EQ(*line("1e30"), std::nullopt);
  EXPECT_THAT(Message(line("abc").status()), HasSubstr("invalid line number generated: 'abc'"));
  EXPECT_FALSE(line("2 ").ok());
  EXPECT_FALSE(line("nan").ok());
}

TEST(InjectionFileTest, IndexLookupHitMissAndDuplicates) {
  auto file = MustParse("SEQUENTIAL\nalice;1\nbob;2\nalice;3\nnofield\n");
  EXPECT_FALSE(file->indexed());
  EXPECT_EQ(file->Lookup("alice"), std::nullopt);  // no index yet
  ASSERT_TRUE(file->BuildIndex(0).ok());
  EXPECT_TRUE(file->indexed());
  EXPECT_EQ(file->Lookup("bob"), 1u);
  EXPECT_EQ(file->Lookup("alice"), 2u);  // duplicates: the last line wins, as SIPp
  EXPECT_EQ(file->Lookup("carol"), std::nullopt);
  ASSERT_TRUE(file->BuildIndex(1).ok());
  EXPECT_EQ(file->Lookup("3"), 2u);
  EXPECT_EQ(file->Lookup(""), 3u);  // "nofield" has no field 1: indexed under ""
  EXPECT_EQ(file->Lookup("alice"), std::nullopt);
  EXPECT_FALSE(file->BuildIndex(-1).ok());
}

TEST(InjectionFileTest, IndexOnPrintfFileUsesExpandedKeys) {
  auto file = MustParse("SEQUENTIAL,PRINTF=100,PRINTFOFFSET=5000\n%d;secret%d\n");
  ASSERT_TRUE(file->BuildIndex(0).ok());
  EXPECT_EQ(file->Lookup("5042"), 42u);
  EXPECT_EQ(Field(*file, *file->Lookup("5042"), 1), "secret5042");
  EXPECT_EQ(file->Lookup("5100"), std::nullopt);
  auto huge = MustParse("SEQUENTIAL,PRINTF=100000000\n%d\n");
  EXPECT_EQ(huge->BuildIndex(0).code(), absl::StatusCode::kResourceExhausted);
}

TEST(InjectionFileTest, InsertAppendsAndUpdatesTheIndex) {
  auto file = MustParse("SEQUENTIAL\nalice;1\nbob;2\n");
  ASSERT_TRUE(file->BuildIndex(0).ok());
  ASSERT_TRUE(file->Insert("carol;3;extra").ok());
  EXPECT_EQ(file->line_count(), 3u);
  EXPECT_EQ(Field(*file, 2, 2), "extra");
  EXPECT_EQ(file->Lookup("carol"), 2u);
  EXPECT_EQ(file->max_fields(), 3);
  EXPECT_EQ(file->LineForCall(3, 0, 0), 2u);
  ASSERT_TRUE(file->Insert("alice;4").ok());  // a duplicate key points to the new line
  EXPECT_EQ(file->Lookup("alice"), 3u);
}

TEST(InjectionFileTest, ReplaceRewritesALineAndItsIndexEntry) {
  auto file = MustParse("SEQUENTIAL\nalice;1\nbob;2\ncarol;3\n");
  ASSERT_TRUE(file->BuildIndex(0).ok());
  ASSERT_TRUE(file->Replace(1, "dave;20").ok());
  EXPECT_EQ(Field(*file, 1, 0), "dave");
  EXPECT_EQ(Field(*file, 1, 1), "20");
  EXPECT_EQ(file->Lookup("bob"), std::nullopt);
  EXPECT_EQ(file->Lookup("dave"), 1u);
  ASSERT_TRUE(file->Replace(2, "alice;30").ok());  // steals alice from line 0
  EXPECT_EQ(file->Lookup("alice"), 2u);
  EXPECT_EQ(file->Lookup("carol"), std::nullopt);
  ASSERT_TRUE(file->Replace(2, "erin;30").ok());  // SIPp does not restore alice -> 0
  EXPECT_EQ(file->Lookup("alice"), std::nullopt);
  EXPECT_EQ(file->line_count(), 3u);
  absl::Status out_of_range = file->Replace(3, "x");
  EXPECT_EQ(out_of_range.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(Message(out_of_range), HasSubstr("line 3 does not exist (3 lines)"));
}

TEST(InjectionFileTest, PrintfFilesRefuseInsertAndReplace) {
  auto file = MustParse("SEQUENTIAL,PRINTF=3\n%d\n");
  EXPECT_EQ(file->Insert("x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(file->Replace(0, "x")), HasSubstr("PRINTF file"));
  EXPECT_EQ(Field(*file, 0, 0), "0");
}

TEST(InjectionFileTest, FrozenFilesReadWithoutLockAndRefuseWrites) {
  auto file = MustParse(kUsers);
  ASSERT_TRUE(file->BuildIndex(0).ok());
  file->Freeze();
  file->Freeze();
  EXPECT_TRUE(file->frozen());
  EXPECT_EQ(file->Insert("x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(file->Replace(0, "x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(file->BuildIndex(1).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(file->Lookup("Fred"), 2u);
  EXPECT_EQ(Field(*file, 0, 0), "Sarah");
}

TEST(InjectionFileTest, ShortRecordsAreReportedWithTheirFileLine) {
  auto file = MustParse("SEQUENTIAL\n# users\nalice;a1;x\nbob;b1\ncarol\ndave;d1;y\n");
  EXPECT_EQ(file->ShortRecordsWarning(3),
            "test.csv:4: 2 fields where [field2] needs 3 (2 of 4 lines): their calls send an "
            "empty value, as SIPp's do");
  EXPECT_EQ(file->ShortRecordsWarning(2),
            "test.csv:5: 1 field where [field1] needs 2 (1 of 4 lines): their calls send an "
            "empty value, as SIPp's do");
  EXPECT_EQ(file->ShortRecordsWarning(1), std::nullopt);
  EXPECT_EQ(Field(*file, 1, 2), "<none>");  // still sent empty, not refused
}

TEST(InjectionFileTest, LoadReadsAFile) {
  std::string path = WriteTempFile("users.csv", "SEQUENTIAL\r\nSarah;a\r\nBob;b");
  auto file = InjectionFile::Load(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ((*file)->path(), path);
  EXPECT_EQ(Field(**file, 1, 1), "b");
}

TEST(InjectionFileTest, LoadLocatesErrorsWithThePath) {
  std::string bad = WriteTempFile("bad.csv", "SEQUENCE\nx\n");
  EXPECT_EQ(Message(InjectionFile::Load(bad).status()),
            bad + ":1: unknown order in first line \"SEQUENCE\" (valid values are SEQUENTIAL, "
                  "RANDOM and USER)");
  std::string empty = WriteTempFile("empty.csv", "");
  EXPECT_EQ(Message(InjectionFile::Load(empty).status()), empty + ":1: empty file");
  std::string missing = testing::TempDir() + "/no_such_file.csv";
  absl::Status status = InjectionFile::Load(missing).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Message(status), missing + ": cannot open: No such file or directory");
  EXPECT_THAT(Message(InjectionFile::Load(testing::TempDir()).status()), HasSubstr("cannot read"));
}

TEST(InjectionFileTest, ConcurrentReadersWithOneWriter) {
  // Every record is "kN;vN": readers check each field against its own line
  // while the writer inserts, replaces, then freezes the file mid-run.
  std::string text = "SEQUENTIAL\n";
  for (int i = 0; i < 100; ++i) text += "k" + std::to_string(i) + ";v" + std::to_string(i) + "\n";
  auto file = MustParse(text);
  ASSERT_TRUE(file->BuildIndex(0).ok());
  std::atomic<bool> go{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (uint64_t call = 1; call <= 50000; ++call) {
        size_t line = file->LineForCall(call * (t + 1), 0, 0);
        std::string key = Field(*file, line, 0);
        std::string value = Field(*file, line, 1);
        std::optional<size_t> found = file->Lookup(key);
        if (key != "k" + std::to_string(line)) ++bad;
        if (value != "v" + std::to_string(line)) ++bad;
        if (found != line) ++bad;
      }
    });
  }
  go = true;
  for (int i = 0; i < 300; ++i) {
    std::string n = std::to_string(100 + i);
    ASSERT_TRUE(file->Insert("k" + n + ";v" + n).ok());
    std::string m = std::to_string(i % 100);
    ASSERT_TRUE(file->Replace(i % 100, "k" + m + ";v" + m).ok());
  }
  file->Freeze();
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(file->line_count(), 400u);
  EXPECT_EQ(file->Lookup("k399"), 399u);
}

}  // namespace
}  // namespace sipfleet::injection
