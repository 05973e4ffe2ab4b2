#ifndef SIPFLEET_COMMON_SCENARIO_SCENARIO_H_
#define SIPFLEET_COMMON_SCENARIO_SCENARIO_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/base/regex.h"
#include "common/distribution/distribution.h"
#include "common/scenario/action.h"
#include "common/scenario/message_template.h"
#include "common/scenario/variables.h"

namespace sipfleet::scenario {

// The immutable model of a SIPp XML scenario (SIPP_NOTES §3). Built once by
// the loader, then shared read-only by every worker
// (std::shared_ptr<const Scenario>). Indices (labels, RTDs, counters) are
// resolved at load time so the runtime never looks up a name.

enum class ElementKind : uint8_t { kSend, kRecv, kPause, kNop, kSendCmd, kRecvCmd };

enum class Optional : uint8_t { kNo, kYes, kGlobal };

// Where a <pause>/<timewait> duration comes from.
struct PauseSpec {
  enum class Source : uint8_t { kDefaultDuration, kFixed, kVariable, kDistribution };
  Source source = Source::kDefaultDuration;
  int64_t milliseconds = 0;
  VariableRef variable;  // kVariable: milliseconds held in a variable
  std::shared_ptr<const distribution::Distribution> distribution;
};

// A named Response Time Duration reference (start_rtd / rtd).
using RtdIndex = int16_t;
inline constexpr int kNoIndex = -1;

struct Element {
  ElementKind kind = ElementKind::kNop;
  int line = 0;  // 1-based line in the XML file, for messages

  // Common attributes (§3.2).
  int next = kNoIndex;        // element index to continue at, resolved
  int on_timeout = kNoIndex;  // element index on recv/send timeout
  VariableRef test;           // next= only if this variable is set
  double chance = -1;         // next= only with this probability; < 0 = always
  VariableRef condexec;       // run the element only if set (inverse: unset)
  bool condexec_inverse = false;
  std::vector<Action> actions;
  std::vector<RtdIndex> start_rtds;
  std::vector<RtdIndex> stop_rtds;
  bool repeat_rtd = false;
  int counter = kNoIndex;  // user counter index
  bool crlf = false;
  bool hide = false;
  std::string display;
  int lost_percent = 0;

  // <send>
  std::shared_ptr<const MessageTemplate> message;
  int retrans_ms = 0;  // T1 for UDP retransmission; 0 = none
  int64_t timeout_ms = 0;
  int start_txn = kNoIndex;  // transaction index (Scenario::transaction_names)
  int ack_txn = kNoIndex;

  // <recv>
  std::string recv_request;  // method, for request="..."
  int recv_response = 0;     // status code, for response="..."
  // regexp_match="true": request (or, since SIPp 3.7.5, response) is a
  // POSIX ERE searched in the method / status code.
  std::shared_ptr<const base::Regex> recv_regex;
  Optional optional = Optional::kNo;
  bool advance_state = true;  // false: an optional recv that does not move on
  bool rrs = false;           // store Record-Route and Contact (§3.1)
  bool auth = false;          // store the 401/407 challenge
  int response_txn = kNoIndex;
  // Concatenated methods of all earlier <send> requests: a response matches
  // this recv only if its CSeq method is a substring of it (§3.6).
  std::string prior_request_methods;

  // <sendCmd> (its CDATA is `message`) / <recvCmd>: the extended-3PCC
  // instance named by dest= / src=, "" if absent.
  std::string twin_peer;

  // <pause> / <timewait>
  PauseSpec pause;
  bool timewait = false;

  bool is_send_request() const {
    return kind == ElementKind::kSend && message && !message->method().empty();
  }
  bool is_recv() const { return kind == ElementKind::kRecv; }
  bool is_txn_send() const { return start_txn != kNoIndex || ack_txn != kNoIndex; }
};

enum class Mode : uint8_t { kClient, kServer };

// Which 3PCC twin element comes first (SIPp's computeSippMode): <sendCmd>
// makes controller A / an extended master (it connects), <recvCmd> makes
// controller B / a slave (it listens, and its calls start on commands).
enum class TwinRole : uint8_t { kNone, kSendsFirst, kReceivesFirst };

// <DefaultMessage id="..."> overrides (§3.1).
enum class DefaultMessageId : uint8_t { kThreePccAbort, kAck, kAck2, kBye, kCancel, kOk, kCount };

struct Scenario {
  std::string name;       // <scenario name="...">
  std::string file_name;  // for error messages and output file names
  std::string stem;       // file name without directory and .xml
  Mode mode = Mode::kClient;
  TwinRole twin_role = TwinRole::kNone;

  std::vector<Element> elements;
  absl::flat_hash_map<std::string, int> labels;  // label id -> element index

  std::vector<std::string> rtd_names;      // index = RtdIndex; "1" for rtd="true"
  std::vector<std::string> counter_names;  // user counters
  std::vector<int> response_time_repartition_ms;
  std::vector<int> call_length_repartition_ms;

  // True if some <send> needs the last received message ([last_*]).
  bool needs_last_message = false;

  // Variables by scope; index = VariableRef::index. Call variables include
  // the implicit _unexp.retaddr / _unexp.pausedaddr when _unexp.main exists.
  std::vector<std::string> call_variables;
  std::vector<std::string> user_variables;
  std::vector<std::string> global_variables;
  absl::flat_hash_map<std::string, VariableRef> variables;

  std::vector<Element> init_elements;  // <init>: run once before any call
  std::vector<std::string> transaction_names;
  // <DefaultMessage> templates, indexed by DefaultMessageId; null = built in.
  std::vector<std::shared_ptr<const MessageTemplate>> default_messages;
  int unexpected_label = kNoIndex;  // _unexp.main
  VariableRef unexpected_return;    // _unexp.retaddr
  VariableRef unexpected_paused;    // _unexp.pausedaddr

  // True if calls need the per-call extras (variables, auth, routes, CSV
  // lines, transactions): plain uac/uas calls stay compact without them.
  bool needs_call_extras = false;
  bool uses_injection = false;
  // Load warnings, "file:line: warning: ..." (unknown attributes): the
  // scenario loads as SIPp's would; the binaries print these to stderr.
  std::vector<std::string> warnings;
  bool uses_media = false;  // play_pcap_*, play_dtmf or rtp_stream: calls track the peer's SDP  // some [field] / lookup / insert / replace
};

}  // namespace sipfleet::scenario

#endif  // SIPFLEET_COMMON_SCENARIO_SCENARIO_H_
