#ifndef SIPFLEET_COMMON_RUNTIME_DEFAULT_MESSAGES_H_
#define SIPFLEET_COMMON_RUNTIME_DEFAULT_MESSAGES_H_

#include <string>

#include "common/runtime/call.h"
#include "common/runtime/expander.h"
#include "common/sip/message.h"

namespace sipfleet::runtime {

// The messages SIPp's default behaviours send on their own (abort, unexpected
// BYE/CANCEL, non-2xx ACK), built from the call's INVITE as the RFC says.
// Each writes a complete message into `out` (cleared first).

// RFC 3261 §9.1: CANCEL with the INVITE's Request-URI, top Via, From, To,
// Call-ID and CSeq number.
void BuildCancel(const sip::Message& invite, std::string* out);

// RFC 3261 §17.1.1.3: ACK for a non-2xx final response, in the INVITE's
// transaction (same branch), To taken from the response.
void BuildNon2xxAck(const sip::Message& invite, const sip::Message& response, std::string* out);

// RFC 3261 §15.1.1: BYE in the INVITE's dialog with a new branch and
// call.cseq as its CSeq.
void BuildBye(const sip::Message& invite, const Call& call, const RunValues& run, std::string* out);

// RFC 3261 §8.2.6: a 200 OK for `request` (Via, From, To, Call-ID, CSeq
// copied; a To tag added when the request had none).
void BuildOkResponse(const sip::Message& request, const Call& call, const RunValues& run,
                     std::string* out);

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_DEFAULT_MESSAGES_H_
