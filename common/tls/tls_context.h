#ifndef SIPFLEET_COMMON_TLS_TLS_CONTEXT_H_
#define SIPFLEET_COMMON_TLS_TLS_CONTEXT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/transport/secure_channel.h"

namespace sipfleet::tls {

// SIPp's TLS options (-tls_cert, -tls_key, -tls_ca, -tls_crl, -tls_version).
struct TlsOptions {
  std::string cert_file = "cacert.pem";  // PEM; may hold a chain (leaf first)
  std::string key_file = "cakey.pem";
  bool cert_given = false;  // -tls_cert/-tls_key typed (a client needs them only then)
  std::string ca_file;      // "" = no X.509 verification, as SIPp
  std::string crl_file;     // "" = no CRL check
  std::string version;      // "" = negotiate; "1.0" "1.1" "1.2" "1.3" pin one
};

enum class Role { kClient, kServer };

// One OpenSSL SSL_CTX for a run, shared by every worker (SSL_CTX is
// thread-safe once configured). Clients resume sessions (-t ln opens one
// connection per call: resumption makes each new handshake cheap).
class TlsContext final : public transport::SecureChannelFactory {
 public:
  // Errors (InvalidArgument, message names the file and OpenSSL's reason):
  // unreadable/missing certificate or key, key not matching the
  // certificate, bad CA or CRL file, unknown version.
  static absl::StatusOr<std::unique_ptr<TlsContext>> Create(const TlsOptions& options, Role role);
  ~TlsContext() override;

  // transport::SecureChannelFactory. Thread-safe.
  absl::StatusOr<std::unique_ptr<transport::SecureChannel>> NewChannel(int fd) override;

 private:
  struct Impl;
  explicit TlsContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipfleet::tls

#endif  // SIPFLEET_COMMON_TLS_TLS_CONTEXT_H_
