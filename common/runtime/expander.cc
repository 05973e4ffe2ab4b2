#include "common/runtime/expander.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <optional>

#include "common/base/strings.h"

namespace sipfleet::runtime {
namespace {

using scenario::Keyword;
using scenario::Segment;

constexpr size_t kLenWidth = 5;

void AppendNumber(int64_t value, std::string* out) { base::Append(out, value); }

// The URI inside <...> of the To header ([last_Request_URI]).
std::string_view ToUri(const sip::Message& message) {
  const sip::HeaderField* to = message.FindHeader("To");
  if (to == nullptr) return {};
  std::string_view value = to->value;
  size_t open = value.find('<');
  size_t close = value.find('>', open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || close == std::string_view::npos) return {};
  return value.substr(open + 1, close - open - 1);
}

void AppendTimestamp(int64_t wall_micros, std::string* out) {
  time_t seconds = static_cast<time_t>(wall_micros / 1'000'000);
  tm local{};
  localtime_r(&seconds, &local);
  char buffer[64];
  size_t n = strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%S", &local);
  snprintf(buffer + n, sizeof(buffer) - n, ".%06lld",
           static_cast<long long>(wall_micros % 1'000'000));
  out->append(buffer);
}

void AppendDate(int64_t wall_micros, std::string* out) {
  time_t seconds = static_cast<time_t>(wall_micros / 1'000'000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  out->append(buffer);
}

// Expands one non-literal, non-[len], non-[authentication] segment. Returns
// false when the keyword produced nothing and its line must be dropped.
bool ExpandKeyword(const Segment& s, const RunValues& run, Call& call, const ExpandInputs& in,
                   std::string* out) {
  switch (s.keyword) {
    case Keyword::kService:
      out->append(run.service);
      break;
    case Keyword::kRemoteIp:
      out->append(run.remote_ip);
      break;
    case Keyword::kRemoteHost:
      out->append(run.remote_host);
      break;
    case Keyword::kRemotePort:
      out->append(run.remote_port);
      break;
    case Keyword::kServerIp:
      if (in.resolver != nullptr) {
        if (std::string_view ip = in.resolver->ServerIp(call); !ip.empty()) {
          out->append(ip);
          break;
        }
      }
      out->append(run.local_ip);
      break;
    case Keyword::kLocalIp:
      out->append(run.local_ip);
      break;
    case Keyword::kLocalIpType:
      out->append(run.local_ip_type);
      break;
    case Keyword::kLocalPort:
      AppendNumber(call.local_port + s.offset, out);
      break;
    case Keyword::kTransport:
      out->append(run.transport);
      break;
    case Keyword::kMediaIp:
      out->append(run.media_ip);
      break;
    case Keyword::kMediaIpType:
      out->append(run.media_ip_type);
      break;
    case Keyword::kMediaPort:
      AppendNumber(run.media_port + s.offset, out);
      break;
    case Keyword::kAutoMediaPort:
      AppendNumber(run.media_port + (4 * (int64_t{call.call_number} - 1)) % 10000 + s.offset, out);
      break;
    case Keyword::kRtpstreamAudioPort:
    case Keyword::kRtpstreamVideoPort:
      AppendNumber(run.rtpstream_port + s.offset, out);
      break;
    case Keyword::kCallNumber:
      AppendNumber(int64_t{call.call_number} + s.offset, out);
      break;
    case Keyword::kCallId:
      out->append(call.call_id);
      break;
    case Keyword::kCseq:
      AppendNumber(int64_t{call.cseq} + s.offset, out);
      break;
    case Keyword::kBranch:
      base::Append(out, "z9hG4bK-", run.pid, "-", call.call_number, "-", in.msg_index + s.offset);
      break;
    case Keyword::kPid:
      out->append(run.pid);
      break;
    case Keyword::kMsgIndex:
      AppendNumber(in.msg_index + s.offset, out);
      break;
    case Keyword::kPeerTagParam:
      if (!call.peer_tag.empty()) base::Append(out, ";tag=", call.peer_tag);
      break;
    case Keyword::kLastHeader:
      return in.last_message != nullptr &&
             AppendLastHeader(*in.last_message, s.text, s.full_header, out);
    case Keyword::kLastRequestUri:
      if (in.last_message != nullptr) out->append(ToUri(*in.last_message));
      break;
    case Keyword::kLastCseqNumber:
      if (in.last_message != nullptr) {
        AppendNumber(int64_t{in.last_message->cseq_number()} + s.offset, out);
      }
      break;
    case Keyword::kLastMessage:
      if (in.last_message != nullptr) out->append(in.last_message->raw());
      break;
    case Keyword::kSippVersion:
      out->append(run.version);
      break;
    case Keyword::kClockTick:
      AppendNumber(in.clock_ms + s.offset, out);
      break;
    case Keyword::kTimestamp:
      AppendTimestamp(in.wall_micros, out);
      break;
    case Keyword::kDate:
      AppendDate(in.wall_micros, out);
      break;
    case Keyword::kUsers:
      AppendNumber((in.resolver ? in.resolver->Users() : 0) + s.offset, out);
      break;
    case Keyword::kUserId:
      AppendNumber((in.resolver ? in.resolver->UserId(call) : 0) + s.offset, out);
      break;
    case Keyword::kField:
      if (in.resolver != nullptr) in.resolver->AppendField(call, s, in.msg_index, out);
      break;
    case Keyword::kVariable:
      if (in.resolver != nullptr) in.resolver->AppendVariable(call, s.variable, out);
      break;
    case Keyword::kFill: {
      if (in.resolver == nullptr) break;
      std::string length_text;
      in.resolver->AppendVariable(call, s.variable, &length_text);
      double length = std::strtod(length_text.c_str(), nullptr);
      for (int64_t i = 0; i < static_cast<int64_t>(length) && !s.text.empty(); ++i) {
        out->push_back(s.text[static_cast<size_t>(i) % s.text.size()]);
      }
      break;
    }
    case Keyword::kRoutes:
      if (call.extras == nullptr || call.extras->routes.empty()) return false;
      base::Append(out, "Route: ", call.extras->routes);
      break;
    case Keyword::kNextUrl:
      // SIPp prints nothing before a rrs="true" receive recorded a target.
      if (call.extras != nullptr) out->append(call.extras->next_url);
      break;
    case Keyword::kDynamicId:
      AppendNumber((in.resolver ? in.resolver->NextDynamicId() : 0) + s.offset, out);
      break;
    case Keyword::kTdmmap:
    case Keyword::kAuthentication:
    case Keyword::kLiteral:
    case Keyword::kLen:
      break;
  }
  return true;
}

// The Request-URI of an expanded request (second token of the first line).
std::string_view RequestUri(std::string_view message) {
  size_t first = message.find(' ');
  if (first == std::string_view::npos) return {};
  size_t second = message.find(' ', first + 1);
  if (second == std::string_view::npos) return {};
  return message.substr(first + 1, second - first - 1);
}

// The body of an expanded message (after the first blank line).
std::string_view BodyOf(std::string_view message) {
  size_t blank = message.find("\r\n\r\n");
  return blank == std::string_view::npos ? std::string_view() : message.substr(blank + 4);
}

}  // namespace

bool AppendLastHeader(const sip::Message& message, std::string_view name, bool full_header,
                      std::string* out) {
  bool found = false;
  for (const sip::HeaderField& header : message.headers()) {
    if (!sip::SameHeaderName(header.name, name)) continue;
    if (!found) {
      out->append(full_header ? header.line : header.value);
      found = true;
    } else {
      out->append(", ");
      out->append(header.value);
    }
  }
  return found;
}

void ExpandText(const scenario::MessageTemplate& tmpl, const RunValues& run, Call& call,
                const ExpandInputs& inputs, std::string* out) {
  out->clear();
  for (const Segment& segment : tmpl.segments()) {
    if (segment.keyword == Keyword::kLiteral) {
      out->append(segment.text);
    } else if (segment.keyword != Keyword::kLen && segment.keyword != Keyword::kAuthentication) {
      ExpandKeyword(segment, run, call, inputs, out);
    }
  }
}

namespace {

// Inserts the [authentication] header at `position` once the whole message
// (and so the body, for qop=auth-int) is known, as SIPp does. Returns the
// number of bytes inserted.
size_t InsertAuthorization(const scenario::MessageTemplate& tmpl, const Segment& segment,
                           size_t position, Call& call, const ExpandInputs& inputs,
                           std::string* out) {
  if (inputs.resolver == nullptr) return 0;
  std::string header;
  if (!inputs.resolver->AppendAuthorization(call, segment, inputs.msg_index, tmpl.method(),
                                            RequestUri(*out), BodyOf(*out), &header)) {
    // No challenge: like an absent [last_X], the line goes.
    size_t end = out->find("\r\n", position);
    if (end != std::string::npos && end == position) out->erase(position, 2);
    return 0;
  }
  out->insert(position, header);
  return header.size();
}

// SIPp processes one keyword inside an injected field value: an
// "[authentication ...]" there (the reference's `User0001;[authentication
// username=joe password=schmo]` sent as [field1]) becomes the message's
// authentication keyword, up to the first ']' (its call.cpp, injection
// case of createSendingMessage). Any other keyword in a field value is sent
// as written. Removes the keyword's text from `out` (searched from `from`)
// and returns it compiled, with its position; nothing if there is none.
std::optional<scenario::MessageTemplate> TakeInjectedAuthentication(std::string* out, size_t from,
                                                                    size_t* position) {
  size_t marker = out->find("[authentication", from);
  if (marker == std::string::npos) return std::nullopt;
  size_t close = out->find(']', marker);
  if (close == std::string::npos) return std::nullopt;
  absl::StatusOr<scenario::MessageTemplate> keyword = scenario::MessageTemplate::CompileText(
      std::string_view(*out).substr(marker, close + 1 - marker), {});
  if (!keyword.ok() || keyword->segments().size() != 1 ||
      keyword->segments()[0].keyword != Keyword::kAuthentication) {
    return std::nullopt;
  }
  out->erase(marker, close + 1 - marker);
  *position = marker;
  return *std::move(keyword);
}

}  // namespace

void Expand(const scenario::MessageTemplate& tmpl, const RunValues& run, Call& call,
            const ExpandInputs& inputs, std::string* out) {
  out->clear();
  absl::InlinedVector<std::pair<size_t, int32_t>, 2> len_slots;
  const Segment* auth_segment = nullptr;
  std::optional<scenario::MessageTemplate> injected_auth;
  size_t auth_position = 0;
  bool drop_leading_blank = false;
  for (const Segment& segment : tmpl.segments()) {
    if (segment.keyword == Keyword::kLiteral) {
      std::string_view text = segment.text;
      if (drop_leading_blank) {
        // SIPp removes the line of an absent [last_X]: the blank characters
        // (including the CRLF) that follow it are skipped.
        size_t skip = 0;
        while (skip < text.size() && std::isspace(static_cast<unsigned char>(text[skip]))) ++skip;
        text.remove_prefix(skip);
        drop_leading_blank = false;
      }
      out->append(text);
    } else if (segment.keyword == Keyword::kLen) {
      len_slots.emplace_back(out->size(), segment.offset);
      out->append(kLenWidth, ' ');
    } else if (segment.keyword == Keyword::kAuthentication) {
      auth_segment = &segment;
      auth_position = out->size();
    } else {
      const size_t start = out->size();
      drop_leading_blank = !ExpandKeyword(segment, run, call, inputs, out);
      if (segment.keyword == Keyword::kField && auth_segment == nullptr) {
        injected_auth = TakeInjectedAuthentication(out, start, &auth_position);
        if (injected_auth.has_value()) auth_segment = &injected_auth->segments()[0];
      }
    }
  }
  if (auth_segment != nullptr) {
    size_t inserted = InsertAuthorization(tmpl, *auth_segment, auth_position, call, inputs, out);
    for (auto& [position, offset] : len_slots) {
      if (position >= auth_position) position += inserted;
    }
  }
  if (len_slots.empty()) return;
  size_t body_start = out->find("\r\n\r\n");
  size_t body_length = body_start == std::string::npos ? 0 : out->size() - (body_start + 4);
  // Back to front, so a value wider than the placeholder shifts nothing
  // still to be written.
  for (auto it = len_slots.rbegin(); it != len_slots.rend(); ++it) {
    const auto& [position, offset] = *it;
    // printf("%5u") without printf: right-aligned in five columns.
    char digits[24];
    int64_t value = static_cast<int64_t>(body_length) + offset;
    char* end = std::to_chars(digits, digits + sizeof(digits), value).ptr;
    size_t length = static_cast<size_t>(end - digits);
    if (length < kLenWidth) {
      out->replace(position + kLenWidth - length, length, digits, length);
    } else {
      out->replace(position, kLenWidth, digits, length);
    }
  }
}

}  // namespace sipfleet::runtime
