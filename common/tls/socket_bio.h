#ifndef SIPFLEET_COMMON_TLS_SOCKET_BIO_H_
#define SIPFLEET_COMMON_TLS_SOCKET_BIO_H_

// Internal: the BIO under every TLS channel. Unlike OpenSSL's BIO_s_socket
// it sends with MSG_NOSIGNAL, so writing to a reset connection fails with
// EPIPE instead of raising SIGPIPE, and it never closes the descriptor (the
// StreamConnection owns it).

#include "common/tls/openssl_util.h"

namespace sipfleet::tls::internal {

// A method for non-blocking stream sockets. nullptr if OpenSSL is out of
// memory. Read-only once made: any thread may create BIOs from it.
BioMethodPtr NewSocketBioMethod();

// A BIO over `fd` (not owned). On end of stream a read fails with errno 0,
// so SSL_get_error reports SSL_ERROR_SYSCALL with errno 0. nullptr on
// allocation failure. `method` must outlive the BIO.
BIO* NewSocketBio(const BIO_METHOD* method, int fd);

}  // namespace sipfleet::tls::internal

#endif  // SIPFLEET_COMMON_TLS_SOCKET_BIO_H_
