#ifndef SIPFLEET_COMMON_SCENARIO_SCENARIO_H_
#define SIPFLEET_COMMON_SCENARIO_SCENARIO_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/scenario/message_template.h"

namespace sipfleet::scenario {

// The immutable model of a SIPp XML scenario (SIPP_NOTES §3). Built once by
// the loader, then shared read-only by every worker
// (std::shared_ptr<const Scenario>). Indices (labels, RTDs, counters) are
// resolved at load time so the runtime never looks up a name.

enum class ElementKind : uint8_t { kSend, kRecv, kPause, kNop, kSendCmd, kRecvCmd };

enum class Optional : uint8_t { kNo, kYes, kGlobal };

// Where a <pause>/<timewait> duration comes from.
struct PauseSpec {
  enum class Source : uint8_t { kDefaultDuration, kFixed };
  Source source = Source::kDefaultDuration;
  int64_t milliseconds = 0;
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

  // <recv>
  std::string recv_request;  // method, for request="..."
  int recv_response = 0;     // status code, for response="..."
  Optional optional = Optional::kNo;
  // Concatenated methods of all earlier <send> requests: a response matches
  // this recv only if its CSeq method is a substring of it (§3.6).
  std::string prior_request_methods;

  // <pause> / <timewait>
  PauseSpec pause;
  bool timewait = false;

  bool is_send_request() const {
    return kind == ElementKind::kSend && message && !message->method().empty();
  }
  bool is_recv() const { return kind == ElementKind::kRecv; }
};

enum class Mode : uint8_t { kClient, kServer };

struct Scenario {
  std::string name;       // <scenario name="...">
  std::string file_name;  // for error messages and output file names
  std::string stem;       // file name without directory and .xml
  Mode mode = Mode::kClient;

  std::vector<Element> elements;
  absl::flat_hash_map<std::string, int> labels;  // label id -> element index

  std::vector<std::string> rtd_names;      // index = RtdIndex; "1" for rtd="true"
  std::vector<std::string> counter_names;  // user counters
  std::vector<int> response_time_repartition_ms;
  std::vector<int> call_length_repartition_ms;

  // True if some <send> needs the last received message ([last_*]).
  bool needs_last_message = false;
};

}  // namespace sipfleet::scenario

#endif  // SIPFLEET_COMMON_SCENARIO_SCENARIO_H_
