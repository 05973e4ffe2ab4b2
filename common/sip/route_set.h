#ifndef SIPFLEET_COMMON_SIP_ROUTE_SET_H_
#define SIPFLEET_COMMON_SIP_ROUTE_SET_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sip/message.h"

namespace sipfleet::sip {

// Splits a header value that is a comma-separated list (RFC 3261 §7.3.1)
// into its values, blanks trimmed, empty ones dropped. A comma inside <...>
// or inside a "quoted string" (with its backslash escapes) does not separate.
std::vector<std::string_view> SplitHeaderValues(std::string_view value);

// What a dialog's requests are sent with: the Route header value (entries
// joined by ", ", empty when there is no route set) and the Request-URI.
struct DialogRoute {
  std::string routes;
  std::string next_url;
};

// The route set and remote target that `message` gives the dialog it
// creates (SIPp's rrs="true"). A UAC (`message` is a response) takes every
// Record-Route value of every Record-Route line in reverse order (RFC 3261
// §12.1.2), a UAS (a request) in order (§12.1.1). If the first entry is a
// strict router (its URI has no `lr` parameter), it is the Request-URI and the
// Contact, as written, is the last route (§12.2.1.1); otherwise the
// Request-URI is the Contact's URI. nullopt when there is no Contact (SIPp
// then records nothing).
std::optional<DialogRoute> ComputeDialogRoute(const Message& message);

// The URI of a name-addr or addr-spec ("Bob" <sip:b@x>;p=1 -> sip:b@x,
// sip:b@x;p=1 -> sip:b@x): inside <...> if there is one, else up to the first
// ';' (those are header parameters, RFC 3261 §20.10).
std::string_view AddressUri(std::string_view value);

}  // namespace sipfleet::sip

#endif  // SIPFLEET_COMMON_SIP_ROUTE_SET_H_
