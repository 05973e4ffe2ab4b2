#ifndef SIPFLEET_COMMON_SIP_MESSAGE_H_
#define SIPFLEET_COMMON_SIP_MESSAGE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sipfleet::sip {

// One header line of a parsed message. `name` and `value` are views into the
// message buffer; `value` has surrounding whitespace trimmed and folded
// continuation lines (RFC 3261 §7.3.1) left as they are in the buffer.
// `line` spans the whole header line without its CRLF.
struct HeaderField {
  std::string_view name;
  std::string_view value;
  std::string_view line;
};

// A parsed SIP message (RFC 3261 §7). It does not own the bytes: every view
// points into the buffer passed to Parse(), which must outlive the Message.
// Headers are indexed once at parse time; lookups never copy.
class Message {
 public:
  // Parses one complete SIP message (request or response) from `buffer`.
  // Accepts LF or CRLF line ends, compact header names (RFC 3261 §7.3.3),
  // case-insensitive names, repeated headers. With a Content-Length header
  // the body is exactly that many bytes (an error if fewer remain); without
  // one, the body is the rest of the buffer (UDP, RFC 3261 §18.3).
  // Errors: InvalidArgument naming what is malformed.
  static absl::StatusOr<Message> Parse(std::string_view buffer);

  bool is_request() const { return status_code_ == 0; }
  // Request method ("INVITE"), empty for responses.
  std::string_view method() const { return method_; }
  std::string_view request_uri() const { return request_uri_; }
  // Response status code (100..699), 0 for requests.
  int status_code() const { return status_code_; }
  std::string_view reason() const { return reason_; }
  std::string_view start_line() const { return start_line_; }

  // Headers in wire order.
  const std::vector<HeaderField>& headers() const { return headers_; }
  // First header whose name matches `name` case-insensitively, treating a
  // compact form and its long form as the same name ("v" == "Via").
  // Empty optional-like result: returns nullptr when absent.
  const HeaderField* FindHeader(std::string_view name) const;
  // Every header with that name, in order.
  std::vector<const HeaderField*> FindAll(std::string_view name) const;

  // Shortcuts filled at parse time (empty / 0 when absent or malformed).
  std::string_view call_id() const { return call_id_; }
  uint32_t cseq_number() const { return cseq_number_; }
  std::string_view cseq_method() const { return cseq_method_; }
  // The tag parameter of the To header, or empty.
  std::string_view to_tag() const { return to_tag_; }
  // True if the message has a To header (RFC 3261 §8.1.1.2 makes it mandatory).
  bool has_to() const { return has_to_; }
  // The branch parameter of the topmost Via, or empty.
  std::string_view top_via_branch() const { return top_via_branch_; }

  // Bytes after the blank line, bounded by Content-Length when present.
  std::string_view body() const { return body_; }
  // The whole message (start line through end of body).
  std::string_view raw() const { return raw_; }
  // Everything from the start line to the end of the last header line.
  std::string_view header_section() const { return header_section_; }

 private:
  Message() = default;

  std::string_view raw_, start_line_, method_, request_uri_, reason_;
  std::string_view header_section_, body_;
  std::string_view call_id_, cseq_method_, to_tag_, top_via_branch_;
  int status_code_ = 0;
  uint32_t cseq_number_ = 0;
  bool has_to_ = false;
  std::vector<HeaderField> headers_;
};

// Returns the long form of a compact header name ("i" -> "Call-ID",
// RFC 3261 §7.3.3 and later RFCs' compact forms), or `name` itself.
std::string_view ExpandCompactName(std::string_view name);

// True if header names `a` and `b` denote the same header (case-insensitive,
// compact forms equal to their long forms).
bool SameHeaderName(std::string_view a, std::string_view b);

// Extracts the Call-ID value from a raw datagram without a full parse, for
// dispatching a message to the worker that owns its call. Empty if absent.
std::string_view PeekCallId(std::string_view buffer);

// Returns the value of parameter `param` (e.g. "tag", "branch") in a header
// value such as `"Bob" <sip:b@x>;tag=123`, or empty. Parameters inside <>
// are skipped.
std::string_view HeaderParam(std::string_view header_value, std::string_view param);

}  // namespace sipfleet::sip

#endif  // SIPFLEET_COMMON_SIP_MESSAGE_H_
