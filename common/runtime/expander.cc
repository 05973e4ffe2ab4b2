#include "common/runtime/expander.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>

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

// Expands one non-literal, non-[len] segment. Returns false when the keyword
// produced nothing and its line must be dropped.
bool ExpandKeyword(const Segment& s, const RunValues& run, const Call& call, const ExpandInputs& in,
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
    case Keyword::kLocalIp:
    case Keyword::kServerIp:
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
    case Keyword::kUserId:
      AppendNumber(0 + s.offset, out);
      break;
    case Keyword::kLiteral:
    case Keyword::kLen:
      break;
  }
  return true;
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

void Expand(const scenario::MessageTemplate& tmpl, const RunValues& run, const Call& call,
            const ExpandInputs& inputs, std::string* out) {
  out->clear();
  absl::InlinedVector<std::pair<size_t, int32_t>, 2> len_slots;
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
    } else {
      drop_leading_blank = !ExpandKeyword(segment, run, call, inputs, out);
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
