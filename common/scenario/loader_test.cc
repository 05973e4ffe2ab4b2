#include "common/scenario/loader.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/base/strings.h"

#include "common/scenario/embedded.h"
#include "gtest/gtest.h"

namespace sipfleet::scenario {
namespace {

std::string ErrorOf(std::string_view xml) {
  auto loaded = LoadScenario(xml, "t.xml", {});
  return loaded.ok() ? "" : std::string(loaded.status().message());
}

constexpr std::string_view kSend = R"(<send><![CDATA[
  OPTIONS sip:a SIP/2.0
  Content-Length: 0
]]></send>)";

TEST(LoaderTest, LoadsEmbeddedUacAndUas) {
  for (std::string_view name : {"uac", "uas"}) {
    auto loaded = LoadScenario(*EmbeddedScenario(name), name, {});
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ((*loaded)->stem, name);
    EXPECT_EQ((*loaded)->rtd_names, std::vector<std::string>{"1"});
    EXPECT_EQ((*loaded)->response_time_repartition_ms.size(), 8u);
  }
  auto uac = LoadScenario(*EmbeddedScenario("uac"), "uac", {});
  EXPECT_EQ((*uac)->mode, Mode::kClient);
  EXPECT_EQ((*uac)->elements.size(), 9u);
  EXPECT_EQ((*uac)->elements[1].optional, Optional::kYes);
  EXPECT_EQ((*uac)->elements[8].prior_request_methods, "INVITEACKBYE");
  auto uas = LoadScenario(*EmbeddedScenario("uas"), "uas", {});
  EXPECT_EQ((*uas)->mode, Mode::kServer);
  EXPECT_TRUE((*uas)->needs_last_message);
  EXPECT_TRUE((*uas)->elements.back().timewait);
}

TEST(LoaderTest, SyntaxErrorIsLocated) {
  EXPECT_EQ(ErrorOf("<scenario>\n<send>\n</scenario>\n").substr(0, 8), "t.xml:3:");
}

TEST(LoaderTest, UnknownElementIsLocated) {
  std::string error =
      ErrorOf(std::string("<scenario>\n") + std::string(kSend) + "\n<bogus/>\n</scenario>");
  EXPECT_NE(error.find("t.xml:6: unknown element <bogus>"), std::string::npos) << error;
}

TEST(LoaderTest, NextToMissingLabelIsLocated) {
  std::string error =
      ErrorOf("<scenario>\n<recv request=\"INVITE\" next=\"nowhere\"/>\n</scenario>");
  EXPECT_NE(error.find("t.xml:2: 'next' refers to undefined label 'nowhere'"), std::string::npos)
      << error;
}

TEST(LoaderTest, BadAttributeValuesAreLocated) {
  EXPECT_NE(ErrorOf("<scenario>\n<recv response=\"abc\"/></scenario>").find("t.xml:2:"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<scenario>\n\n<recv response=\"200\" optional=\"maybe\"/></scenario>")
                .find("t.xml:3: invalid value 'maybe'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<scenario><recv response=\"800\"/></scenario>").find("100-699"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<scenario>\n<pause milliseconds=\"-5\"/></scenario>").find("t.xml:2:"),
            std::string::npos);
}

TEST(LoaderTest, StructuralRulesAreEnforced) {
  EXPECT_NE(ErrorOf("<scenario><recv/></scenario>").find("needs 'response' or 'request'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string("<scenario><timewait/>") + std::string(kSend) + "</scenario>")
                .find("must be the last element"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<scenario><label id=\"a\"/><label id=\"a\"/><recv request=\"A\"/></scenario>")
                .find("duplicate label"),
            std::string::npos);
}

TEST(LoaderTest, LaterIssueFeaturesAreRefusedByName) {
  auto loaded = LoadScenario(
      "<scenario><recv request=\"A\"><action>\n<exec rtp_echo=\"startaudio,0,PCMU/8000\"/>"
      "</action></recv></scenario>",
      "t.xml", {});
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(std::string(loaded.status().message()).find("t.xml:2:"), std::string::npos);
}

// A scenario whose one <nop> runs `exec`.
std::string NopExec(std::string_view exec) {
  return base::Cat("<scenario><recv request=\"INVITE\"/>\n<nop><action>", exec,
                   "</action></nop></scenario>");
}

// A media folder laid out as SIPp's (pcap/, media/): SIPp's G.711 capture
// from Debian's sip-tester, a made-up second of A-law, and a text file.
std::string MediaFolder() {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(::testing::TempDir()) / base::Cat("sipfleet_media_", getpid());
  fs::create_directories(dir / "pcap");
  fs::create_directories(dir / "media");
  fs::remove(dir / "pcap/g711a.pcap");
  fs::create_symlink(SIPFLEET_SIP_TESTER_DIR "/g711a.pcap", dir / "pcap/g711a.pcap");
  std::ofstream(dir / "media/beep_1sec_50x160b.alaw", std::ios::binary) << std::string(8000, '\xd5');
  std::ofstream(dir / "README.md") << "not a capture\n";
  return dir.string();
}

TEST(LoaderTest, MediaFilesAreLoadedOnceFromTheSearchPath) {
  LoadOptions options;
  options.media_search_dirs = {"/nonexistent", MediaFolder()};
  auto loaded = LoadScenario(NopExec("<exec play_pcap_audio=\"pcap/g711a.pcap\"/>"
                                     "<exec play_pcap_video=\"pcap/g711a.pcap\"/>"
                                     "<exec play_dtmf=\"12#,100\"/>"
                                     "<exec rtp_stream=\"media/beep_1sec_50x160b.alaw,2,8\"/>"
                                     "<exec rtp_stream=\"pause\"/>"),
                             "t.xml", options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE((*loaded)->uses_media);
  EXPECT_TRUE((*loaded)->needs_call_extras);
  const auto& actions = (*loaded)->elements[1].actions;
  ASSERT_EQ(actions.size(), 5u);
  EXPECT_EQ(actions[0].kind, ActionKind::kPlayPcap);
  EXPECT_EQ(actions[1].media_slot, MediaSlot::kVideo);
  EXPECT_EQ(actions[0].pcap, actions[1].pcap);  // one load, shared
  EXPECT_GT(actions[0].pcap->Packets().size(), 100u);
  EXPECT_EQ(actions[2].kind, ActionKind::kPlayDtmf);
  EXPECT_EQ(actions[3].kind, ActionKind::kRtpStream);
  EXPECT_EQ(actions[3].stream.loops, 2);
  EXPECT_EQ(actions[3].audio->frame_count(), 50u);
  EXPECT_EQ(actions[4].stream.op, rtp::RtpStreamCommand::Op::kPause);
}

TEST(LoaderTest, BadMediaIsALocatedError) {
  LoadOptions options;
  options.media_search_dirs = {MediaFolder()};
  auto missing = LoadScenario(NopExec("<exec play_pcap_audio=\"pcap/none.pcap\"/>"), "t.xml",
                              options);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(missing.status().message()).find("t.xml:2: pcap/none.pcap: media file not found"),
            std::string::npos)
      << missing.status();
  // Not a capture at all: a text file.
  auto not_pcap = LoadScenario(NopExec("<exec play_pcap_audio=\"README.md\"/>"), "t.xml", options);
  EXPECT_EQ(not_pcap.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(not_pcap.status().message()).find("t.xml:2: "), std::string::npos);
  auto bad_digits = LoadScenario(NopExec("<exec play_dtmf=\"12x\"/>"), "t.xml", options);
  EXPECT_EQ(bad_digits.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(bad_digits.status().message()).find("t.xml:2: play_dtmf"),
            std::string::npos);
}

TEST(LoaderTest, LabelsAndRtdsResolveToIndices) {
  auto loaded = LoadScenario(R"(<scenario>
    <recv request="INVITE" next="end" start_rtd="setup"/>
    <recv request="ACK" rtd="setup"/>
    <label id="end"/>
    <recv request="BYE" counter="byes"/>
  </scenario>)",
                             "t.xml", {});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->elements[0].next, 2);
  EXPECT_EQ((*loaded)->rtd_names, std::vector<std::string>{"setup"});
  EXPECT_EQ((*loaded)->counter_names, std::vector<std::string>{"byes"});
  EXPECT_EQ((*loaded)->elements[2].counter, 0);
}

TEST(LoaderTest, TwinCommandsLoadAndSetTheRole) {
  auto b_side = LoadScenario(R"(<scenario>
    <recvCmd src="m" timeout="500" ontimeout="end">
      <action><ereg regexp="Content-Type:.*" search_in="msg" assign_to="1"/></action>
    </recvCmd>
    <send><![CDATA[
      INVITE sip:x@[remote_ip] SIP/2.0
      Call-ID: [call_id]
      [$1]
    ]]></send>
    <label id="end"/>
  </scenario>)",
                             "b.xml", {});
  ASSERT_TRUE(b_side.ok()) << b_side.status();
  const Scenario& b = **b_side;
  EXPECT_EQ(b.mode, Mode::kServer);  // calls start on command arrival
  EXPECT_EQ(b.twin_role, TwinRole::kReceivesFirst);
  EXPECT_EQ(b.elements[0].kind, ElementKind::kRecvCmd);
  EXPECT_EQ(b.elements[0].twin_peer, "m");
  EXPECT_EQ(b.elements[0].timeout_ms, 500);
  EXPECT_EQ(b.elements[0].on_timeout, 2);
  ASSERT_EQ(b.elements[0].actions.size(), 1u);

  // A master whose first element is <sendCmd> (SIPp issue #41), and a
  // command whose first line is a variable.
  auto master = LoadScenario(R"(<scenario>
    <sendCmd dest="s1"><![CDATA[
      Call-ID: [call_id]
      From: m
    ]]></sendCmd>
    <sendCmd dest="s2"><![CDATA[
      [$x]
      Call-ID: [call_id]
    ]]></sendCmd>
    <recvCmd src="s1"/>
    <Reference variables="x"/>
  </scenario>)",
                             "m.xml", {});
  ASSERT_TRUE(master.ok()) << master.status();
  EXPECT_EQ((*master)->mode, Mode::kClient);
  EXPECT_EQ((*master)->twin_role, TwinRole::kSendsFirst);
  EXPECT_EQ((*master)->elements[1].twin_peer, "s2");
  ASSERT_NE((*master)->elements[0].message, nullptr);

  auto empty = LoadScenario("<scenario>\n<sendCmd/></scenario>", "t.xml", {});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(std::string(empty.status().message()).find("t.xml:2: empty CDATA in <sendCmd>"),
            std::string::npos);
}

}  // namespace
}  // namespace sipfleet::scenario
