#include "common/sip/message.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/strings.h"

namespace sipfleet::sip {
namespace {

// RFC 3261 §25.1 token characters: alphanum / "-" / "." / "!" / "%" / "*" /
// "_" / "+" / "`" / "'" / "~".
constexpr std::array<bool, 256> MakeTokenTable() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (char c : std::string_view("-.!%*_+`'~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kTokenChars = MakeTokenTable();

constexpr char ToLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

using base::EqualsIgnoreCase;

bool IsTokenChar(char c) { return kTokenChars[static_cast<unsigned char>(c)]; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }
// Whitespace inside a (possibly folded) header value.
bool IsLws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

std::string_view TrimLws(std::string_view s) {
  while (!s.empty() && IsLws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsLws(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view TrimTrailingBlanks(std::string_view s) {
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

// Compact header names (RFC 3261 §7.3.3 and RFCs 3265, 3515, 3892, 3841,
// 4028, 3903, 4474, 4916), indexed by lower-case letter.
constexpr std::array<std::string_view, 26> kCompactForms = {
    "Accept-Contact",       // a
    "Referred-By",          // b
    "Content-Type",         // c
    "Request-Disposition",  // d
    "Content-Encoding",     // e
    "From",                 // f
    "",                     // g
    "",                     // h
    "Call-ID",              // i
    "Reject-Contact",       // j
    "Supported",            // k
    "Content-Length",       // l
    "Contact",              // m
    "Identity-Info",        // n
    "Event",                // o
    "",                     // p
    "",                     // q
    "Refer-To",             // r
    "Subject",              // s
    "To",                   // t
    "Allow-Events",         // u
    "Via",                  // v
    "",                     // w
    "Session-Expires",      // x
    "Identity",             // y
    "",                     // z
};

// True if header name `name` denotes `expanded`, which is already the result
// of ExpandCompactName().
bool NameMatchesExpanded(std::string_view name, std::string_view expanded) {
  if (name.size() == expanded.size()) return EqualsIgnoreCase(name, expanded);
  if (name.size() == 1) return EqualsIgnoreCase(ExpandCompactName(name), expanded);
  return false;
}

// One line of the buffer: content is [begin, end) without the line end;
// `next` is the offset just past the LF (or the buffer size).
struct Line {
  size_t begin;
  size_t end;
  size_t next;
  bool terminated;
};

// Precondition: pos < buffer.size().
Line NextLine(std::string_view buffer, size_t pos) {
  const char* base = buffer.data();
  const void* lf = std::memchr(base + pos, '\n', buffer.size() - pos);
  if (lf == nullptr) return {pos, buffer.size(), buffer.size(), false};
  const size_t lf_pos = static_cast<size_t>(static_cast<const char*>(lf) - base);
  size_t end = lf_pos;
  if (end > pos && buffer[end - 1] == '\r') --end;
  return {pos, end, lf_pos + 1, true};
}

struct StartLine {
  std::string_view method, request_uri, reason;
  int status_code = 0;
};

constexpr std::string_view kSipVersion = "SIP/2.0";

// Returns the prefix of `*s` up to the first SP and removes it and the run of
// SPs after it from `*s`.
std::string_view TakeWord(std::string_view* s) {
  size_t sp = s->find(' ');
  if (sp == std::string_view::npos) sp = s->size();
  std::string_view word = s->substr(0, sp);
  s->remove_prefix(sp);
  while (!s->empty() && s->front() == ' ') s->remove_prefix(1);
  return word;
}

// RFC 3261 §7.1 / §7.2. `line` has no line end and is not empty.
absl::Status ParseStartLine(std::string_view line, StartLine* out) {
  std::string_view rest = line;
  if (rest.size() >= 4 && EqualsIgnoreCase(rest.substr(0, 4), "SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    if (!EqualsIgnoreCase(TakeWord(&rest), kSipVersion)) {
      return absl::InvalidArgumentError("bad SIP version in status line");
    }
    std::string_view code = TakeWord(&rest);
    if (code.size() != 3 || !IsDigit(code[0]) || !IsDigit(code[1]) || !IsDigit(code[2])) {
      return absl::InvalidArgumentError("status code is not 3 digits");
    }
    const int value = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    if (value < 100 || value > 699) {
      return absl::InvalidArgumentError("status code out of range 100..699");
    }
    out->status_code = value;
    out->reason = TrimTrailingBlanks(rest);
    return absl::OkStatus();
  }
  // Request-Line = Method SP Request-URI SP SIP-Version
  std::string_view method = TakeWord(&rest);
  if (!IsToken(method)) return absl::InvalidArgumentError("malformed start line");
  std::string_view uri = TakeWord(&rest);
  if (TrimTrailingBlanks(rest).empty() && EqualsIgnoreCase(uri, kSipVersion)) {
    // "ACK  SIP/2.0": SIPp sends this when [next_url] expands to nothing,
    // and accepts it; so do we (the method still identifies the request).
    out->request_uri = {};
    out->method = method;
    return absl::OkStatus();
  }
  if (uri.empty()) return absl::InvalidArgumentError("request line without Request-URI");
  for (char c : uri) {
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
      return absl::InvalidArgumentError("control character in Request-URI");
    }
  }
  if (!EqualsIgnoreCase(TrimTrailingBlanks(rest), kSipVersion)) {
    return absl::InvalidArgumentError("bad SIP version in request line");
  }
  out->method = method;
  out->request_uri = uri;
  return absl::OkStatus();
}

enum class KnownHeader { kOther, kCallId, kCSeq, kTo, kVia, kContentLength };

KnownHeader Classify(std::string_view name) {
  switch (name.size()) {
    case 1:
      switch (ToLower(name[0])) {
        case 'i':
          return KnownHeader::kCallId;
        case 't':
          return KnownHeader::kTo;
        case 'v':
          return KnownHeader::kVia;
        case 'l':
          return KnownHeader::kContentLength;
        default:
          return KnownHeader::kOther;
      }
    case 2:
      return EqualsIgnoreCase(name, "To") ? KnownHeader::kTo : KnownHeader::kOther;
    case 3:
      return EqualsIgnoreCase(name, "Via") ? KnownHeader::kVia : KnownHeader::kOther;
    case 4:
      return EqualsIgnoreCase(name, "CSeq") ? KnownHeader::kCSeq : KnownHeader::kOther;
    case 7:
      return EqualsIgnoreCase(name, "Call-ID") ? KnownHeader::kCallId : KnownHeader::kOther;
    case 14:
      return EqualsIgnoreCase(name, "Content-Length") ? KnownHeader::kContentLength
                                                      : KnownHeader::kOther;
    default:
      return KnownHeader::kOther;
  }
}

// Shortcut values gathered while the headers are indexed.
struct Shortcuts {
  std::string_view call_id, cseq_method, to_tag, top_via_branch;
  uint32_t cseq_number = 0;
  uint64_t content_length = 0;
  bool seen_call_id = false, seen_cseq = false, seen_to = false, seen_via = false;
  bool seen_content_length = false;
};

// CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16).
absl::Status ParseCSeq(std::string_view value, Shortcuts* out) {
  size_t i = 0;
  uint64_t number = 0;
  while (i < value.size() && IsDigit(value[i])) {
    number = number * 10 + static_cast<uint64_t>(value[i] - '0');
    if (number > UINT32_MAX) return absl::InvalidArgumentError("CSeq number out of range");
    ++i;
  }
  if (i == 0 || i == value.size() || !IsLws(value[i])) {
    return absl::InvalidArgumentError(i == value.size() && i > 0 ? "CSeq without method"
                                                                 : "non-numeric CSeq number");
  }
  while (i < value.size() && IsLws(value[i])) ++i;
  const size_t method_begin = i;
  while (i < value.size() && IsTokenChar(value[i])) ++i;
  if (i == method_begin || i != value.size()) {
    return absl::InvalidArgumentError("malformed CSeq method");
  }
  out->cseq_number = static_cast<uint32_t>(number);
  out->cseq_method = value.substr(method_begin);
  return absl::OkStatus();
}

absl::Status ParseContentLength(std::string_view value, Shortcuts* out) {
  if (value.empty()) return absl::InvalidArgumentError("empty Content-Length");
  uint64_t number = 0;
  for (char c : value) {
    if (!IsDigit(c)) return absl::InvalidArgumentError("non-numeric Content-Length");
    number = number * 10 + static_cast<uint64_t>(c - '0');
    if (number > UINT32_MAX) return absl::InvalidArgumentError("Content-Length out of range");
  }
  if (out->seen_content_length && number != out->content_length) {
    return absl::InvalidArgumentError("conflicting Content-Length headers");
  }
  out->seen_content_length = true;
  out->content_length = number;
  return absl::OkStatus();
}

// Records what `header` (complete, folding included) contributes to the
// shortcuts. Only the first Call-ID / CSeq / To / Via counts.
absl::Status ApplyHeader(const HeaderField& header, Shortcuts* out) {
  switch (Classify(header.name)) {
    case KnownHeader::kOther:
      return absl::OkStatus();
    case KnownHeader::kCallId:
      if (!out->seen_call_id) {
        out->seen_call_id = true;
        out->call_id = header.value;
      }
      return absl::OkStatus();
    case KnownHeader::kCSeq:
      if (out->seen_cseq) return absl::OkStatus();
      out->seen_cseq = true;
      return ParseCSeq(header.value, out);
    case KnownHeader::kTo:
      if (!out->seen_to) {
        out->seen_to = true;
        out->to_tag = HeaderParam(header.value, "tag");
      }
      return absl::OkStatus();
    case KnownHeader::kVia:
      if (!out->seen_via) {
        out->seen_via = true;
        // The first via-parm of a possibly comma-separated list.
        std::string_view first = header.value.substr(0, header.value.find(','));
        out->top_via_branch = HeaderParam(first, "branch");
      }
      return absl::OkStatus();
    case KnownHeader::kContentLength:
      return ParseContentLength(header.value, out);
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view ExpandCompactName(std::string_view name) {
  if (name.size() != 1) return name;
  const char c = ToLower(name[0]);
  if (c < 'a' || c > 'z') return name;
  std::string_view full = kCompactForms[static_cast<size_t>(c - 'a')];
  return full.empty() ? name : full;
}

bool SameHeaderName(std::string_view a, std::string_view b) {
  return EqualsIgnoreCase(ExpandCompactName(a), ExpandCompactName(b));
}

absl::StatusOr<Message> Message::Parse(std::string_view buffer) {
  const size_t size = buffer.size();
  const char* const base = buffer.data();
  size_t pos = 0;
  // RFC 3261 §7.5: CRLFs before the start line are ignored (keep-alives).
  while (pos < size && (buffer[pos] == '\r' || buffer[pos] == '\n')) ++pos;
  if (pos == size) return absl::InvalidArgumentError("empty message");
  const size_t message_begin = pos;

  const Line first = NextLine(buffer, pos);
  StartLine start;
  std::string_view start_line = buffer.substr(first.begin, first.end - first.begin);
  if (absl::Status status = ParseStartLine(start_line, &start); !status.ok()) return status;

  Message message;
  message.headers_.reserve(16);
  Shortcuts shortcuts;
  size_t header_end = first.end;  // End of the last header line's content.
  size_t value_begin = 0;         // Offset just past the colon of headers_.back().
  bool blank_line_found = false;
  size_t body_begin = size;
  pos = first.next;
  while (pos < size) {
    const Line line = NextLine(buffer, pos);
    pos = line.next;
    if (line.begin == line.end) {
      if (line.terminated) {
        blank_line_found = true;
        body_begin = line.next;
      }
      break;
    }
    if (IsBlank(buffer[line.begin])) {
      // Folded continuation of the previous header (RFC 3261 §7.3.1).
      if (message.headers_.empty()) {
        return absl::InvalidArgumentError("continuation line before first header");
      }
      HeaderField& header = message.headers_.back();
      header.line = std::string_view(header.line.data(),
                                     static_cast<size_t>(base + line.end - header.line.data()));
      header.value = TrimLws(buffer.substr(value_begin, line.end - value_begin));
      header_end = line.end;
      continue;
    }
    if (!message.headers_.empty()) {
      if (absl::Status status = ApplyHeader(message.headers_.back(), &shortcuts); !status.ok()) {
        return status;
      }
    }
    const void* colon = std::memchr(base + line.begin, ':', line.end - line.begin);
    if (colon == nullptr) return absl::InvalidArgumentError("header line without colon");
    const size_t colon_pos = static_cast<size_t>(static_cast<const char*>(colon) - base);
    std::string_view name = TrimTrailingBlanks(buffer.substr(line.begin, colon_pos - line.begin));
    if (name.empty()) return absl::InvalidArgumentError("empty header name");
    if (!IsToken(name)) return absl::InvalidArgumentError("invalid character in header name");
    value_begin = colon_pos + 1;
    message.headers_.push_back(
        HeaderField{name, TrimLws(buffer.substr(value_begin, line.end - value_begin)),
                    buffer.substr(line.begin, line.end - line.begin)});
    header_end = line.end;
  }
  if (!message.headers_.empty()) {
    if (absl::Status status = ApplyHeader(message.headers_.back(), &shortcuts); !status.ok()) {
      return status;
    }
  }

  size_t message_end = size;
  if (!blank_line_found) {
    // A datagram may end right after its last header; then there is no body.
    if (shortcuts.content_length > 0) {
      return absl::InvalidArgumentError("missing blank line after headers");
    }
    message.body_ = buffer.substr(size);
  } else if (shortcuts.seen_content_length) {
    if (shortcuts.content_length > size - body_begin) {
      return absl::InvalidArgumentError("body shorter than Content-Length");
    }
    message.body_ = buffer.substr(body_begin, shortcuts.content_length);
    message_end = body_begin + shortcuts.content_length;
  } else {
    message.body_ = buffer.substr(body_begin);
  }

  message.raw_ = buffer.substr(message_begin, message_end - message_begin);
  message.start_line_ = start_line;
  message.header_section_ = buffer.substr(message_begin, header_end - message_begin);
  message.method_ = start.method;
  message.request_uri_ = start.request_uri;
  message.status_code_ = start.status_code;
  message.reason_ = start.reason;
  message.call_id_ = shortcuts.call_id;
  message.cseq_number_ = shortcuts.cseq_number;
  message.cseq_method_ = shortcuts.cseq_method;
  message.to_tag_ = shortcuts.to_tag;
  message.has_to_ = shortcuts.seen_to;
  message.top_via_branch_ = shortcuts.top_via_branch;
  return message;
}

const HeaderField* Message::FindHeader(std::string_view name) const {
  const std::string_view expanded = ExpandCompactName(name);
  for (const HeaderField& header : headers_) {
    if (NameMatchesExpanded(header.name, expanded)) return &header;
  }
  return nullptr;
}

std::vector<const HeaderField*> Message::FindAll(std::string_view name) const {
  const std::string_view expanded = ExpandCompactName(name);
  std::vector<const HeaderField*> found;
  for (const HeaderField& header : headers_) {
    if (NameMatchesExpanded(header.name, expanded)) found.push_back(&header);
  }
  return found;
}

std::string_view PeekCallId(std::string_view buffer) {
  const size_t size = buffer.size();
  const char* const base = buffer.data();
  size_t pos = 0;
  while (pos < size && (buffer[pos] == '\r' || buffer[pos] == '\n')) ++pos;
  if (pos == size) return {};
  // Skip the start line.
  const void* lf = std::memchr(base + pos, '\n', size - pos);
  if (lf == nullptr) return {};
  pos = static_cast<size_t>(static_cast<const char*>(lf) - base) + 1;
  while (pos < size) {
    const Line line = NextLine(buffer, pos);
    if (line.begin == line.end) return {};  // End of the header section.
    const size_t length = line.end - line.begin;
    size_t name_length = 0;
    const char c = ToLower(buffer[line.begin]);
    if (c == 'i') {
      name_length = 1;
    } else if (c == 'c' && length >= 7 &&
               EqualsIgnoreCase(buffer.substr(line.begin, 7), "Call-ID")) {
      name_length = 7;
    }
    if (name_length > 0) {
      size_t i = line.begin + name_length;
      while (i < line.end && IsBlank(buffer[i])) ++i;
      if (i < line.end && buffer[i] == ':') {
        return TrimLws(buffer.substr(i + 1, line.end - i - 1));
      }
    }
    pos = line.next;
  }
  return {};
}

std::string_view HeaderParam(std::string_view header_value, std::string_view param) {
  const std::string_view v = header_value;
  const size_t n = v.size();
  if (param.empty()) return {};
  size_t i = 0;
  while (i < n) {
    const char c = v[i];
    if (c == '<') {
      const void* gt = std::memchr(v.data() + i + 1, '>', n - i - 1);
      if (gt == nullptr) return {};
      i = static_cast<size_t>(static_cast<const char*>(gt) - v.data()) + 1;
      continue;
    }
    if (c == '"') {
      // Quoted string (display name or quoted parameter value).
      ++i;
      while (i < n && v[i] != '"') i += (v[i] == '\\') ? 2 : 1;
      if (i >= n) return {};
      ++i;
      continue;
    }
    ++i;
    if (c != ';') continue;
    while (i < n && IsLws(v[i])) ++i;
    if (n - i < param.size() || !EqualsIgnoreCase(v.substr(i, param.size()), param)) {
      continue;
    }
    size_t j = i + param.size();
    while (j < n && IsLws(v[j])) ++j;
    if (j < n && v[j] == '=') {
      ++j;
      while (j < n && IsLws(v[j])) ++j;
      const size_t value_begin = j;
      while (j < n && v[j] != ';' && v[j] != ',' && v[j] != '>' && !IsLws(v[j])) ++j;
      return v.substr(value_begin, j - value_begin);
    }
    // A flag parameter (";lr") has no value; otherwise `param` was only a
    // prefix of a longer name and the scan goes on.
    if (j == n || v[j] == ';' || v[j] == ',' || v[j] == '>') return {};
  }
  return {};
}

}  // namespace sipfleet::sip
