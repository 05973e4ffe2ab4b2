#ifndef SIPFLEET_COMMON_TRACE_LAYOUT_H_
#define SIPFLEET_COMMON_TRACE_LAYOUT_H_

// The entry layouts of SIPp 3.6.1's trace files (Debian's sipp, observed by
// running it; SIPP_NOTES §8.2). Pure functions: each appends one entry to
// `out`. Timestamps come from a TimestampFormatter, so -rfc3339 changes them
// everywhere at once.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/scenario/scenario.h"
#include "common/stats/shard.h"
#include "common/trace/timestamp.h"

namespace sipfleet::trace {

enum class Direction : uint8_t { kSent, kReceived };

// messages.log:
//   "-----------------------------------------------" (47 dashes) " <stamp>\n"
//   "UDP message sent (514 bytes):\n\n<message>\n"  or
//   "UDP message received [313] bytes :\n\n<message>\n"
// `transport` is "UDP", "TCP" or "TLS".
void AppendMessageEntry(TimestampFormatter& stamps, int64_t wall_us, std::string_view transport,
                        Direction direction, std::string_view message, std::string* out);

// messages.log, for a message no scenario step expected (3.6.1 gives this
// separator no timestamp):
//   47 dashes "\nUnexpected UDP message received:\n\n<message>\n"
void AppendUnexpectedMessageEntry(std::string_view transport, std::string_view message,
                                  std::string* out);

// shortmessages.log, one line per message:
//   "<tabbed stamp>\t<S|R>\t<Call-ID>\tCSeq:<CSeq value>\t<start line>\n"
void AppendShortMessage(TimestampFormatter& stamps, int64_t wall_us, Direction direction,
                        std::string_view message, std::string* out);

// The value of header `name` (or its compact form, '\0' for none) in a raw
// SIP message, trimmed; "" when absent. Case-insensitive; headers only.
std::string_view RawHeader(std::string_view message, std::string_view name, char compact);

// errors.log. The file starts with kErrorsHeader; each entry is
// "<tabbed stamp>: <text>" and, as in 3.6.1, ends without a newline.
inline constexpr std::string_view kErrorsHeader = "The following events occurred:\n";
void AppendErrorEntry(TimestampFormatter& stamps, int64_t wall_us, std::string_view text,
                      std::string* out);
// The texts SIPp writes for an aborted call.
std::string UnexpectedMessageText(std::string_view call_id, std::string_view expecting, int index,
                                  std::string_view message);
std::string RetransmissionTimeoutText(std::string_view call_id);
std::string ReceiveTimeoutText(std::string_view call_id, std::string_view scenario, int index);

// calldebug.log: one block per failed call, written when the call ends:
//   79 dashes "\nCall debugging information for call <Call-ID>:\n"
// then its events, each "<tabbed stamp> <text>\n".
void AppendCallDebugHeader(std::string_view call_id, std::string* out);
void AppendCallDebugEvent(TimestampFormatter& stamps, int64_t wall_us, std::string_view text,
                          std::string* out);
// Event texts (without stamp and final newline).
std::string CallStartText(std::string_view call_id);
std::string CallSendText(std::string_view transport, std::string_view call_id, int index,
                         uint64_t hash, std::string_view message);
std::string CallReceiveText(std::string_view call_id, uint64_t hash, std::string_view message);
std::string CallUnexpectedText(std::string_view transport, int index, uint64_t hash,
                               std::string_view message);
std::string CallAbortText(std::string_view call_id, int index);

// error_codes.csv (-trace_error_codes), a row per statistics period:
//   "<tabbed stamp>;<elapsed>;<code>,<code>,...\n" (codes of the period's
// unexpected responses, each followed by a comma).
void AppendErrorCodesRow(TimestampFormatter& stamps, int64_t wall_us, int64_t elapsed_us,
                         std::string_view codes, std::string* out);

// counts.csv (-trace_counts): per scenario element i, columns
//   send:  i_<name>_Sent; i_<name>_Retrans[; i_<name>_Timeout if it retransmits]
//   recv:  i_<name>_Recv; i_<name>_Retrans; i_<name>_Timeout; i_<name>_Unexp
//   other: i_Pause_Sessions; i_Pause_Unexp
// where <name> is the method or status code. Rows start
// "<tabbed stamp>;<elapsed>;" and every cell ends with ';'.
class CountsTable {
 public:
  explicit CountsTable(const scenario::Scenario& scenario);
  std::string Header() const;
  void AppendRow(TimestampFormatter& stamps, int64_t wall_us, int64_t elapsed_us,
                 const stats::Snapshot& cumulative, std::string* out) const;

 private:
  struct Column {
    size_t element;
    stats::MessageCounter counter;
    bool always_zero;  // SIPp does not count <nop> executions
    std::string name;
  };
  std::vector<Column> columns_;
};

}  // namespace sipfleet::trace

#endif  // SIPFLEET_COMMON_TRACE_LAYOUT_H_
