#ifndef SIPFLEET_COMMON_AUTH_DIGEST_H_
#define SIPFLEET_COMMON_AUTH_DIGEST_H_

// SIP Digest authentication as SIPp does it: the client side of
// `<recv response="401|407" auth="true">` + `[authentication ...]`, and the
// server side `<verifyauth>` action.
//
// Algorithms (RFC 7616 §3.3 names, case-insensitive): MD5, MD5-sess, SHA-256,
// SHA-256-sess, SHA-512-256, SHA-512-256-sess, and AKAv1-MD5 (RFC 3310, with
// MILENAGE). All hashing goes through OpenSSL's EVP interface.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth/milenage.h"

namespace sipfleet::auth {

// A parsed WWW-Authenticate / Proxy-Authenticate challenge (RFC 3261 §22.4,
// RFC 2617 §3.2.1, RFC 7616 §3.3, RFC 3310 §3.1 for AKA). Quoted values are
// stored unquoted and unescaped.
struct Challenge {
  std::string realm, nonce, opaque;
  // As the challenge spells it ("MD5" if absent), e.g. "MD5", "SHA-256",
  // "AKAv1-MD5"; echoed verbatim in the Authorization header, as SIPp does.
  std::string algorithm;
  std::vector<std::string> qop_options;  // from qop="auth,auth-int", trimmed
  bool stale = false;
};

// Parses the header value after the colon, e.g.
// `Digest realm="x", nonce="y", qop="auth"`. A value holding several
// challenges (several headers joined with ", ", as SIPp joins them) yields
// the first Digest one that BuildAuthorization can answer.
// Errors (InvalidArgument): malformed value (e.g. unterminated quotes), no
// Digest challenge, and for the first Digest challenge when none is usable:
// missing nonce or realm, unsupported algorithm, a qop list with neither
// "auth" nor "auth-int", or a -sess algorithm without a qop.
absl::StatusOr<Challenge> ParseChallenge(std::string_view header_value);

struct Credentials {
  std::string username, password;
  // AKA only, as SIPp's [authentication] keyword takes them: "0x" followed by
  // hex digits gives bytes (an odd last digit is that digit's value), any
  // other text is taken as raw bytes; both are zero-padded or truncated to
  // 16 bytes. An empty aka_k means `password` is the key (SIPp docs); an
  // empty aka_op is all zeros.
  // aka_amf is accepted for compatibility but, as in current SIPp, the MAC is
  // checked over the AMF carried in AUTN (3GPP TS 33.102 §6.3.3).
  std::string aka_k, aka_op, aka_amf;
};

struct RequestInfo {
  std::string_view method;  // e.g. "REGISTER"
  // The digest-uri, used verbatim in uri="..." and A2. SIPp sends
  // "sip:" + remote_ip:remote_port, or "sip:" + the -auth_uri value; that
  // prefixing is the caller's job.
  std::string_view uri;
  std::string_view body;  // hashed into A2 for qop=auth-int
};

// The value of the Authorization / Proxy-Authorization header (without the
// header name), with SIPp's parameter order and quoting:
//   Digest username="u",realm="r",cnonce="c",nc=00000001,qop=auth,
//   uri="sip:...",nonce="n",response="...",algorithm=MD5,opaque="o"
// (no blanks; cnonce/nc/qop only when a qop is used; opaque only when the
// challenge had a non-empty one). qop: "auth" if offered, else "auth-int",
// else RFC 2069 mode (no qop/cnonce/nc). `nonce_count` is the nc value
// (RFC 2617 §3.2.2, 8 hex digits); `cnonce` must be non-empty when a qop is
// used (SIPp sends 16 random lower-case hex digits).
// AKAv1-MD5 (RFC 3310 §3.2): the nonce is base64(RAND || AUTN || ...);
// MILENAGE with K/OP runs f1..f5, the AUTN MAC is checked (as SIPp does; a
// mismatch is an error) and RES is the MD5 digest password. SQN is not
// checked and no AUTS resynchronisation is ever sent, like SIPp.
// Errors: InvalidArgument for unusable challenges/credentials,
// Unauthenticated for an AKA MAC mismatch, Internal if OpenSSL fails.
absl::StatusOr<std::string> BuildAuthorization(const Challenge& challenge,
                                               const Credentials& credentials,
                                               const RequestInfo& request, uint32_t nonce_count,
                                               std::string_view cnonce);

// SIPp's verifyauth action: checks a received Authorization header value
// (any non-AKA algorithm above, with or without qop) against `password` for
// the request's `method`; the uri, realm, nonce, cnonce, nc and qop are the
// header's own. True if the response digest is right, and, when `username`
// is non-empty, the header's username is `username` (its hash under
// userhash=true, RFC 7616 §3.4.4). With an empty `username` the header's is
// used. `body` is the received body, needed only for qop=auth-int.
bool VerifyAuthorization(std::string_view authorization_value, std::string_view method,
                         std::string_view username, std::string_view password);
bool VerifyAuthorization(std::string_view authorization_value, std::string_view method,
                         std::string_view username, std::string_view password,
                         std::string_view body);

// VerifyAuthorization with the reason: OK when it would return true;
// InvalidArgument for a malformed or unsupported header, Unauthenticated for
// a wrong username or response.
absl::Status CheckAuthorization(std::string_view authorization_value, std::string_view method,
                                std::string_view username, std::string_view password,
                                std::string_view body);

// The inputs of one Digest response (RFC 7616 §3.4.1, RFC 2617 §3.2.2.1).
struct DigestInput {
  std::string_view algorithm;  // as above; "" means MD5; AKAv1-MD5 hashes as MD5
  std::string_view username, realm, password, method, uri, nonce;
  std::string_view qop;          // "" (RFC 2069 mode), "auth" or "auth-int"
  std::string_view cnonce;       // with a qop, or for -sess algorithms
  std::string_view nonce_count;  // nc as sent, e.g. "00000001"; with a qop
  std::string_view body;         // for auth-int
};

// The lower-case hex request-digest:
//   HA1 = H(username:realm:password), for -sess H(HA1:nonce:cnonce)
//   HA2 = H(method:uri), for auth-int H(method:uri:H(body))
//   response = H(HA1:nonce:nc:cnonce:qop:HA2), without qop H(HA1:nonce:HA2)
// Errors: InvalidArgument for an unknown algorithm or qop, Internal if
// OpenSSL fails.
absl::StatusOr<std::string> ComputeDigestResponse(const DigestInput& input);

// Lower-case hex H(data) with the hash of a Digest algorithm name.
absl::StatusOr<std::string> HexDigest(std::string_view algorithm, std::string_view data);

// RES, the AKAv1 Digest password (RFC 3310 §3.2), for a base64 AKA `nonce`
// and SIPp-encoded `aka_k` / `aka_op` (see Credentials). Checks the AUTN MAC.
// Errors: InvalidArgument for a nonce that is not base64 or shorter than
// RAND || AUTN, Unauthenticated for a MAC mismatch.
absl::StatusOr<std::string> ComputeAkaRes(std::string_view nonce, std::string_view aka_k,
                                          std::string_view aka_op);

// The key bytes of a SIPp AKA key text (see Credentials), `length` long.
std::string DecodeAkaKey(std::string_view text, size_t length);

// An AKAv1 nonce, base64(RAND || AUTN || server_data) (RFC 3310 §3.2), as a
// registrar / test harness would send it.
absl::StatusOr<std::string> BuildAkaNonce(const milenage::Keys& keys, const milenage::Block& rand,
                                          const milenage::Sqn& sqn, const milenage::Amf& amf,
                                          std::string_view server_data = {});

}  // namespace sipfleet::auth

#endif  // SIPFLEET_COMMON_AUTH_DIGEST_H_
