#ifndef SIPFLEET_COMMON_RUNTIME_EXPANDER_H_
#define SIPFLEET_COMMON_RUNTIME_EXPANDER_H_

#include <cstdint>
#include <string>

#include "common/runtime/call.h"
#include "common/scenario/message_template.h"
#include "common/sip/message.h"

namespace sipfleet::runtime {

// Values fixed for a worker's whole run, precomputed as strings.
struct RunValues {
  std::string service;
  std::string remote_ip;    // IPv6 in brackets
  std::string remote_host;  // as typed
  std::string remote_port;
  std::string local_ip;       // IPv6 in brackets
  std::string local_ip_type;  // "4" or "6"
  std::string local_port;
  std::string transport = "UDP";
  std::string media_ip;  // no brackets
  std::string media_ip_type;
  int media_port = 6000;
  // [rtpstream_audio_port]/[rtpstream_video_port]: the worker's media socket
  // (rtp_stream and play_* send from it); the -mp port when there is none.
  int rtpstream_port = 6000;
  std::string pid;
  std::string version;
};

// Keywords whose values live outside the call's compact state (variables,
// CSV files, credentials, counters shared by workers). Implemented by the
// worker; only scenarios using these keywords call it.
class KeywordResolver {
 public:
  virtual ~KeywordResolver() = default;
  // [$var] and [fill]: the variable's value as SIPp prints it.
  virtual void AppendVariable(const Call& call, scenario::VariableRef ref, std::string* out) = 0;
  // [fieldN file= line=]; false when the field does not exist.
  virtual bool AppendField(Call& call, const scenario::Segment& segment, int msg_index,
                           std::string* out) = 0;
  // [authentication ...] for a request with `method`, `uri` and `body`:
  // the whole header line without CRLF; false when there is no challenge.
  virtual bool AppendAuthorization(Call& call, const scenario::Segment& segment, int msg_index,
                                   std::string_view method, std::string_view uri,
                                   std::string_view body, std::string* out) = 0;
  // [dynamic_id]: the next value of the process-wide counter.
  virtual int64_t NextDynamicId() = 0;
  // [users] / [userid].
  virtual int64_t Users() const = 0;
  virtual int64_t UserId(const Call& call) const = 0;
  // [server_ip]: the address of the socket the call uses (-t ui); empty =
  // [local_ip].
  virtual std::string_view ServerIp(const Call& call) const { return {}; }
};

// Per-expansion inputs besides the call.
struct ExpandInputs {
  int msg_index = 0;
  const sip::Message* last_message = nullptr;  // parsed Call::last_message, or null
  int64_t clock_ms = 0;
  int64_t wall_micros = 0;
  KeywordResolver* resolver = nullptr;  // required by kField/kVariable/... keywords
};

// Expands a compiled template into `out` (cleared first) following SIPp's
// byte rules: [len] printed as %5u after the body is known, a missing
// [last_X] removes its line. The buffer is reused across calls to avoid
// allocation on the hot path.
// `call` is non-const only because [authentication] advances the call's
// nonce count.
void Expand(const scenario::MessageTemplate& tmpl, const RunValues& run, Call& call,
            const ExpandInputs& inputs, std::string* out);

// Expands a keyword-expanded attribute (action text, keyword parameter) with
// the same inputs; no [len] or line-dropping rules apply.
void ExpandText(const scenario::MessageTemplate& tmpl, const RunValues& run, Call& call,
                const ExpandInputs& inputs, std::string* out);

// Appends `[last_<name>]` / `[last_<name>:]` for `message` to `out`: all
// headers of that name in the header section, the first one as written and
// later ones appended as ", value". Returns false if there is none.
bool AppendLastHeader(const sip::Message& message, std::string_view name, bool full_header,
                      std::string* out);

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_EXPANDER_H_
