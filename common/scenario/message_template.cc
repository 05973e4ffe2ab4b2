#include "common/scenario/message_template.h"

#include <cctype>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/base/strings.h"

namespace sipfleet::scenario {
namespace {

struct SimpleKeyword {
  std::string_view name;
  Keyword keyword;
};

// SIPp's SimpleKeywords[] names (src/message.cpp), mapped to ours.
constexpr SimpleKeyword kSimpleKeywords[] = {
    {"service", Keyword::kService},
    {"remote_ip", Keyword::kRemoteIp},
    {"remote_host", Keyword::kRemoteHost},
    {"remote_port", Keyword::kRemotePort},
    {"local_ip", Keyword::kLocalIp},
    {"local_ip_type", Keyword::kLocalIpType},
    {"local_port", Keyword::kLocalPort},
    {"server_ip", Keyword::kServerIp},
    {"transport", Keyword::kTransport},
    {"media_ip", Keyword::kMediaIp},
    {"media_ip_type", Keyword::kMediaIpType},
    {"media_port", Keyword::kMediaPort},
    {"auto_media_port", Keyword::kAutoMediaPort},
    {"call_number", Keyword::kCallNumber},
    {"call_id", Keyword::kCallId},
    {"cseq", Keyword::kCseq},
    {"branch", Keyword::kBranch},
    {"pid", Keyword::kPid},
    {"msg_index", Keyword::kMsgIndex},
    {"len", Keyword::kLen},
    {"peer_tag_param", Keyword::kPeerTagParam},
    {"last_Request_URI", Keyword::kLastRequestUri},
    {"last_cseq_number", Keyword::kLastCseqNumber},
    {"last_message", Keyword::kLastMessage},
    {"sipp_version", Keyword::kSippVersion},
    {"clock_tick", Keyword::kClockTick},
    {"timestamp", Keyword::kTimestamp},
    {"date", Keyword::kDate},
    {"users", Keyword::kUsers},
    {"userid", Keyword::kUserId},
};

// Keywords SIPp has that a later issue brings; refused by name until then.
constexpr std::string_view kNotYetSupported[] = {
    "field",
    "$",
    "authentication",
    "routes",
    "next_url",
    "tdmmap",
    "dynamic_id",
    "file",
    "fill",
    "rtpstream_audio_port",
    "rtpstream_video_port",
    "crypto",
    "uecrypto",
};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

void EraseAll(std::string& s, std::string_view pattern, size_t keep_offset) {
  // Removes the one character of `pattern` that is not at `keep_offset`,
  // repeatedly, as SIPp's memmove loops do.
  size_t pos;
  while ((pos = s.find(pattern)) != std::string::npos) {
    s.erase(pos + (keep_offset == 0 ? 1 : 0), 1);
  }
}

// Splits "cseq+1" into name and offset. Only a trailing +N/-N counts.
void SplitOffset(std::string_view body, std::string_view* name, int32_t* offset) {
  *name = body;
  *offset = 0;
  size_t sign = body.find_last_of("+-");
  if (sign == std::string_view::npos || sign == 0 || sign + 1 == body.size()) return;
  int value = 0;
  if (!base::ParseInt(body.substr(sign + 1), &value)) return;
  *name = body.substr(0, sign);
  *offset = body[sign] == '-' ? -value : value;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(absl::ascii_tolower(c));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string CleanCdata(std::string_view cdata) {
  size_t begin = 0;
  while (begin < cdata.size() && IsBlank(cdata[begin])) ++begin;
  size_t end = cdata.size();
  int removed_line_ends = 0;
  while (end > begin && IsBlank(cdata[end - 1])) {
    if (cdata[end - 1] == '\n') ++removed_line_ends;
    --end;
  }
  std::string msg(cdata.substr(begin, end - begin));
  EraseAll(msg, "\n ", 0);
  EraseAll(msg, " \n", 1);
  EraseAll(msg, "\n\t", 0);
  EraseAll(msg, "\t\n", 1);
  // Checked after the blank-stripping, so a separator line holding only a TAB
  // still counts as the header/body separator (test github-#0337).
  bool has_blank_line = msg.find("\n\n") != std::string::npos;
  if (!has_blank_line) {
    msg.append("\n\n");
  } else if (removed_line_ends > 0) {
    msg.push_back('\n');
  }
  return msg;
}

absl::StatusOr<MessageTemplate> MessageTemplate::Compile(std::string_view cdata,
                                                         const Options& options) {
  MessageTemplate tmpl;
  std::string cleaned = CleanCdata(cdata);
  if (cleaned.size() <= 2) return absl::InvalidArgumentError("empty CDATA in <send>");

  // The first line decides method / status and must be literal (§3.7).
  size_t first_eol = cleaned.find('\n');
  std::string_view first_line = std::string_view(cleaned).substr(0, first_eol);
  size_t space = first_line.find(' ');
  std::string_view first_token = first_line.substr(0, space);
  if (first_token.empty() || first_token.find('[') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        "the first line of a <send> must start with a literal method or SIP/2.0 status");
  }
  if (first_token == "SIP/2.0") {
    std::string_view code = space == std::string_view::npos ? "" : first_line.substr(space + 1, 3);
    if (!base::ParseInt(code, &tmpl.status_code_) || tmpl.status_code_ < 100 ||
        tmpl.status_code_ > 699) {
      return absl::InvalidArgumentError(
          base::Cat("invalid response status in '", first_line, "' (100-699 expected)"));
    }
  } else {
    tmpl.method_ = std::string(first_token);
  }

  std::string literal;
  auto flush_literal = [&] {
    if (!literal.empty()) {
      tmpl.segments_.push_back(Segment{Keyword::kLiteral, false, 0, std::move(literal)});
      literal.clear();
    }
  };
  for (size_t i = 0; i < cleaned.size(); ++i) {
    char c = cleaned[i];
    if (c == '\n') {
      literal.append("\r\n");
    } else if (c == '\\' && i + 3 < cleaned.size() && cleaned[i + 1] == 'x' &&
               HexValue(cleaned[i + 2]) >= 0 && HexValue(cleaned[i + 3]) >= 0) {
      literal.push_back(
          static_cast<char>(HexValue(cleaned[i + 2]) * 16 + HexValue(cleaned[i + 3])));
      i += 3;
    } else if (c == '[') {
      size_t close = cleaned.find(']', i);
      if (close == std::string::npos) {
        return absl::InvalidArgumentError(
            base::Cat("unterminated keyword '", cleaned.substr(i, 20), "'"));
      }
      std::string_view body = std::string_view(cleaned).substr(i + 1, close - i - 1);
      i = close;
      if (options.generic_keys != nullptr) {
        auto it = options.generic_keys->find(base::ToAbsl(body));
        if (it != options.generic_keys->end()) {
          literal.append(it->second);
          continue;
        }
      }
      Segment segment;
      std::string_view name;
      SplitOffset(body, &name, &segment.offset);
      bool found = false;
      for (const SimpleKeyword& kw : kSimpleKeywords) {
        if (kw.name == name) {
          segment.keyword = kw.keyword;
          found = true;
          break;
        }
      }
      if (!found && body.starts_with("last_")) {
        segment.keyword = Keyword::kLastHeader;
        segment.offset = 0;
        std::string_view header = body.substr(5);
        segment.full_header = header.ends_with(":");
        if (segment.full_header) header.remove_suffix(1);
        if (header.empty()) return absl::InvalidArgumentError("empty header name in [last_]");
        segment.text = std::string(header);
        found = true;
      }
      if (!found) {
        for (std::string_view prefix : kNotYetSupported) {
          if (body.starts_with(prefix)) {
            return absl::UnimplementedError(base::Cat("keyword [", body, "] is not supported yet"));
          }
        }
        return absl::InvalidArgumentError(base::Cat("unsupported keyword [", body, "]"));
      }
      flush_literal();
      if (segment.keyword == Keyword::kLen) tmpl.has_len_ = true;
      if (segment.keyword == Keyword::kLastHeader || segment.keyword == Keyword::kLastRequestUri ||
          segment.keyword == Keyword::kLastCseqNumber || segment.keyword == Keyword::kLastMessage) {
        tmpl.uses_last_message_ = true;
      }
      tmpl.segments_.push_back(std::move(segment));
    } else {
      literal.push_back(c);
    }
  }
  flush_literal();
  return tmpl;
}

}  // namespace sipfleet::scenario
