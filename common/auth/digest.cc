#include "common/auth/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "common/auth/auth_params.h"
#include "common/auth/encoding.h"
#include "common/base/strings.h"

namespace sipfleet::auth {
namespace {

enum class HashFunction { kMd5, kSha256, kSha512_256 };

// A Digest algorithm (RFC 7616 §3.3, RFC 3310 §3.1).
struct AlgorithmSpec {
  std::string_view name;
  HashFunction hash;
  bool session;  // -sess: HA1 covers nonce and cnonce (RFC 7616 §3.4.2)
  bool aka;      // the password is the AKA RES (RFC 3310 §3.2)
};

constexpr AlgorithmSpec kAlgorithms[] = {
    {"MD5", HashFunction::kMd5, false, false},
    {"MD5-sess", HashFunction::kMd5, true, false},
    {"SHA-256", HashFunction::kSha256, false, false},
    {"SHA-256-sess", HashFunction::kSha256, true, false},
    {"SHA-512-256", HashFunction::kSha512_256, false, false},
    {"SHA-512-256-sess", HashFunction::kSha512_256, true, false},
    {"AKAv1-MD5", HashFunction::kMd5, false, true},
};

constexpr std::string_view kDefaultAlgorithm = "MD5";  // RFC 2617 §3.2.1

// The spec of an algorithm name ("" is MD5), or nullptr when unsupported.
const AlgorithmSpec* FindAlgorithm(std::string_view name) {
  if (name.empty()) name = kDefaultAlgorithm;
  for (const AlgorithmSpec& spec : kAlgorithms) {
    if (EqualsIgnoreCase(spec.name, name)) return &spec;
  }
  return nullptr;
}

absl::Status UnsupportedAlgorithm(std::string_view name) {
  return absl::InvalidArgumentError(base::Cat("unsupported Digest algorithm '", name, "'"));
}

const EVP_MD* EvpHash(HashFunction hash) {
  switch (hash) {
    case HashFunction::kMd5:
      return EVP_md5();
    case HashFunction::kSha256:
      return EVP_sha256();
    case HashFunction::kSha512_256:
      return EVP_sha512_256();
  }
  return nullptr;
}

// Lower-case hex H(data).
absl::StatusOr<std::string> HashHex(HashFunction hash, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const EVP_MD* md = EvpHash(hash);
  if (md == nullptr || EVP_Digest(data.data(), data.size(), digest, &length, md, nullptr) != 1) {
    return absl::InternalError("OpenSSL digest failed");
  }
  return LowerHex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

bool IsQop(std::string_view qop) {
  return qop.empty() || EqualsIgnoreCase(qop, "auth") || EqualsIgnoreCase(qop, "auth-int");
}

// HA1 (RFC 7616 §3.4.2).
absl::StatusOr<std::string> ComputeHa1(const DigestInput& input, const AlgorithmSpec& spec) {
  absl::StatusOr<std::string> ha1 =
      HashHex(spec.hash, base::Cat(input.username, ':', input.realm, ':', input.password));
  if (!ha1.ok() || !spec.session) return ha1;
  return HashHex(spec.hash, base::Cat(*ha1, ':', input.nonce, ':', input.cnonce));
}

// HA2 (RFC 7616 §3.4.3).
absl::StatusOr<std::string> ComputeHa2(const DigestInput& input, const AlgorithmSpec& spec) {
  if (!EqualsIgnoreCase(input.qop, "auth-int")) {
    return HashHex(spec.hash, base::Cat(input.method, ':', input.uri));
  }
  absl::StatusOr<std::string> body_hash = HashHex(spec.hash, input.body);
  if (!body_hash.ok()) return body_hash;
  return HashHex(spec.hash, base::Cat(input.method, ':', input.uri, ':', *body_hash));
}

// The qop to answer with: "auth" if offered, else "auth-int", else "" when
// none is offered (RFC 2069 mode).
absl::StatusOr<std::string_view> ChooseQop(const std::vector<std::string>& offered) {
  if (offered.empty()) return std::string_view();
  for (std::string_view preferred : {"auth", "auth-int"}) {
    for (const std::string& option : offered) {
      if (EqualsIgnoreCase(option, preferred)) return preferred;
    }
  }
  return absl::InvalidArgumentError("challenge offers neither qop auth nor auth-int");
}

std::vector<std::string> SplitQopOptions(std::string_view list) {
  std::vector<std::string> options;
  for (std::string_view option : base::SplitTrimmed(list, ',')) options.emplace_back(option);
  return options;
}

// A Challenge from one parsed Digest challenge, checked to be answerable.
absl::StatusOr<Challenge> ChallengeFromElement(const AuthElement& element) {
  Challenge challenge;
  const std::string* nonce = element.Find("nonce");
  if (nonce == nullptr || nonce->empty())
    return absl::InvalidArgumentError("challenge has no nonce");
  const std::string* realm = element.Find("realm");
  if (realm == nullptr) return absl::InvalidArgumentError("challenge has no realm");
  const std::string* algorithm = element.Find("algorithm");
  challenge.algorithm =
      algorithm != nullptr && !algorithm->empty() ? *algorithm : std::string(kDefaultAlgorithm);
  const AlgorithmSpec* spec = FindAlgorithm(challenge.algorithm);
  if (spec == nullptr) return UnsupportedAlgorithm(challenge.algorithm);
  challenge.nonce = *nonce;
  challenge.realm = *realm;
  if (const std::string* opaque = element.Find("opaque")) challenge.opaque = *opaque;
  if (const std::string* qop = element.Find("qop")) challenge.qop_options = SplitQopOptions(*qop);
  if (const std::string* stale = element.Find("stale")) {
    challenge.stale = EqualsIgnoreCase(*stale, "true");
  }
  absl::StatusOr<std::string_view> qop = ChooseQop(challenge.qop_options);
  if (!qop.ok()) return qop.status();
  if (spec->session && qop->empty()) {
    return absl::InvalidArgumentError(
        base::Cat(challenge.algorithm, " challenge has no qop, so no cnonce can be sent"));
  }
  return challenge;
}

// The key to use as a MILENAGE block.
milenage::Block ToBlock(std::string_view bytes) {
  milenage::Block block{};
  std::copy_n(bytes.begin(), std::min(bytes.size(), block.size()), block.begin());
  return block;
}

// Where the pieces of RAND || AUTN sit in a decoded AKA nonce (RFC 3310
// §3.2, AUTN = SQN^AK || AMF || MAC per 3GPP TS 33.102 §6.3.2).
constexpr size_t kRandOffset = 0;
constexpr size_t kSqnXorAkOffset = 16;
constexpr size_t kAmfOffset = 22;
constexpr size_t kMacOffset = 24;
constexpr size_t kMinAkaNonceLength = 32;

template <size_t N>
std::array<uint8_t, N> BytesAt(std::string_view bytes, size_t offset) {
  std::array<uint8_t, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = static_cast<uint8_t>(bytes[offset + i]);
  return out;
}

std::string FormatNonceCount(uint32_t nonce_count) {
  char buffer[9];
  std::snprintf(buffer, sizeof(buffer), "%08x", nonce_count);
  return std::string(buffer, 8);
}

// The header value, in SIPp's parameter order (its createAuthHeader).
std::string FormatAuthorization(const Challenge& challenge, const DigestInput& input,
                                std::string_view response) {
  std::string header = base::Cat("Digest username=", QuoteString(input.username),
                                 ",realm=", QuoteString(challenge.realm));
  if (!input.qop.empty()) {
    // nc and qop are unquoted in credentials (RFC 3261 §25.1 dig-resp).
    base::Append(&header, ",cnonce=", QuoteString(input.cnonce), ",nc=", input.nonce_count,
                 ",qop=", input.qop);
  }
  base::Append(&header, ",uri=", QuoteString(input.uri), ",nonce=", QuoteString(challenge.nonce),
               ",response=\"", response, "\",algorithm=", challenge.algorithm);
  if (!challenge.opaque.empty()) base::Append(&header, ",opaque=", QuoteString(challenge.opaque));
  return header;
}

// The password to hash: the AKA RES for AKAv1, else the plain password.
absl::StatusOr<std::string> DigestPassword(const Challenge& challenge,
                                           const Credentials& credentials,
                                           const AlgorithmSpec& spec) {
  if (!spec.aka) return credentials.password;
  std::string_view key = credentials.aka_k.empty() ? std::string_view(credentials.password)
                                                   : std::string_view(credentials.aka_k);
  return ComputeAkaRes(challenge.nonce, key, credentials.aka_op);
}

// The first Digest credentials of an Authorization value.
absl::StatusOr<AuthElement> ParseDigestCredentials(std::string_view value) {
  absl::StatusOr<std::vector<AuthElement>> elements = ParseAuthElements(value);
  if (!elements.ok()) return elements.status();
  for (AuthElement& element : *elements) {
    if (EqualsIgnoreCase(element.scheme, "Digest")) return std::move(element);
  }
  return absl::InvalidArgumentError("authorization is not Digest");
}

std::string_view ParamOrEmpty(const AuthElement& element, std::string_view name) {
  const std::string* value = element.Find(name);
  return value != nullptr ? std::string_view(*value) : std::string_view();
}

// Whether the header's username is `expected` (hashed under userhash=true).
absl::StatusOr<bool> UsernameMatches(const AuthElement& credentials, std::string_view expected,
                                     const AlgorithmSpec& spec) {
  std::string_view sent = ParamOrEmpty(credentials, "username");
  if (!EqualsIgnoreCase(ParamOrEmpty(credentials, "userhash"), "true")) return sent == expected;
  absl::StatusOr<std::string> hashed =
      HashHex(spec.hash, base::Cat(expected, ':', ParamOrEmpty(credentials, "realm")));
  if (!hashed.ok()) return hashed.status();
  return EqualsIgnoreCase(sent, *hashed);
}

bool SameHex(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  std::string lower_a(a), lower_b(b);
  for (char& c : lower_a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : lower_b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return CRYPTO_memcmp(lower_a.data(), lower_b.data(), lower_a.size()) == 0;
}

}  // namespace

absl::StatusOr<std::string> HexDigest(std::string_view algorithm, std::string_view data) {
  const AlgorithmSpec* spec = FindAlgorithm(algorithm);
  if (spec == nullptr) return UnsupportedAlgorithm(algorithm);
  return HashHex(spec->hash, data);
}

absl::StatusOr<std::string> ComputeDigestResponse(const DigestInput& input) {
  const AlgorithmSpec* spec = FindAlgorithm(input.algorithm);
  if (spec == nullptr) return UnsupportedAlgorithm(input.algorithm);
  if (!IsQop(input.qop)) {
    return absl::InvalidArgumentError(base::Cat("unsupported qop '", input.qop, "'"));
  }
  absl::StatusOr<std::string> ha1 = ComputeHa1(input, *spec);
  if (!ha1.ok()) return ha1;
  absl::StatusOr<std::string> ha2 = ComputeHa2(input, *spec);
  if (!ha2.ok()) return ha2;
  if (input.qop.empty()) return HashHex(spec->hash, base::Cat(*ha1, ':', input.nonce, ':', *ha2));
  return HashHex(spec->hash, base::Cat(*ha1, ':', input.nonce, ':', input.nonce_count, ':',
                                       input.cnonce, ':', input.qop, ':', *ha2));
}

absl::StatusOr<Challenge> ParseChallenge(std::string_view header_value) {
  absl::StatusOr<std::vector<AuthElement>> elements = ParseAuthElements(header_value);
  if (!elements.ok()) return elements.status();
  absl::Status first_error = absl::InvalidArgumentError("no Digest challenge");
  bool seen_digest = false;
  for (const AuthElement& element : *elements) {
    if (!EqualsIgnoreCase(element.scheme, "Digest")) continue;
    absl::StatusOr<Challenge> challenge = ChallengeFromElement(element);
    if (challenge.ok()) return challenge;
    if (!seen_digest) first_error = challenge.status();
    seen_digest = true;
  }
  return first_error;
}

std::string DecodeAkaKey(std::string_view text, size_t length) {
  std::string key(length, '\0');
  if (!(text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))) {
    std::copy_n(text.begin(), std::min(text.size(), length), key.begin());
    return key;
  }
  text.remove_prefix(2);
  for (size_t n = 0; n < length && !text.empty() && HexDigitValue(text[0]) >= 0; ++n) {
    int value = HexDigitValue(text[0]);
    text.remove_prefix(1);
    if (!text.empty() && HexDigitValue(text[0]) >= 0) {
      value = (value << 4) | HexDigitValue(text[0]);
      text.remove_prefix(1);
    }
    key[n] = static_cast<char>(value);
  }
  return key;
}

absl::StatusOr<std::string> ComputeAkaRes(std::string_view nonce, std::string_view aka_k,
                                          std::string_view aka_op) {
  absl::StatusOr<std::string> decoded = Base64Decode(nonce);
  if (!decoded.ok()) {
    return absl::InvalidArgumentError(
        base::Cat("AKA nonce is not base64: ", base::FromAbsl(decoded.status().message())));
  }
  if (decoded->size() < kMinAkaNonceLength) {
    return absl::InvalidArgumentError(
        base::Cat("AKA nonce is ", decoded->size(), " bytes, shorter than RAND || AUTN"));
  }
  absl::StatusOr<milenage::Keys> keys =
      milenage::KeysFromOp(ToBlock(DecodeAkaKey(aka_k, 16)), ToBlock(DecodeAkaKey(aka_op, 16)));
  if (!keys.ok()) return keys.status();
  const milenage::Block rand = BytesAt<16>(*decoded, kRandOffset);
  absl::StatusOr<milenage::F2345Result> f2345 = milenage::F2345(*keys, rand);
  if (!f2345.ok()) return f2345.status();
  milenage::Sqn sqn = BytesAt<6>(*decoded, kSqnXorAkOffset);
  for (size_t i = 0; i < sqn.size(); ++i) sqn[i] ^= f2345->ak[i];
  absl::StatusOr<milenage::Mac> xmac =
      milenage::F1(*keys, rand, sqn, BytesAt<2>(*decoded, kAmfOffset));
  if (!xmac.ok()) return xmac.status();
  if (*xmac != BytesAt<8>(*decoded, kMacOffset)) {
    return absl::UnauthenticatedError(
        "AKA AUTN MAC mismatch: the network does not know K/OP (TS 33.102 §6.3.3)");
  }
  return std::string(f2345->res.begin(), f2345->res.end());
}

absl::StatusOr<std::string> BuildAkaNonce(const milenage::Keys& keys, const milenage::Block& rand,
                                          const milenage::Sqn& sqn, const milenage::Amf& amf,
                                          std::string_view server_data) {
  absl::StatusOr<milenage::Block> autn = milenage::BuildAutn(keys, rand, sqn, amf);
  if (!autn.ok()) return autn.status();
  std::string bytes(rand.begin(), rand.end());
  bytes.append(autn->begin(), autn->end());
  bytes.append(server_data);
  return Base64Encode(bytes);
}

absl::StatusOr<std::string> BuildAuthorization(const Challenge& challenge,
                                               const Credentials& credentials,
                                               const RequestInfo& request, uint32_t nonce_count,
                                               std::string_view cnonce) {
  const AlgorithmSpec* spec = FindAlgorithm(challenge.algorithm);
  if (spec == nullptr) return UnsupportedAlgorithm(challenge.algorithm);
  absl::StatusOr<std::string_view> qop = ChooseQop(challenge.qop_options);
  if (!qop.ok()) return qop.status();
  if (spec->session && qop->empty()) {
    return absl::InvalidArgumentError(base::Cat(challenge.algorithm, " needs a qop"));
  }
  if (!qop->empty() && cnonce.empty()) {
    return absl::InvalidArgumentError("a cnonce is needed to answer a qop challenge");
  }
  absl::StatusOr<std::string> password = DigestPassword(challenge, credentials, *spec);
  if (!password.ok()) return password.status();
  const std::string nc = qop->empty() ? std::string() : FormatNonceCount(nonce_count);
  DigestInput input{.algorithm = challenge.algorithm,
                    .username = credentials.username,
                    .realm = challenge.realm,
                    .password = *password,
                    .method = request.method,
                    .uri = request.uri,
                    .nonce = challenge.nonce,
                    .qop = *qop,
                    .cnonce = qop->empty() ? std::string_view() : cnonce,
                    .nonce_count = nc,
                    .body = request.body};
  absl::StatusOr<std::string> response = ComputeDigestResponse(input);
  if (!response.ok()) return response.status();
  return FormatAuthorization(challenge, input, *response);
}

absl::Status CheckAuthorization(std::string_view authorization_value, std::string_view method,
                                std::string_view username, std::string_view password,
                                std::string_view body) {
  absl::StatusOr<AuthElement> credentials = ParseDigestCredentials(authorization_value);
  if (!credentials.ok()) return credentials.status();
  std::string_view algorithm = ParamOrEmpty(*credentials, "algorithm");
  const AlgorithmSpec* spec = FindAlgorithm(algorithm);
  if (spec == nullptr || spec->aka) return UnsupportedAlgorithm(algorithm);
  DigestInput input{
      .algorithm = algorithm,
      .username = username.empty() ? ParamOrEmpty(*credentials, "username") : username,
      .realm = ParamOrEmpty(*credentials, "realm"),
      .password = password,
      .method = method,
      .uri = ParamOrEmpty(*credentials, "uri"),
      .nonce = ParamOrEmpty(*credentials, "nonce"),
      .qop = ParamOrEmpty(*credentials, "qop"),
      .cnonce = ParamOrEmpty(*credentials, "cnonce"),
      .nonce_count = ParamOrEmpty(*credentials, "nc"),
      .body = body};
  std::string_view sent_response = ParamOrEmpty(*credentials, "response");
  if (sent_response.empty() || input.nonce.empty()) {
    return absl::InvalidArgumentError("authorization lacks a response or nonce");
  }
  if ((!input.qop.empty() || spec->session) &&
      (input.cnonce.empty() || input.nonce_count.empty())) {
    return absl::InvalidArgumentError("authorization with qop or -sess lacks cnonce or nc");
  }
  if (!username.empty()) {
    absl::StatusOr<bool> matches = UsernameMatches(*credentials, username, *spec);
    if (!matches.ok()) return matches.status();
    if (!*matches) return absl::UnauthenticatedError("authorization username mismatch");
  }
  absl::StatusOr<std::string> expected = ComputeDigestResponse(input);
  if (!expected.ok()) return expected.status();
  if (!SameHex(*expected, sent_response)) {
    return absl::UnauthenticatedError("authorization response mismatch");
  }
  return absl::OkStatus();
}

bool VerifyAuthorization(std::string_view authorization_value, std::string_view method,
                         std::string_view username, std::string_view password,
                         std::string_view body) {
  return CheckAuthorization(authorization_value, method, username, password, body).ok();
}

bool VerifyAuthorization(std::string_view authorization_value, std::string_view method,
                         std::string_view username, std::string_view password) {
  return VerifyAuthorization(authorization_value, method, username, password, {});
}

}  // namespace sipfleet::auth
