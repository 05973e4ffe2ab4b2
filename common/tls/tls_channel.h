#ifndef SIPFLEET_COMMON_TLS_TLS_CHANNEL_H_
#define SIPFLEET_COMMON_TLS_TLS_CHANNEL_H_

#include <memory>
#include <string>

#include "common/tls/openssl_util.h"
#include "common/transport/secure_channel.h"

namespace sipfleet::tls {

// The protocol a channel made by TlsContext negotiated ("TLSv1.2",
// "TLSv1.3"), for logs and tests. "" for any other kind of channel. Only
// meaningful once Handshake() returned kDone.
std::string NegotiatedTlsVersion(const transport::SecureChannel& channel);

namespace internal {

// One OpenSSL connection over a non-blocking socket. Every step clears this
// thread's OpenSSL error queue first, so the reported reason is its own.
// After kWantRead/kWantWrite from Write, retry with the same bytes (the
// buffer may move: SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER). Not thread-safe;
// one loop thread drives it.
class TlsChannel final : public transport::SecureChannel {
 public:
  // `ssl` is in connect or accept state with its BIO set. `keep_alive`
  // holds what `ssl` points into (SSL_CTX callbacks, BIO method).
  TlsChannel(SslPtr ssl, std::shared_ptr<const void> keep_alive);
  // Frees the connection without SSL_shutdown: the owner may already have
  // closed (or even reused) the descriptor. The session stays resumable
  // unless the handshake did not finish or a TLS protocol error occurred
  // (OpenSSL would otherwise invalidate every session not shut down).
  ~TlsChannel() override;

  transport::IoResult Handshake() override;
  transport::IoResult Read(char* buffer, size_t capacity, size_t* read) override;
  transport::IoResult Write(const char* data, size_t size, size_t* written) override;
  std::string ErrorText() const override { return error_; }
  bool VerifyFailed() const override { return verify_failed_; }
  bool Resumed() const override;

  std::string version() const { return SSL_get_version(ssl_.get()); }

 private:
  // Clears errno and the error queue before an SSL call.
  static void BeginStep();
  // Maps a failed SSL call's return value to an outcome, recording why.
  transport::IoResult Outcome(int ret);
  transport::IoResult SyscallOutcome(int error);
  transport::IoResult ProtocolOutcome();

  std::shared_ptr<const void> keep_alive_;  // declared first: outlives ssl_
  SslPtr ssl_;
  std::string error_;
  bool verify_failed_ = false;
  bool protocol_error_ = false;  // SSL_ERROR_SSL seen: do not resume the session
};

}  // namespace internal
}  // namespace sipfleet::tls

#endif  // SIPFLEET_COMMON_TLS_TLS_CHANNEL_H_
