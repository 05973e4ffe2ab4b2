#ifndef SIPFLEET_COMMON_TWIN_COMMAND_H_
#define SIPFLEET_COMMON_TWIN_COMMAND_H_

// The 3PCC twin wire format (SIPP_NOTES §2.5), as SIPp 3.x speaks it over
// TCP: each command is the keyword-expanded text of a <sendCmd> followed by
// one ESC byte (0x1B); commands are routed by their Call-ID line; in
// extended mode they carry a `From: <instance>` line; an aborted call is
// announced with `call-id: <id>\ninternal-cmd: abort_call\n`.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sipfleet::twin {

inline constexpr char kDelimiter = '\x1b';

// Appends `text` and the delimiter to `out`.
void AppendFrame(std::string_view text, std::string* out);

// Splits a TCP byte stream into commands. Not thread-safe.
class CommandFramer {
 public:
  // `max_bytes` bounds one command: a longer one without a delimiter is a
  // framing error (the peer is not a twin SIPp).
  explicit CommandFramer(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Adds received bytes; complete commands (without the delimiter) are
  // appended to `out`. Returns false once the pending command is over
  // max_bytes; the framer is then unusable.
  bool Feed(std::string_view bytes, std::vector<std::string>* out);
  // Bytes of an incomplete command held back.
  size_t pending() const { return buffer_.size(); }

 private:
  size_t max_bytes_;
  std::string buffer_;
};

// The value of the command's Call-ID line (`Call-ID:`, any case, or the
// compact `i:`), with SIPp's "///" prefix stripped; empty if there is none.
// Unlike a SIP message a command has no start line: every line counts.
std::string_view CommandCallId(std::string_view command);

// The first word of the `From:` line (extended mode's sender name), or empty.
std::string_view CommandSender(std::string_view command);

// True if the command is SIPp's `internal-cmd: abort_call`.
bool IsAbortCommand(std::string_view command);

// The abort command SIPp sends for `call_id` (its default "3pcc_abort"
// message, without the delimiter).
std::string AbortCommand(std::string_view call_id);

// The command as a <recvCmd>'s actions see it: SIPp removes trailing CRLF
// pairs before running them.
std::string_view CommandForActions(std::string_view command);

// What <ereg search_in="hdr" header="name"> sees in a command: the text after
// the colon of each line named `name` (compact forms are not expanded),
// joined by "," (SIPp's get_header), or only the `occurrence`th (1-based)
// when occurrence > 1. Returns false if no line has that name.
bool CommandHeader(std::string_view command, std::string_view name, bool case_insensitive,
                   int occurrence, std::string* out);

// What search_in="body" sees: the text after the first empty line, or "".
std::string_view CommandBody(std::string_view command);

}  // namespace sipfleet::twin

#endif  // SIPFLEET_COMMON_TWIN_COMMAND_H_
