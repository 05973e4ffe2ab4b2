#include "common/tls/tls_channel.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "common/base/strings.h"

namespace sipfleet::tls {

using transport::IoResult;

std::string NegotiatedTlsVersion(const transport::SecureChannel& channel) {
  const auto* tls = dynamic_cast<const internal::TlsChannel*>(&channel);
  return tls == nullptr ? std::string() : tls->version();
}

namespace internal {

TlsChannel::TlsChannel(SslPtr ssl, std::shared_ptr<const void> keep_alive)
    : keep_alive_(std::move(keep_alive)), ssl_(std::move(ssl)) {}

TlsChannel::~TlsChannel() {
  if (!protocol_error_ && SSL_is_init_finished(ssl_.get())) {
    // As if close_notify went both ways, so SSL_free keeps the session.
    SSL_set_shutdown(ssl_.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  }
}

void TlsChannel::BeginStep() {
  errno = 0;
  ERR_clear_error();
}

IoResult TlsChannel::Handshake() {
  BeginStep();
  int ret = SSL_do_handshake(ssl_.get());
  return ret == 1 ? IoResult::kDone : Outcome(ret);
}

IoResult TlsChannel::Read(char* buffer, size_t capacity, size_t* read) {
  *read = 0;
  BeginStep();
  int ret = SSL_read_ex(ssl_.get(), buffer, capacity, read);
  return ret == 1 ? IoResult::kDone : Outcome(ret);
}

IoResult TlsChannel::Write(const char* data, size_t size, size_t* written) {
  *written = 0;
  if (size == 0) return IoResult::kDone;
  BeginStep();
  int ret = SSL_write_ex(ssl_.get(), data, size, written);
  return ret == 1 ? IoResult::kDone : Outcome(ret);
}

bool TlsChannel::Resumed() const { return SSL_session_reused(ssl_.get()) == 1; }

IoResult TlsChannel::Outcome(int ret) {
  int error = errno;
  switch (SSL_get_error(ssl_.get(), ret)) {
    case SSL_ERROR_WANT_READ:
      return IoResult::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return IoResult::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      error_ = "closed by peer (close_notify)";
      return IoResult::kClosed;
    case SSL_ERROR_SYSCALL:
      return SyscallOutcome(error);
    default:
      return ProtocolOutcome();
  }
}

IoResult TlsChannel::SyscallOutcome(int error) {
  ERR_clear_error();
  if (error == 0) {
    error_ = "closed by peer";
    return IoResult::kClosed;
  }
  error_ = strerror(error);
  return IoResult::kError;
}

IoResult TlsChannel::ProtocolOutcome() {
  unsigned long first = ERR_peek_error();
  bool ssl_library = ERR_GET_LIB(first) == ERR_LIB_SSL;
  if (ssl_library && ERR_GET_REASON(first) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    ERR_clear_error();
    error_ = "closed by peer";
    return IoResult::kClosed;
  }
  protocol_error_ = true;
  long verify = SSL_get_verify_result(ssl_.get());
  bool verifying = (SSL_get_verify_mode(ssl_.get()) & SSL_VERIFY_PEER) != 0;
  if ((verifying && verify != X509_V_OK) ||
      (ssl_library && ERR_GET_REASON(first) == SSL_R_CERTIFICATE_VERIFY_FAILED)) {
    ERR_clear_error();
    verify_failed_ = true;
    error_ = verify == X509_V_OK
                 ? std::string("certificate verify failed")
                 : base::Cat("certificate verify failed: ", X509_verify_cert_error_string(verify));
    return IoResult::kError;
  }
  error_ = TakeErrorText("TLS protocol error");
  return IoResult::kError;
}

}  // namespace internal
}  // namespace sipfleet::tls
