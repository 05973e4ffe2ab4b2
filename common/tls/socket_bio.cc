#include "common/tls/socket_bio.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstdint>

namespace sipfleet::tls::internal {
namespace {

int FdOf(BIO* bio) { return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio))); }

bool IsRetryable(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }

int SocketWrite(BIO* bio, const char* data, size_t size, size_t* written) {
  BIO_clear_retry_flags(bio);
  ssize_t n = send(FdOf(bio), data, size, MSG_NOSIGNAL);
  if (n >= 0) {
    *written = static_cast<size_t>(n);
    return 1;
  }
  if (IsRetryable(errno)) BIO_set_retry_write(bio);
  return 0;
}

int SocketRead(BIO* bio, char* buffer, size_t capacity, size_t* read) {
  BIO_clear_retry_flags(bio);
  ssize_t n = recv(FdOf(bio), buffer, capacity, 0);
  if (n > 0) {
    *read = static_cast<size_t>(n);
    return 1;
  }
  if (n == 0) {
    errno = 0;  // end of stream: no stale errno for SSL_ERROR_SYSCALL
  } else if (IsRetryable(errno)) {
    BIO_set_retry_read(bio);
  }
  return 0;
}

long SocketCtrl(BIO* bio, int command, long number, void* pointer) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_C_GET_FD:  // SSL_get_fd
      if (pointer != nullptr) *static_cast<int*>(pointer) = FdOf(bio);
      return FdOf(bio);
    default:
      return 0;
  }
}

int SocketCreate(BIO* bio) { return 1; }
int SocketDestroy(BIO* bio) { return 1; }

}  // namespace

BioMethodPtr NewSocketBioMethod() {
  BioMethodPtr method(BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                   "sipfleet socket"));
  if (method == nullptr) return nullptr;
  if (BIO_meth_set_write_ex(method.get(), SocketWrite) != 1 ||
      BIO_meth_set_read_ex(method.get(), SocketRead) != 1 ||
      BIO_meth_set_ctrl(method.get(), SocketCtrl) != 1 ||
      BIO_meth_set_create(method.get(), SocketCreate) != 1 ||
      BIO_meth_set_destroy(method.get(), SocketDestroy) != 1) {
    return nullptr;
  }
  return method;
}

BIO* NewSocketBio(const BIO_METHOD* method, int fd) {
  BIO* bio = BIO_new(method);
  if (bio == nullptr) return nullptr;
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
  BIO_set_init(bio, 1);
  return bio;
}

}  // namespace sipfleet::tls::internal
