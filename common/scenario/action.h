#ifndef SIPFLEET_COMMON_SCENARIO_ACTION_H_
#define SIPFLEET_COMMON_SCENARIO_ACTION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/base/regex.h"
#include "common/distribution/distribution.h"
#include "common/rtp/audio_file.h"
#include "common/rtp/pcap_media.h"
#include "common/scenario/message_template.h"
#include "common/scenario/variables.h"

namespace sipfleet::scenario {

// The actions of SIPP_NOTES §3.4 (children of <action>). SIPp 3.7's rtpcheck
// forms (rtp_echo=..., rtp_stream="apattern...") are refused by the loader.
enum class ActionKind : uint8_t {
  kEreg,
  kLog,
  kWarning,
  kError,
  kAssign,
  kAssignStr,
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kSample,
  kToDouble,
  kTest,
  kStrcmp,
  kTrim,
  kIndex,
  kJump,
  kPauseRestore,
  kGetTimeOfDay,
  kLookup,
  kInsert,
  kReplace,
  kVerifyAuth,
  kSetDest,
  kCloseCon,
  kUrlEncode,
  kUrlDecode,
  kExecCommand,
  kExecIntCmd,
  kPlayPcap,   // exec play_pcap_audio / play_pcap_video / play_pcap_image
  kPlayDtmf,   // exec play_dtmf="digits[,ms]"
  kRtpStream,  // exec rtp_stream="file[,loops[,pt[,name]]]" | pause | resume
  kRtpEcho,    // <rtp_echo value="0|1"/>: -rtp_echo off/on for this call (SIPp #259)
};

// Which media slot a play_pcap_* fills (rtp::MediaKind's values).
enum class MediaSlot : uint8_t { kAudio = 0, kVideo = 1, kImage = 2 };

enum class SearchIn : uint8_t { kMessage, kHeader, kBody, kVariable };

enum class Compare : uint8_t {
  kEqual,
  kNotEqual,
  kGreaterThan,
  kLessThan,
  kGreaterThanEqual,
  kLessThanEqual,
};

enum class IntCmd : uint8_t { kStopCall, kStopGracefully, kStopNow };

// One action, resolved at load time. Which fields are meaningful depends on
// `kind`; the loader fills exactly those.
struct Action {
  ActionKind kind = ActionKind::kLog;
  int line = 0;

  std::vector<VariableRef> assign_to;  // ereg: whole match then groups
  VariableRef variable;                // source variable (variable=)
  VariableRef variable2;               // test/strcmp variable2=
  bool has_number = false;             // value= given as a double
  double number = 0;

  // Keyword-expanded text: log/warning/error message, assignstr/strcmp
  // value, exec command, insert/replace value, lookup key, verifyauth
  // username, setdest host.
  std::shared_ptr<const MessageTemplate> text;
  // Second text: verifyauth password, replace line, setdest port.
  std::shared_ptr<const MessageTemplate> text2;

  // ereg
  std::shared_ptr<const base::Regex> regex;
  SearchIn search_in = SearchIn::kMessage;
  std::string header;  // search_in="hdr": header name as written, e.g. "From:"
  bool case_indep = false;  // header name matched case-insensitively
  int occurrence = 1;
  bool start_line = false;
  bool check_it = false;
  bool check_it_inverse = false;

  Compare compare = Compare::kEqual;  // test
  std::shared_ptr<const distribution::Distribution> distribution;  // sample
  int file = -1;  // lookup/insert/replace: -inf file index
  IntCmd int_cmd = IntCmd::kStopCall;
  std::string protocol;  // setdest

  // Media, loaded once at scenario load and shared by every call.
  std::shared_ptr<const rtp::PcapMedia> pcap;  // play_pcap_*
  MediaSlot media_slot = MediaSlot::kAudio;
  rtp::RtpStreamCommand stream;                // rtp_stream
  std::shared_ptr<const rtp::AudioFile> audio;  // rtp_stream play
};

}  // namespace sipfleet::scenario

#endif  // SIPFLEET_COMMON_SCENARIO_ACTION_H_
