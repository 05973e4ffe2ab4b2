#include "common/trace/trace_file.h"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "gtest/gtest.h"

namespace sipfleet::trace {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

class TraceFileTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = testing::TempDir() + "/trace_file_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  std::string Path(std::string_view name) const { return dir_ + "/" + std::string(name); }
  std::string dir_;
};

TEST_F(TraceFileTest, OverwriteTruncatesAndAppendKeeps) {
  const std::string path = Path("a_1_messages.log");
  { std::ofstream(path) << "old\n"; }
  {
    auto file = TraceFile::Open({.path = path, .overwrite = false});
    ASSERT_TRUE(file.ok());
    EXPECT_EQ((*file)->bytes(), 4);
    ASSERT_TRUE((*file)->Write("new\n").ok());
  }
  EXPECT_EQ(Read(path), "old\nnew\n");
  {
    auto file = TraceFile::Open({.path = path});
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Write("only\n").ok());
  }
  EXPECT_EQ(Read(path), "only\n");
}

TEST_F(TraceFileTest, LazyFileAppearsAtFirstWriteWithHeader) {
  const std::string path = Path("a_1_errors.log");
  auto file = TraceFile::Open({.path = path, .header = "The following events occurred:\n",
                               .lazy = true});
  ASSERT_TRUE(file.ok());
  EXPECT_FALSE(Exists(path));
  ASSERT_TRUE((*file)->Write("x: y").ok());
  (*file)->Flush();
  EXPECT_EQ(Read(path), "The following events occurred:\nx: y");
}

TEST_F(TraceFileTest, RingBufferRotatesAtEntryBoundariesWithSippNames) {
  const std::string path = Path("uac_7_messages.log");
  int64_t second = 1795244382;
  auto file = TraceFile::Open(
      {.path = path, .max_bytes = 10, .ring_files = 2}, [&] { return second; });
  ASSERT_TRUE(file.ok());
  // Entries of 6 bytes: each file takes two (12 >= 10) before rotating.
  std::string data = "aaaaa\nbbbbb\nccccc\nddddd\neeeee\nfffff\nggggg\n";
  std::vector<uint32_t> ends = {6, 12, 18, 24, 30, 36, 42};
  ASSERT_TRUE((*file)->Write(data, ends).ok());
  (*file)->Flush();
  // Rotations in one second: _<s>.log, _<s>.2.log, _<s>.3.log; two kept.
  EXPECT_FALSE(Exists(Path("uac_7_messages_1795244382.log")));
  EXPECT_EQ(Read(Path("uac_7_messages_1795244382.2.log")), "ccccc\nddddd\n");
  EXPECT_EQ(Read(Path("uac_7_messages_1795244382.3.log")), "eeeee\nfffff\n");
  EXPECT_EQ(Read(path), "ggggg\n");
  EXPECT_EQ((*file)->rotated().size(), 2u);
  // A new second starts a new sequence.
  second += 1;
  ASSERT_TRUE((*file)->Write("hhhhh\n").ok());
  EXPECT_TRUE(Exists(Path("uac_7_messages_1795244383.log")));
}

TEST_F(TraceFileTest, MaxLogSizeWithoutRingBufferStartsOver) {
  const std::string path = Path("uac_7_shortmessages.log");
  auto file = TraceFile::Open({.path = path, .max_bytes = 10});
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Write("aaaaa\nbbbbb\nccccc\n", std::vector<uint32_t>{6, 12, 18}).ok());
  (*file)->Flush();
  EXPECT_EQ(Read(path), "ccccc\n");
  EXPECT_TRUE((*file)->rotated().empty());
}

TEST_F(TraceFileTest, OpenFailsInAMissingDirectory) {
  EXPECT_FALSE(TraceFile::Open({.path = Path("missing/x.log")}).ok());
}

}  // namespace
}  // namespace sipfleet::trace
