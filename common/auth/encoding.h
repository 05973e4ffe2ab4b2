#ifndef SIPFLEET_COMMON_AUTH_ENCODING_H_
#define SIPFLEET_COMMON_AUTH_ENCODING_H_

// Byte-string encodings used by Digest and AKA authentication: lower-case hex
// (the LHEX of RFC 2617 §3.1.3 / RFC 7616 §3.4.1) and base64 (RFC 4648 §4,
// the AKA nonce encoding of RFC 3310 §3.2). Bytes travel as std::string.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sipfleet::auth {

// Two lower-case hex digits per byte, e.g. "\x0a\xff" -> "0aff".
std::string LowerHex(std::string_view bytes);
std::string LowerHex(std::span<const uint8_t> bytes);

// The value of a hex digit (either case), or -1.
int HexDigitValue(char c);

// Inverse of LowerHex; either case accepted. Errors: InvalidArgument on an
// odd length or a non-hex character.
absl::StatusOr<std::string> HexToBytes(std::string_view hex);

// Standard alphabet, '=' padded.
std::string Base64Encode(std::string_view bytes);

// Standard alphabet; '=' padding optional, but nothing may follow it.
// Errors: InvalidArgument on any other character or an impossible length
// (a single trailing character).
absl::StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace sipfleet::auth

#endif  // SIPFLEET_COMMON_AUTH_ENCODING_H_
