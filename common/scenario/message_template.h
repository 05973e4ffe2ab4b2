#ifndef SIPFLEET_COMMON_SCENARIO_MESSAGE_TEMPLATE_H_
#define SIPFLEET_COMMON_SCENARIO_MESSAGE_TEMPLATE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/scenario/variables.h"

namespace sipfleet::scenario {

// Keywords a template may contain (SIPP_NOTES §3.5). Values a run fixes once
// (-key keywords) are folded into literals at compile time.
enum class Keyword : uint8_t {
  kLiteral,
  kService,
  kRemoteIp,
  kRemoteHost,
  kRemotePort,
  kLocalIp,
  kLocalIpType,
  kLocalPort,
  kServerIp,
  kTransport,
  kMediaIp,
  kMediaIpType,
  kMediaPort,
  kAutoMediaPort,
  kRtpstreamAudioPort,  // the port rtp_stream sends from
  kRtpstreamVideoPort,
  kCallNumber,
  kCallId,
  kCseq,
  kBranch,
  kPid,
  kMsgIndex,
  kLen,
  kPeerTagParam,
  kLastHeader,  // `argument` = header name; `full_header` = "[last_X:]" form.
  kLastRequestUri,
  kLastCseqNumber,
  kLastMessage,
  kSippVersion,
  kClockTick,
  kTimestamp,
  kDate,
  kUsers,
  kUserId,
  kField,           // [fieldN file= line=]: `field`, `file`, args[0] = line
  kVariable,        // [$name]
  kAuthentication,  // [authentication ...]: args = kAuthArg* (empty = absent)
  kRoutes,          // [routes]
  kNextUrl,         // [next_url]
  kDynamicId,       // [dynamic_id]
  kFill,            // [fill variable=N text=X]: `variable`, `text`
  kTdmmap,          // [tdmmap]
};

class MessageTemplate;

// Positions of [authentication] parameters in Segment::args.
enum AuthArg : int { kAuthUsername, kAuthPassword, kAuthAkaK, kAuthAkaOp, kAuthAkaAmf, kAuthArgCount };

// One piece of a compiled message: literal bytes or a keyword with its
// numeric offset (`[cseq+1]`) and argument (`[last_Via:]` -> "Via").
struct Segment {
  Keyword keyword = Keyword::kLiteral;
  bool full_header = false;
  int32_t offset = 0;
  std::string text;  // literal bytes, or the keyword argument
  VariableRef variable;  // kVariable, kFill
  int32_t field = 0;     // kField: field number
  int32_t file = 0;      // kField: -inf file index
  // Keyword parameters that are templates themselves (they may hold
  // keywords, e.g. [authentication username=[field0]]). Null entries are
  // parameters not given.
  std::shared_ptr<const std::vector<std::shared_ptr<const MessageTemplate>>> args;
};

// A <send> body compiled once at load time (SIPp's SendingMessage): the
// CDATA cleaned by SIPp's whitespace rules (SIPP_NOTES §3.7), LF turned into
// CRLF, `\xHH` escapes decoded, keywords split out. Immutable after compile,
// shared by all workers.
class MessageTemplate {
 public:
  struct Options {
    // -key name value: generic keywords, folded as literals.
    const absl::flat_hash_map<std::string, std::string>* generic_keys = nullptr;
    // Resolves a variable name of [$name] / [fill variable=name] (and
    // counts the use). Null: variables are refused.
    std::function<absl::StatusOr<VariableRef>(std::string_view name)> resolve_variable;
    // Resolves [field file="x"] to an -inf index ("" = the first file).
    // Null: [field] is refused ("no -inf file").
    std::function<absl::StatusOr<int>(std::string_view file)> resolve_injection_file;
  };

  // Compiles raw CDATA text. Errors name the offending keyword; the caller
  // prefixes the file:line location.
  static absl::StatusOr<MessageTemplate> Compile(std::string_view cdata, const Options& options);
  // Compiles keyword-expanded attribute text (action values, keyword
  // parameters): no CDATA cleaning, no CRLF conversion, no first-line rule.
  static absl::StatusOr<MessageTemplate> CompileText(std::string_view text, const Options& options);
  // The template of a literal string.
  static MessageTemplate Literal(std::string_view text);

  const std::vector<Segment>& segments() const { return segments_; }
  bool has_len() const { return has_len_; }
  // True if any [last_*] style keyword needs the last received message.
  bool uses_last_message() const { return uses_last_message_; }
  // True if the template is one literal segment (or empty).
  bool is_literal() const {
    return segments_.empty() || (segments_.size() == 1 && segments_[0].keyword == Keyword::kLiteral);
  }
  bool has_authentication() const { return has_authentication_; }
  // True if [timestamp] or [date] needs the wall clock.
  bool uses_wall_clock() const { return uses_wall_clock_; }
  // First line's first token: request method, or empty for responses.
  std::string_view method() const { return method_; }
  // Response status code, 0 for requests.
  int status_code() const { return status_code_; }

 private:
  std::vector<Segment> segments_;
  std::string method_;
  int status_code_ = 0;
  bool has_len_ = false;
  bool uses_last_message_ = false;
  bool has_authentication_ = false;
  bool uses_wall_clock_ = false;

  absl::Status CompileBody(std::string_view text, bool convert_line_ends, const Options& options);
  absl::StatusOr<Segment> CompileKeyword(std::string_view body, const Options& options);
};

// SIPp's clean_cdata(): strips leading/trailing blank characters, removes
// spaces and tabs around line ends, appends "\n\n" when the text has no blank
// line, else re-appends one "\n" if trailing line ends were stripped.
// Exposed for tests.
std::string CleanCdata(std::string_view cdata);

}  // namespace sipfleet::scenario

#endif  // SIPFLEET_COMMON_SCENARIO_MESSAGE_TEMPLATE_H_
