#ifndef SIPFLEET_COMMON_AUTH_AUTH_PARAMS_H_
#define SIPFLEET_COMMON_AUTH_AUTH_PARAMS_H_

// Tokenizer for the values of WWW-Authenticate, Proxy-Authenticate,
// Authorization and Proxy-Authorization headers: an auth-scheme followed by
// comma-separated auth-params (RFC 3261 §25.1 "challenge" / "credentials",
// RFC 7235 §2.1). Used by digest.cc; exposed for its tests.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/strings.h"

namespace sipfleet::auth {

// name=value; a quoted-string value is stored unquoted and unescaped
// (RFC 3261 §25.1 quoted-pair).
struct AuthParam {
  std::string name;
  std::string value;
};

// One challenge or credentials: "Digest realm=..., nonce=...".
struct AuthElement {
  std::string scheme;
  std::vector<AuthParam> params;

  // The value of the first parameter named `name` (case-insensitively), or
  // nullptr when absent.
  const std::string* Find(std::string_view name) const;
};

// Splits a header value into its challenges / credentials, in order. Several
// challenges may share one value (headers joined with ", ", RFC 7235 §4.1).
// Lenient where servers are sloppy, as SIPp is: blanks (including CR/LF) are
// allowed around '=' and ',', empty list elements are skipped, a missing
// comma between parameters is tolerated, an unquoted value runs up to a
// blank, ',' or '"', and an unquoted qop list (`qop=auth,auth-int`) keeps its
// second member instead of taking it for a new scheme.
// Errors: InvalidArgument on an unterminated quoted-string, or a character
// that can start neither a scheme nor a parameter.
absl::StatusOr<std::vector<AuthElement>> ParseAuthElements(std::string_view value);

// `text` as a quoted-string: in double quotes, '"' and '\' escaped with '\'.
std::string QuoteString(std::string_view text);

// ASCII case-insensitive equality.
using base::EqualsIgnoreCase;

}  // namespace sipfleet::auth

#endif  // SIPFLEET_COMMON_AUTH_AUTH_PARAMS_H_
