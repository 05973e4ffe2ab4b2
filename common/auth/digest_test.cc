#include "common/auth/digest.h"

#include <string>
#include <string_view>

#include "common/auth/auth_params.h"
#include "common/auth/encoding.h"
#include "common/auth/milenage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// --- Encodings -------------------------------------------------------------

TEST(EncodingTest, LowerHexRoundTrips) {
  EXPECT_EQ(LowerHex(std::string_view("\x00\x0a\xff\x5B", 4)), "000aff5b");
  absl::StatusOr<std::string> bytes = HexToBytes("000AfF5b");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, std::string("\x00\x0a\xff\x5b", 4));
  EXPECT_FALSE(HexToBytes("abc").ok());
  EXPECT_FALSE(HexToBytes("zz").ok());
}

TEST(EncodingTest, Base64RoundTripsWithAndWithoutPadding) {
  EXPECT_EQ(Base64Encode("abc"), "YWJj");
  EXPECT_EQ(Base64Encode("abcde"), "YWJjZGU=");
  EXPECT_EQ(Base64Encode("abcd"), "YWJjZA==");
  EXPECT_EQ(Base64Decode("YWJjZGU=").value_or("?"), "abcde");
  EXPECT_EQ(Base64Decode("YWJjZA==").value_or("?"), "abcd");
  EXPECT_EQ(Base64Decode("YWJjZA").value_or("?"), "abcd");
  EXPECT_EQ(Base64Decode("AAAA").value_or("?"), std::string(3, '\0'));
  EXPECT_FALSE(Base64Decode("YW!j").ok());
  EXPECT_FALSE(Base64Decode("YWJjZ").ok());
  EXPECT_FALSE(Base64Decode("YW=j").ok());
  EXPECT_FALSE(Base64Decode("Y===").ok());
}

// --- Challenge parsing -----------------------------------------------------

constexpr std::string_view kRfc2617Challenge =
    "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
    "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

TEST(ParseChallengeTest, ParsesRfc2617Example) {
  absl::StatusOr<Challenge> challenge = ParseChallenge(kRfc2617Challenge);
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  EXPECT_EQ(challenge->realm, "testrealm@host.com");
  EXPECT_EQ(challenge->nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
  EXPECT_EQ(challenge->opaque, "5ccc069c403ebaf9f0171e9517f40e41");
  EXPECT_EQ(challenge->algorithm, "MD5");  // absent means MD5
  EXPECT_THAT(challenge->qop_options, testing::ElementsAre("auth", "auth-int"));
  EXPECT_FALSE(challenge->stale);
}

TEST(ParseChallengeTest, ParsesProxyAuthenticateOf407) {
  // A Proxy-Authenticate value as Kamailio's auth module sends it.
  absl::StatusOr<Challenge> challenge = ParseChallenge(
      "Digest realm=\"sip.example.net\", nonce=\"ZfT3kWX0ZXsX7Ob5cG0yoHXrlZaGSH7I\", "
      "stale=TRUE, qop=\"auth\", algorithm=SHA-256");
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  EXPECT_EQ(challenge->realm, "sip.example.net");
  EXPECT_EQ(challenge->nonce, "ZfT3kWX0ZXsX7Ob5cG0yoHXrlZaGSH7I");
  EXPECT_EQ(challenge->algorithm, "SHA-256");
  EXPECT_THAT(challenge->qop_options, testing::ElementsAre("auth"));
  EXPECT_TRUE(challenge->stale);
  EXPECT_EQ(challenge->opaque, "");
}

TEST(ParseChallengeTest, ToleratesLineBreaksAndStrayCommas) {
  // SIPp's own unit-test challenge.
  absl::StatusOr<Challenge> challenge = ParseChallenge(
      "Digest \r\n realm=\"testrealm@host.com\",\r\n"
      " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"\r\n,"
      " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  EXPECT_EQ(challenge->nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
  EXPECT_EQ(challenge->opaque, "5ccc069c403ebaf9f0171e9517f40e41");
}

TEST(ParseChallengeTest, UnescapesQuotedPairsAndIgnoresParamsInsideQuotes) {
  absl::StatusOr<Challenge> challenge =
      ParseChallenge("digest realm=\"a\\\"b, nonce=bad\", NONCE = good ,algorithm = md5");
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  EXPECT_EQ(challenge->realm, "a\"b, nonce=bad");
  EXPECT_EQ(challenge->nonce, "good");
  EXPECT_EQ(challenge->algorithm, "md5");
}

TEST(ParseChallengeTest, KeepsUnquotedQopList) {
  absl::StatusOr<Challenge> challenge =
      ParseChallenge("Digest realm=\"r\", qop=auth-int, auth, nonce=\"n\"");
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  EXPECT_THAT(challenge->qop_options, testing::ElementsAre("auth-int", "auth"));
  EXPECT_EQ(challenge->nonce, "n");
}

TEST(ParseChallengeTest, PicksFirstUsableDigestAmongSeveral) {
  absl::StatusOr<Challenge> challenge = ParseChallenge(
      "Basic realm=\"x\", Digest realm=\"a\", nonce=\"1\", algorithm=SHA-384, "
      "Digest realm=\"b\", nonce=\"2\", algorithm=MD5-sess, "
      "Digest realm=\"c\", nonce=\"3\", algorithm=SHA-512-256");
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  EXPECT_EQ(challenge->realm, "c");
  EXPECT_EQ(challenge->algorithm, "SHA-512-256");
}

TEST(ParseChallengeTest, MalformedChallengesAreErrors) {
  for (std::string_view bad : {
           "Digest realm=\"r\"",                                  // no nonce
           "Digest realm=\"r\", nonce=\"\"",                      // empty nonce
           "Digest nonce=\"n\"",                                  // no realm
           "Basic realm=\"r\"",                                   // not Digest
           "Digest realm=\"r\", nonce=\"n",                       // unterminated quotes
           "Digest realm=\"r, nonce=n",                           // unterminated quotes
           "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-384",  // unsupported
           "Digest realm=\"r\", nonce=\"n\", algorithm=AKAv2-MD5",
           "Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"",   // no usable qop
           "Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess",  // -sess, no qop
           "Digest =x",
           "=",
           "\"",
           "",
           "   ",
           ",,,",
       }) {
    absl::StatusOr<Challenge> challenge = ParseChallenge(bad);
    EXPECT_FALSE(challenge.ok()) << bad;
    EXPECT_EQ(challenge.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ParseChallengeTest, ErrorNamesTheProblem) {
  EXPECT_THAT(
      std::string(
          ParseChallenge("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-384").status().message()),
      HasSubstr("SHA-384"));
  EXPECT_THAT(std::string(ParseChallenge("Digest realm=\"r\"").status().message()),
              HasSubstr("nonce"));
}

TEST(ParseChallengeTest, EveryPrefixOfAChallengeParsesOrFailsCleanly) {
  const std::string full = std::string(kRfc2617Challenge) + ", algorithm=\"MD5\", stale=false";
  for (size_t length = 0; length <= full.size(); ++length) {
    absl::StatusOr<Challenge> challenge = ParseChallenge(std::string_view(full).substr(0, length));
    if (challenge.ok()) {
      EXPECT_FALSE(challenge->nonce.empty());
    }
  }
}

TEST(AuthParamsTest, SplitsSchemesAndUnquotesValues) {
  absl::StatusOr<std::vector<AuthElement>> elements =
      ParseAuthElements("Digest a=1, b=\"x\\\\y\" c=\"\", Basic realm=\"z\"");
  ASSERT_TRUE(elements.ok()) << elements.status();
  ASSERT_EQ(elements->size(), 2u);
  EXPECT_EQ((*elements)[0].scheme, "Digest");
  ASSERT_EQ((*elements)[0].params.size(), 3u);
  EXPECT_EQ(*(*elements)[0].Find("B"), "x\\y");
  EXPECT_EQ(*(*elements)[0].Find("c"), "");
  EXPECT_EQ((*elements)[0].Find("cnonce"), nullptr);
  EXPECT_EQ((*elements)[1].scheme, "Basic");
  EXPECT_EQ(QuoteString("a\"b\\c"), "\"a\\\"b\\\\c\"");
}

// --- BuildAuthorization ----------------------------------------------------

Challenge MustParse(std::string_view value) {
  absl::StatusOr<Challenge> challenge = ParseChallenge(value);
  EXPECT_TRUE(challenge.ok()) << challenge.status();
  return challenge.value_or(Challenge{});
}

std::string MustBuild(const Challenge& challenge, const Credentials& credentials,
                      const RequestInfo& request, uint32_t nonce_count = 1,
                      std::string_view cnonce = "0a4f113b") {
  absl::StatusOr<std::string> header =
      BuildAuthorization(challenge, credentials, request, nonce_count, cnonce);
  EXPECT_TRUE(header.ok()) << header.status();
  return header.value_or("");
}

TEST(BuildAuthorizationTest, Rfc2617Section3_5Example) {
  // RFC 2617 §3.5: qop=auth, nc=00000001, cnonce="0a4f113b".
  const std::string header =
      MustBuild(MustParse(kRfc2617Challenge), {.username = "Mufasa", .password = "Circle Of Life"},
                {.method = "GET", .uri = "/dir/index.html"});
  EXPECT_EQ(header,
            "Digest username=\"Mufasa\",realm=\"testrealm@host.com\",cnonce=\"0a4f113b\","
            "nc=00000001,qop=auth,uri=\"/dir/index.html\","
            "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\","
            "response=\"6629fae49393a05397450978507c4ef1\",algorithm=MD5,"
            "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
}

constexpr std::string_view kRfc7616Cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

std::string Rfc7616Challenge(std::string_view algorithm) {
  return "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=" +
         std::string(algorithm) +
         ", nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
         "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
}

TEST(BuildAuthorizationTest, Rfc7616Section3_9_1Md5AndSha256) {
  const Credentials mufasa{.username = "Mufasa", .password = "Circle of Life"};
  const RequestInfo get{.method = "GET", .uri = "/dir/index.html"};
  const std::string md5 =
      MustBuild(MustParse(Rfc7616Challenge("MD5")), mufasa, get, 1, kRfc7616Cnonce);
  EXPECT_THAT(md5, HasSubstr(",response=\"8ca523f5e9506fed4657c9700eebdbec\",algorithm=MD5,"));
  const std::string sha256 =
      MustBuild(MustParse(Rfc7616Challenge("SHA-256")), mufasa, get, 1, kRfc7616Cnonce);
  EXPECT_THAT(sha256, HasSubstr(",response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697"
                                "cf8db5856cb6c1\",algorithm=SHA-256,"));
  EXPECT_THAT(sha256, HasSubstr(",opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""));
}

TEST(BuildAuthorizationTest, Rfc2069ModeWithoutQop) {
  // RFC 2069 §2.4 example: no qop, so no cnonce / nc / qop parameters.
  const std::string header = MustBuild(MustParse("Digest realm=\"testrealm@host.com\", "
                                                 "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                                                 "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""),
                                       {.username = "Mufasa", .password = "CircleOfLife"},
                                       {.method = "GET", .uri = "/dir/index.html"});
  EXPECT_EQ(header,
            "Digest username=\"Mufasa\",realm=\"testrealm@host.com\",uri=\"/dir/index.html\","
            "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\","
            "response=\"1949323746fe6a43ef61f9606e7febea\",algorithm=MD5,"
            "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
}

TEST(BuildAuthorizationTest, MatchesSippGoldenHeaders) {
  // SIPp's DigestAuth unit tests: the caller passes "sip:" + its uri.
  const std::string md5 = MustBuild(
      MustParse("Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\","
                " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""),
      {.username = "testuser", .password = "secret"},
      {.method = "REGISTER", .uri = "sip:sip:example.com", .body = "hello world"});
  EXPECT_EQ(md5,
            "Digest username=\"testuser\",realm=\"testrealm@host.com\",uri=\"sip:sip:example.com\","
            "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\","
            "response=\"db94e01e92f2b09a52a234eeca8b90f7\",algorithm=MD5,"
            "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  const std::string sha256 = MustBuild(
      MustParse("Digest realm=\"testrealm@host.com\", nonce=\"ZaGxV2WhsCtREI2EsiD1LR0RYd\", "
                "algorithm=SHA-256"),
      {.username = "testuser", .password = "secret"},
      {.method = "REGISTER", .uri = "sip:sip:example.com"});
  EXPECT_EQ(sha256,
            "Digest username=\"testuser\",realm=\"testrealm@host.com\",uri=\"sip:sip:example.com\","
            "nonce=\"ZaGxV2WhsCtREI2EsiD1LR0RYd\",response=\"91b58523b983191b52d14455a2599631990110"
            "c974ed2e4b4b49bc6053af04ce\",algorithm=SHA-256");
}

TEST(BuildAuthorizationTest, AuthIntHashesTheBody) {
  const Challenge challenge = MustParse(
      "Digest realm=\"testrealm@host.com\", qop=\"auth-int\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"");
  const Credentials mufasa{.username = "Mufasa", .password = "Circle Of Life"};
  const RequestInfo invite{.method = "INVITE",
                           .uri = "sip:bob@example.com",
                           .body = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n"};
  const std::string header = MustBuild(challenge, mufasa, invite);
  EXPECT_THAT(header, HasSubstr(",nc=00000001,qop=auth-int,"));
  // H(HA1:nonce:nc:cnonce:auth-int:H(INVITE:uri:H(body))), checked with Python hashlib.
  EXPECT_THAT(header, HasSubstr(",response=\"e101d3c3b08d18b0a7e9639b28cd5037\","));
  RequestInfo other_body = invite;
  other_body.body = "v=1\r\n";
  EXPECT_THAT(MustBuild(challenge, mufasa, other_body), Not(HasSubstr("e101d3c3b08d18b0")));
  EXPECT_TRUE(VerifyAuthorization(header, "INVITE", "Mufasa", "Circle Of Life", invite.body));
  EXPECT_FALSE(VerifyAuthorization(header, "INVITE", "Mufasa", "Circle Of Life", "v=1\r\n"));
}

TEST(BuildAuthorizationTest, PrefersAuthOverAuthInt) {
  const Challenge challenge = MustParse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int,auth\"");
  EXPECT_THAT(MustBuild(challenge, {.username = "u", .password = "p"},
                        {.method = "REGISTER", .uri = "sip:r"}),
              HasSubstr(",qop=auth,"));
}

TEST(BuildAuthorizationTest, FormatsNonceCountAsEightHexDigits) {
  const Challenge challenge = MustParse("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"");
  EXPECT_THAT(MustBuild(challenge, {.username = "u", .password = "p"},
                        {.method = "REGISTER", .uri = "sip:r"}, 0x1a),
              HasSubstr(",nc=0000001a,"));
}

TEST(BuildAuthorizationTest, EscapesQuotedValues) {
  const Challenge challenge = MustParse("Digest realm=\"a\\\"b\", nonce=\"n\", qop=auth");
  const std::string header = MustBuild(challenge, {.username = "x\\y", .password = "p"},
                                       {.method = "BYE", .uri = "sip:r"});
  EXPECT_THAT(header, HasSubstr("username=\"x\\\\y\",realm=\"a\\\"b\""));
  EXPECT_TRUE(VerifyAuthorization(header, "BYE", "x\\y", "p"));
}

TEST(BuildAuthorizationTest, RejectsUnanswerableInputs) {
  const RequestInfo request{.method = "REGISTER", .uri = "sip:r"};
  Challenge qop = MustParse("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"");
  EXPECT_FALSE(BuildAuthorization(qop, {.username = "u"}, request, 1, "").ok());  // no cnonce
  Challenge unknown = qop;
  unknown.algorithm = "SHA-1";
  EXPECT_FALSE(BuildAuthorization(unknown, {.username = "u"}, request, 1, "c").ok());
  Challenge sess = MustParse("Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess, qop=auth");
  sess.qop_options.clear();
  EXPECT_FALSE(BuildAuthorization(sess, {.username = "u"}, request, 1, "c").ok());
}

// --- ComputeDigestResponse: RFC 7616 inputs for every algorithm ------------

struct Rfc7616Case {
  std::string_view algorithm, get_auth, invite_auth_int;
};

TEST(ComputeDigestResponseTest, Rfc7616InputsForEveryAlgorithm) {
  // GET/auth for MD5 and SHA-256 are RFC 7616 §3.9.1's; the rest (and SIPp's
  // test table) were computed independently with Python's hashlib.
  constexpr Rfc7616Case kCases[] = {
      {"MD5", "8ca523f5e9506fed4657c9700eebdbec", "3dbb0971468cf612bdccd7dff696c5e6"},
      {"SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
       "21468b02aafd4fe0a3d84bfddaf3618cc087adff4bb3c92d0a5f99c3035fcb9a"},
      {"SHA-512-256", "430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0",
       "959ca26f4f77c10a9a54b19ac24811fbc7f3c7bda8eec5d8521fb4586ed10e90"},
      {"MD5-sess", "e783283f46242139c486a698fec7211d", "11713a2ffc80446ab4c404a4a997b69c"},
      {"SHA-256-sess", "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7",
       "2c66c095845ec6e7e158c4f689683959329e5296947f1c4930d0ffa7b93c09fd"},
      {"sha-512-256-SESS", "3f2a34f923c38b0fb26dce2fdfc2ce326c23cecf86fbb1444f3e51fbbc2cb92e",
       "39fcf9431af157aced94549f5fff6fea4d427a3e231c8a5557ccc7976e056b09"},
  };
  for (const Rfc7616Case& c : kCases) {
    DigestInput input{.algorithm = c.algorithm,
                      .username = "Mufasa",
                      .realm = "http-auth@example.org",
                      .password = "Circle of Life",
                      .method = "GET",
                      .uri = "/dir/index.html",
                      .nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
                      .qop = "auth",
                      .cnonce = kRfc7616Cnonce,
                      .nonce_count = "00000001"};
    EXPECT_EQ(ComputeDigestResponse(input).value_or("error"), c.get_auth) << c.algorithm;
    input.method = "INVITE";
    input.uri = "sip:bob@example.org";
    input.qop = "auth-int";
    input.nonce_count = "00000002";
    input.body = "v=0\r\n";
    EXPECT_EQ(ComputeDigestResponse(input).value_or("error"), c.invite_auth_int) << c.algorithm;
  }
  EXPECT_FALSE(ComputeDigestResponse({.algorithm = "SHA-1"}).ok());
  EXPECT_FALSE(ComputeDigestResponse({.qop = "auth-conf"}).ok());
}

TEST(ComputeDigestResponseTest, HexDigestHelpers) {
  EXPECT_EQ(HexDigest("MD5", "").value_or(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(HexDigest("SHA-256", "abc").value_or(""),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_FALSE(HexDigest("SHA-1", "abc").ok());
}

// --- VerifyAuthorization ---------------------------------------------------

TEST(VerifyAuthorizationTest, AcceptsBuiltHeadersAndRejectsWrongPassword) {
  const RequestInfo request{.method = "REGISTER", .uri = "sip:example.com"};
  const Credentials alice{.username = "alice", .password = "wonderland"};
  for (std::string_view challenge_value : {
           "Digest realm=\"example.com\", nonce=\"abc\"",
           "Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\"",
           "Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=SHA-256",
           "Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=SHA-512-256-sess",
           "Digest realm=\"example.com\", nonce=\"abc\", algorithm=SHA-256, opaque=\"o\"",
       }) {
    const std::string header = MustBuild(MustParse(challenge_value), alice, request, 7, "c0ffee");
    EXPECT_TRUE(VerifyAuthorization(header, "REGISTER", "alice", "wonderland")) << header;
    EXPECT_TRUE(VerifyAuthorization(header, "REGISTER", "", "wonderland")) << header;
    EXPECT_FALSE(VerifyAuthorization(header, "REGISTER", "alice", "Wonderland")) << header;
    EXPECT_FALSE(VerifyAuthorization(header, "INVITE", "alice", "wonderland")) << header;
    EXPECT_FALSE(VerifyAuthorization(header, "REGISTER", "bob", "wonderland")) << header;
  }
}

TEST(VerifyAuthorizationTest, AcceptsRfc2617ClientHeader) {
  // The Authorization of RFC 2617 §3.5, with its blanks and quoting.
  constexpr std::string_view kHeader =
      "Digest username=\"Mufasa\",\r\n realm=\"testrealm@host.com\",\r\n"
      " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n uri=\"/dir/index.html\",\r\n"
      " qop=auth,\r\n nc=00000001,\r\n cnonce=\"0a4f113b\",\r\n"
      " response=\"6629fae49393a05397450978507c4ef1\",\r\n"
      " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
  EXPECT_TRUE(VerifyAuthorization(kHeader, "GET", "Mufasa", "Circle Of Life"));
  EXPECT_FALSE(VerifyAuthorization(kHeader, "GET", "Mufasa", "Circle of Life"));
  EXPECT_TRUE(CheckAuthorization(kHeader, "GET", "", "Circle Of Life", "").ok());
  EXPECT_EQ(CheckAuthorization(kHeader, "GET", "Mufasa", "x", "").code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(VerifyAuthorizationTest, Rfc7616Section3_9_2UserhashWithSha512_256) {
  // RFC 7616 §3.9.2 with the corrected username hash and response of its
  // erratum 4897 (the RFC's own values do not match its inputs).
  constexpr std::string_view kHeader =
      "Digest username=\"793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b\", "
      "realm=\"api@example.org\", uri=\"/doe.json\", algorithm=SHA-512-256, "
      "nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\", nc=00000001, "
      "cnonce=\"NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v\", qop=auth, "
      "response=\"3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5\", "
      "opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\", userhash=true";
  EXPECT_TRUE(VerifyAuthorization(kHeader, "GET", "J\xc3\xa4s\xc3\xb8n Doe", "Secret, or not?"));
  EXPECT_FALSE(VerifyAuthorization(kHeader, "GET", "Jason Doe", "Secret, or not?"));
}

TEST(VerifyAuthorizationTest, RejectsMalformedOrUnsupportedHeaders) {
  const std::string good =
      MustBuild(MustParse("Digest realm=\"r\", nonce=\"n\", qop=auth"),
                {.username = "u", .password = "p"}, {.method = "REGISTER", .uri = "sip:r"});
  ASSERT_TRUE(VerifyAuthorization(good, "REGISTER", "u", "p"));
  std::string no_cnonce = good;
  no_cnonce.replace(no_cnonce.find("cnonce="), 7, "xnonce=");
  std::string tampered = good;
  tampered[tampered.find("response=\"") + 10] ^= 1;
  for (std::string_view bad : {
           std::string_view(no_cnonce),
           std::string_view(tampered),
           std::string_view("Basic dTpw"),
           std::string_view("Digest username=\"u\", realm=\"r"),
           std::string_view("Digest username=\"u\",realm=\"r\",uri=\"sip:x\",nonce=\"n\","
                            "algorithm=MD5"),  // no response
           std::string_view("Digest username=\"u\",realm=\"r\",uri=\"sip:x\",nonce=\"n\","
                            "response=\"\",algorithm=MD5"),
           std::string_view("Digest username=\"u\",realm=\"r\",uri=\"sip:x\",nonce=\"n\","
                            "response=\"00\",algorithm=AKAv1-MD5"),
           std::string_view(""),
       }) {
    EXPECT_FALSE(VerifyAuthorization(bad, "REGISTER", "u", "p")) << bad;
  }
}

TEST(VerifyAuthorizationTest, ResponseHexIsCaseInsensitive) {
  std::string header =
      MustBuild(MustParse("Digest realm=\"r\", nonce=\"n\""), {.username = "u", .password = "p"},
                {.method = "REGISTER", .uri = "sip:r"});
  size_t at = header.find("response=\"") + 10;
  for (size_t i = at; header[i] != '"'; ++i) header[i] = static_cast<char>(std::toupper(header[i]));
  EXPECT_TRUE(VerifyAuthorization(header, "REGISTER", "u", "p"));
}

// --- AKAv1-MD5 -------------------------------------------------------------

// 3GPP TS 35.208 test set 1, as SIPp's docs and unit tests use it.
constexpr std::string_view kAkaK = "0x465B5CE8B199B49FAA5F0A2EE238A6BC";
constexpr std::string_view kAkaOp = "0xCDC202D5123E20F62B6D676AC72CB318";
constexpr std::string_view kTestSet1Nonce = "I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=";

milenage::Keys TestSet1Keys() {
  milenage::Block k{}, op{};
  const std::string k_bytes = DecodeAkaKey(kAkaK, 16), op_bytes = DecodeAkaKey(kAkaOp, 16);
  std::copy(k_bytes.begin(), k_bytes.end(), k.begin());
  std::copy(op_bytes.begin(), op_bytes.end(), op.begin());
  return milenage::KeysFromOp(k, op).value_or(milenage::Keys{});
}

constexpr milenage::Block kTestSet1Rand = {0x23, 0x55, 0x3c, 0xbe, 0x96, 0x37, 0xa8, 0x9d,
                                           0x21, 0x8a, 0xe6, 0x4d, 0xae, 0x47, 0xbf, 0x35};
constexpr milenage::Sqn kTestSet1Sqn = {0xff, 0x9b, 0xb4, 0xd0, 0xb6, 0x07};
constexpr milenage::Amf kTestSet1Amf = {0xb9, 0xb9};

TEST(AkaTest, DecodesSippKeyTexts) {
  EXPECT_EQ(LowerHex(DecodeAkaKey(kAkaK, 16)), "465b5ce8b199b49faa5f0a2ee238a6bc");
  EXPECT_EQ(LowerHex(DecodeAkaKey("0xB9B9", 2)), "b9b9");
  EXPECT_EQ(LowerHex(DecodeAkaKey("0xabc", 4)), "ab0c0000");               // odd last digit
  EXPECT_EQ(LowerHex(DecodeAkaKey("0x12zz34", 4)), "12000000");            // stops at non-hex
  EXPECT_EQ(DecodeAkaKey("secret", 8), std::string("secret\0\0", 8));      // raw, padded
  EXPECT_EQ(DecodeAkaKey("0123456789abcdefXYZ", 16), "0123456789abcdef");  // truncated
  EXPECT_EQ(DecodeAkaKey("", 2), std::string(2, '\0'));
}

TEST(AkaTest, BuildsSippTestSet1Nonce) {
  absl::StatusOr<std::string> nonce =
      BuildAkaNonce(TestSet1Keys(), kTestSet1Rand, kTestSet1Sqn, kTestSet1Amf);
  ASSERT_TRUE(nonce.ok()) << nonce.status();
  EXPECT_EQ(*nonce, kTestSet1Nonce);
}

TEST(AkaTest, ResIsMilenageF2) {
  absl::StatusOr<std::string> res = ComputeAkaRes(kTestSet1Nonce, kAkaK, kAkaOp);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(LowerHex(*res), "a54211d5e3ba50bf");
}

TEST(AkaTest, RoundTripWithoutQopMatchesSipp) {
  // SIPp's AKAv1MD5HexKeys unit test: same nonce, user, realm and uri give
  // response 1efe54bb65c7771548e279052d82bd09.
  absl::StatusOr<std::string> nonce =
      BuildAkaNonce(TestSet1Keys(), kTestSet1Rand, kTestSet1Sqn, kTestSet1Amf);
  ASSERT_TRUE(nonce.ok());
  const Challenge challenge =
      MustParse("Digest realm=\"r\", nonce=\"" + *nonce + "\", algorithm=AKAv1-MD5");
  const std::string header = MustBuild(challenge,
                                       {.username = "alice",
                                        .aka_k = std::string(kAkaK),
                                        .aka_op = std::string(kAkaOp),
                                        .aka_amf = "0xB9B9"},
                                       {.method = "REGISTER", .uri = "sip:sip:example.com"});
  EXPECT_EQ(header, "Digest username=\"alice\",realm=\"r\",uri=\"sip:sip:example.com\",nonce=\"" +
                        *nonce +
                        "\",response=\"1efe54bb65c7771548e279052d82bd09\",algorithm=AKAv1-MD5");
  // The response is the MD5 Digest one with RES as the password.
  EXPECT_TRUE(VerifyAuthorization(std::string(header).replace(header.find("AKAv1-MD5"), 9, "MD5"),
                                  "REGISTER", "alice",
                                  HexToBytes("a54211d5e3ba50bf").value_or("")));
}

TEST(AkaTest, RoundTripWithQopAndServerData) {
  absl::StatusOr<std::string> nonce = BuildAkaNonce(TestSet1Keys(), kTestSet1Rand, kTestSet1Sqn,
                                                    kTestSet1Amf, "server-specific data");
  ASSERT_TRUE(nonce.ok());
  const Challenge challenge =
      MustParse("Digest realm=\"r\", nonce=\"" + *nonce + "\", qop=\"auth\", algorithm=AKAv1-MD5");
  const std::string header = MustBuild(
      challenge, {.username = "alice", .aka_k = std::string(kAkaK), .aka_op = std::string(kAkaOp)},
      {.method = "REGISTER", .uri = "sip:example.com"});
  EXPECT_THAT(header, HasSubstr(",cnonce=\"0a4f113b\",nc=00000001,qop=auth,"));
  absl::StatusOr<std::string> expected =
      ComputeDigestResponse({.algorithm = "MD5",
                             .username = "alice",
                             .realm = "r",
                             .password = HexToBytes("a54211d5e3ba50bf").value_or(""),
                             .method = "REGISTER",
                             .uri = "sip:example.com",
                             .nonce = *nonce,
                             .qop = "auth",
                             .cnonce = "0a4f113b",
                             .nonce_count = "00000001"});
  ASSERT_TRUE(expected.ok());
  EXPECT_THAT(header, HasSubstr(",response=\"" + *expected + "\",algorithm=AKAv1-MD5"));
}

TEST(AkaTest, PasswordIsTheKeyWhenAkaKIsEmpty) {
  const Challenge challenge = MustParse("Digest realm=\"r\", nonce=\"" +
                                        std::string(kTestSet1Nonce) + "\", algorithm=AKAv1-MD5");
  const RequestInfo request{.method = "REGISTER", .uri = "sip:sip:example.com"};
  EXPECT_THAT(
      MustBuild(
          challenge,
          {.username = "alice", .password = std::string(kAkaK), .aka_op = std::string(kAkaOp)},
          request),
      HasSubstr("1efe54bb65c7771548e279052d82bd09"));
}

TEST(AkaTest, MacMismatchIsUnauthenticated) {
  // AUTN with AMF b9b8 instead of b9b9 (SIPp's test): the MAC no longer fits.
  absl::StatusOr<std::string> res =
      ComputeAkaRes("I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m4Sp/6w1Tfr7M=", kAkaK, kAkaOp);
  EXPECT_EQ(res.status().code(), absl::StatusCode::kUnauthenticated);
  // A wrong K, through BuildAuthorization.
  const Challenge challenge = MustParse("Digest realm=\"r\", nonce=\"" +
                                        std::string(kTestSet1Nonce) + "\", algorithm=AKAv1-MD5");
  absl::StatusOr<std::string> header = BuildAuthorization(
      challenge, {.username = "alice", .aka_k = "0x00", .aka_op = std::string(kAkaOp)},
      {.method = "REGISTER", .uri = "sip:r"}, 1, "c");
  EXPECT_EQ(header.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(AkaTest, MalformedNoncesAreInvalidArgument) {
  for (std::string_view nonce :
       {"dcd98b7102dd2f0e8b11d0f600bfb0c093", "I1U8vpY3qJ0hiuZN", "not base64!", ""}) {
    EXPECT_EQ(ComputeAkaRes(nonce, kAkaK, kAkaOp).status().code(),
              absl::StatusCode::kInvalidArgument)
        << nonce;
  }
}

}  // namespace
}  // namespace sipfleet::auth
