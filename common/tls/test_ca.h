#ifndef SIPFLEET_COMMON_TLS_TEST_CA_H_
#define SIPFLEET_COMMON_TLS_TEST_CA_H_

// Test support (library sipfleet_tls_testing, never linked into sipfleet):
// a throwaway PKI made with OpenSSL's C API, so tests need no openssl CLI.
// Keys are EC P-256; certificates are valid from one hour ago for ten years.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sipfleet::tls::testing {

// A certificate and its private key, PEM-encoded.
struct Credential {
  std::string cert_pem;  // the leaf, then the issuing chain (without the root)
  std::string key_pem;   // unencrypted PKCS#8
  uint64_t serial = 0;   // for CertificateAuthority::CrlPem
};

// A root or intermediate CA able to issue leaves, intermediates and CRLs.
// Copies share the key and the serial-number counter. Not thread-safe.
class CertificateAuthority {
 public:
  // A self-signed root CA with subject CN=`common_name`.
  static absl::StatusOr<CertificateAuthority> CreateRoot(std::string_view common_name);

  // A CA certificate signed by this CA.
  absl::StatusOr<CertificateAuthority> CreateIntermediate(std::string_view common_name);

  // An end-entity certificate signed by this CA, usable by servers and
  // clients (extendedKeyUsage serverAuth, clientAuth), with
  // subjectAltName IP:127.0.0.1, IP:::1, DNS:localhost. cert_pem holds the
  // leaf followed by this CA's chain when this CA is an intermediate.
  absl::StatusOr<Credential> IssueLeaf(std::string_view common_name);

  // A CRL signed by this CA listing `revoked_serials` (serials it issued).
  absl::StatusOr<std::string> CrlPem(const std::vector<uint64_t>& revoked_serials) const;

  // This CA's certificate alone, and followed by its issuers except the root.
  std::string cert_pem() const;
  const std::string& chain_pem() const { return chain_pem_; }
  std::string key_pem() const;

 private:
  struct Keys;  // OpenSSL objects and serial counter, shared by copies
  CertificateAuthority(std::shared_ptr<Keys> keys, std::string chain_pem);

  std::shared_ptr<Keys> keys_;
  std::string chain_pem_;  // this CA's certificate + its non-root issuers
};

// Paths of the standard file set written by WriteTestCaFiles.
struct TestCaFiles {
  std::string ca;                   // ca.pem: root CA
  std::string intermediate;         // intermediate.pem: signed by the root
  std::string server_cert;          // server.pem: leaf by the intermediate + intermediate
  std::string server_key;           // server-key.pem
  std::string client_cert;          // client.pem: leaf signed by the root
  std::string client_key;           // client-key.pem
  std::string revoked_client_cert;  // revoked-client.pem: leaf by the root, in crl.pem
  std::string revoked_client_key;   // revoked-client-key.pem
  std::string crl;                  // crl.pem: the root's CRL revoking revoked-client
  std::string other_ca;             // other-ca.pem: an unrelated root CA
};

// Generates a fresh PKI and writes the files above into `dir` (which must
// exist), replacing existing ones.
absl::StatusOr<TestCaFiles> WriteTestCaFiles(const std::string& dir);

// Writes `contents` to `path` (mode 0600), replacing it.
absl::Status WriteTextFile(const std::string& path, std::string_view contents);

}  // namespace sipfleet::tls::testing

#endif  // SIPFLEET_COMMON_TLS_TEST_CA_H_
