#include "common/scenario/message_template.h"

#include <cctype>
#include <cstdio>

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
    {"rtpstream_audio_port", Keyword::kRtpstreamAudioPort},
    {"rtpstream_video_port", Keyword::kRtpstreamVideoPort},
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
    {"routes", Keyword::kRoutes},
    {"next_url", Keyword::kNextUrl},
    {"dynamic_id", Keyword::kDynamicId},
};

// Keywords SIPp has that a later issue brings; refused by name until then.
constexpr std::string_view kNotYetSupported[] = {
    "tdmmap",
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
  if (absl::Status status = tmpl.CompileBody(cleaned, /*convert_line_ends=*/true, options);
      !status.ok()) {
    return status;
  }
  return tmpl;
}

absl::StatusOr<MessageTemplate> MessageTemplate::CompileText(std::string_view text,
                                                             const Options& options) {
  MessageTemplate tmpl;
  if (absl::Status status = tmpl.CompileBody(text, /*convert_line_ends=*/false, options);
      !status.ok()) {
    return status;
  }
  return tmpl;
}

MessageTemplate MessageTemplate::Literal(std::string_view text) {
  MessageTemplate tmpl;
  if (!text.empty()) tmpl.segments_.push_back(Segment{Keyword::kLiteral, false, 0, std::string(text)});
  return tmpl;
}

namespace {

// The index of the ']' closing the keyword opened at `open`, counting nested
// brackets ([authentication username=[field0]]); npos if unterminated.
size_t FindKeywordEnd(std::string_view text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == '[') {
      ++depth;
    } else if (text[i] == ']' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

// Splits a keyword body "name key=value key="quoted value" ..." into the
// name and its parameters. Unquoted values end at a blank outside brackets.
absl::Status SplitKeywordParams(std::string_view body, std::string_view* name,
                                std::vector<std::pair<std::string_view, std::string_view>>* params) {
  size_t pos = body.find_first_of(" \t");
  *name = body.substr(0, pos);
  while (pos != std::string_view::npos && pos < body.size()) {
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (pos >= body.size()) break;
    size_t equals = body.find('=', pos);
    if (equals == std::string_view::npos) {
      return absl::InvalidArgumentError(
          base::Cat("keyword [", body, "]: parameter '", body.substr(pos), "' lacks '='"));
    }
    std::string_view key = body.substr(pos, equals - pos);
    size_t value_begin = equals + 1;
    size_t value_end;
    if (value_begin < body.size() && body[value_begin] == '"') {
      ++value_begin;
      value_end = body.find('"', value_begin);
      if (value_end == std::string_view::npos) {
        return absl::InvalidArgumentError(
            base::Cat("keyword [", body, "]: unterminated quote after '", key, "='"));
      }
      pos = value_end + 1;
    } else {
      int depth = 0;
      value_end = value_begin;
      while (value_end < body.size() &&
             (depth > 0 || (body[value_end] != ' ' && body[value_end] != '\t'))) {
        if (body[value_end] == '[') ++depth;
        if (body[value_end] == ']') --depth;
        ++value_end;
      }
      pos = value_end;
    }
    params->emplace_back(key, body.substr(value_begin, value_end - value_begin));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWholeFile(std::string_view path) {
  std::string name(path);
  FILE* file = fopen(name.c_str(), "rb");
  if (file == nullptr) {
    return absl::InvalidArgumentError(base::Cat("[file name=\"", path, "\"]: cannot open file"));
  }
  std::string contents;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), file)) > 0) contents.append(buffer, n);
  fclose(file);
  return contents;
}

}  // namespace

absl::Status MessageTemplate::CompileBody(std::string_view text, bool convert_line_ends,
                                          const Options& options) {
  std::string literal;
  auto flush_literal = [&] {
    if (!literal.empty()) {
      segments_.push_back(Segment{Keyword::kLiteral, false, 0, std::move(literal)});
      literal.clear();
    }
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n' && convert_line_ends) {
      literal.append("\r\n");
    } else if (c == '\\' && i + 3 < text.size() && text[i + 1] == 'x' &&
               HexValue(text[i + 2]) >= 0 && HexValue(text[i + 3]) >= 0) {
      literal.push_back(static_cast<char>(HexValue(text[i + 2]) * 16 + HexValue(text[i + 3])));
      i += 3;
    } else if (c == '[') {
      size_t close = FindKeywordEnd(text, i);
      if (close == std::string_view::npos) {
        return absl::InvalidArgumentError(
            base::Cat("unterminated keyword '", text.substr(i, 20), "'"));
      }
      std::string_view body = text.substr(i + 1, close - i - 1);
      i = close;
      if (options.generic_keys != nullptr) {
        auto it = options.generic_keys->find(base::ToAbsl(body));
        if (it != options.generic_keys->end()) {
          literal.append(it->second);
          continue;
        }
      }
      if (body.starts_with("file ")) {  // [file name="x"]: inserted verbatim, read once
        std::string_view name;
        std::vector<std::pair<std::string_view, std::string_view>> params;
        if (absl::Status status = SplitKeywordParams(body, &name, &params); !status.ok()) {
          return status;
        }
        if (params.size() != 1 || params[0].first != "name") {
          return absl::InvalidArgumentError(base::Cat("keyword [", body, "] needs name=\"path\""));
        }
        absl::StatusOr<std::string> contents = ReadWholeFile(params[0].second);
        if (!contents.ok()) return contents.status();
        literal.append(*contents);
        continue;
      }
      absl::StatusOr<Segment> segment = CompileKeyword(body, options);
      if (!segment.ok()) return segment.status();
      flush_literal();
      switch (segment->keyword) {
        case Keyword::kLen:
          has_len_ = true;
          break;
        case Keyword::kLastHeader:
        case Keyword::kLastRequestUri:
        case Keyword::kLastCseqNumber:
        case Keyword::kLastMessage:
          uses_last_message_ = true;
          break;
        case Keyword::kTimestamp:
        case Keyword::kDate:
          uses_wall_clock_ = true;
          break;
        case Keyword::kAuthentication:
          if (has_authentication_) {
            return absl::InvalidArgumentError("only one [authentication] keyword per message");
          }
          has_authentication_ = true;
          break;
        default:
          break;
      }
      if (segment->args != nullptr) {
        for (const auto& arg : *segment->args) {
          if (arg != nullptr && arg->uses_last_message()) uses_last_message_ = true;
          if (arg != nullptr && arg->uses_wall_clock()) uses_wall_clock_ = true;
        }
      }
      segments_.push_back(*std::move(segment));
    } else {
      literal.push_back(c);
    }
  }
  flush_literal();
  return absl::OkStatus();
}

absl::StatusOr<Segment> MessageTemplate::CompileKeyword(std::string_view body,
                                                        const Options& options) {
  Segment segment;
  std::string_view name;
  std::vector<std::pair<std::string_view, std::string_view>> params;
  if (absl::Status status = SplitKeywordParams(body, &name, &params); !status.ok()) return status;
  auto compile_arg = [&](std::string_view value) -> absl::StatusOr<std::shared_ptr<const MessageTemplate>> {
    absl::StatusOr<MessageTemplate> arg = CompileText(value, options);
    if (!arg.ok()) return arg.status();
    return std::make_shared<const MessageTemplate>(*std::move(arg));
  };
  auto unknown_param = [&](std::string_view key) {
    return absl::InvalidArgumentError(
        base::Cat("keyword [", body, "]: unknown parameter '", key, "'"));
  };

  if (name.starts_with("field") && name.size() > 5 &&
      name.find_first_not_of("0123456789", 5) == std::string_view::npos) {
    segment.keyword = Keyword::kField;
    base::ParseInt(name.substr(5), &segment.field);
    std::string_view file;
    auto args = std::make_shared<std::vector<std::shared_ptr<const MessageTemplate>>>(1);
    for (const auto& [key, value] : params) {
      if (key == "file") {
        file = value;
      } else if (key == "line") {
        absl::StatusOr<std::shared_ptr<const MessageTemplate>> line = compile_arg(value);
        if (!line.ok()) return line.status();
        (*args)[0] = *std::move(line);
      } else {
        return unknown_param(key);
      }
    }
    if (!options.resolve_injection_file) {
      return absl::InvalidArgumentError(
          base::Cat("keyword [", body, "] needs an injection file (-inf)"));
    }
    absl::StatusOr<int> index = options.resolve_injection_file(file);
    if (!index.ok()) return index.status();
    segment.file = *index;
    segment.args = std::move(args);
    return segment;
  }
  if (name.starts_with("$")) {
    if (!params.empty() || name.size() == 1) {
      return absl::InvalidArgumentError(base::Cat("bad variable keyword [", body, "]"));
    }
    if (!options.resolve_variable) {
      return absl::InvalidArgumentError(base::Cat("variables are not allowed here: [", body, "]"));
    }
    absl::StatusOr<VariableRef> ref = options.resolve_variable(name.substr(1));
    if (!ref.ok()) return ref.status();
    segment.keyword = Keyword::kVariable;
    segment.variable = *ref;
    return segment;
  }
  if (name == "authentication") {
    segment.keyword = Keyword::kAuthentication;
    auto args = std::make_shared<std::vector<std::shared_ptr<const MessageTemplate>>>(kAuthArgCount);
    for (const auto& [key, value] : params) {
      int position = key == "username"  ? kAuthUsername
                     : key == "password" ? kAuthPassword
                     : key == "aka_K"    ? kAuthAkaK
                     : key == "aka_OP"   ? kAuthAkaOp
                     : key == "aka_AMF"  ? kAuthAkaAmf
                                         : -1;
      if (position < 0) return unknown_param(key);
      absl::StatusOr<std::shared_ptr<const MessageTemplate>> arg = compile_arg(value);
      if (!arg.ok()) return arg.status();
      (*args)[position] = *std::move(arg);
    }
    segment.args = std::move(args);
    return segment;
  }
  if (name == "fill") {
    segment.keyword = Keyword::kFill;
    segment.text = "X";
    for (const auto& [key, value] : params) {
      if (key == "variable") {
        if (!options.resolve_variable) {
          return absl::InvalidArgumentError(base::Cat("variables are not allowed here: [", body, "]"));
        }
        absl::StatusOr<VariableRef> ref = options.resolve_variable(value);
        if (!ref.ok()) return ref.status();
        segment.variable = *ref;
      } else if (key == "text") {
        segment.text = std::string(value);
      } else {
        return unknown_param(key);
      }
    }
    if (!segment.variable.valid()) {
      return absl::InvalidArgumentError(base::Cat("keyword [", body, "] needs variable="));
    }
    return segment;
  }
  if (!params.empty()) {
    return absl::InvalidArgumentError(base::Cat("keyword [", name, "] takes no parameters"));
  }
  SplitOffset(body, &name, &segment.offset);
  for (const SimpleKeyword& kw : kSimpleKeywords) {
    if (kw.name == name) {
      segment.keyword = kw.keyword;
      return segment;
    }
  }
  if (body.starts_with("last_")) {
    segment.keyword = Keyword::kLastHeader;
    segment.offset = 0;
    std::string_view header = body.substr(5);
    segment.full_header = header.ends_with(":");
    if (segment.full_header) header.remove_suffix(1);
    if (header.empty()) return absl::InvalidArgumentError("empty header name in [last_]");
    segment.text = std::string(header);
    return segment;
  }
  for (std::string_view prefix : kNotYetSupported) {
    if (body.starts_with(prefix)) {
      return absl::UnimplementedError(base::Cat("keyword [", body, "] is not supported yet"));
    }
  }
  return absl::InvalidArgumentError(base::Cat("unsupported keyword [", body, "]"));
}

}  // namespace sipfleet::scenario
