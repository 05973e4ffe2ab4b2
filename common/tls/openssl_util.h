#ifndef SIPFLEET_COMMON_TLS_OPENSSL_UTIL_H_
#define SIPFLEET_COMMON_TLS_OPENSSL_UTIL_H_

// Internal helpers for common/tls: owning pointers for OpenSSL objects and
// error-queue text.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace sipfleet::tls::internal {

// Deleter calling OpenSSL's `FreeFn` (X509_free, SSL_free...).
template <auto FreeFn>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* object) const {
    FreeFn(object);
  }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslDeleter<SSL_free>>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, OpenSslDeleter<SSL_SESSION_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using BioMethodPtr = std::unique_ptr<BIO_METHOD, OpenSslDeleter<BIO_meth_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OpenSslDeleter<X509_CRL_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;

// The reason of the oldest error queued on this thread ("no such file",
// "unsupported protocol"...), which is the root cause; the whole queue is
// then cleared. `fallback` when the queue is empty.
std::string TakeErrorText(const char* fallback = "unknown OpenSSL error");

}  // namespace sipfleet::tls::internal

#endif  // SIPFLEET_COMMON_TLS_OPENSSL_UTIL_H_
