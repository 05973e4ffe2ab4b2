#ifndef SIPFLEET_COMMON_TRANSPORT_SECURE_CHANNEL_H_
#define SIPFLEET_COMMON_TRANSPORT_SECURE_CHANNEL_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace sipfleet::transport {

// Outcome of one non-blocking step on a stream.
enum class IoResult : uint8_t {
  kDone,       // the step completed (some bytes moved, or the handshake finished)
  kWantRead,   // retry when the socket is readable
  kWantWrite,  // retry when the socket is writable
  kClosed,     // orderly close by the peer
  kError,      // fatal: see SecureChannel::ErrorText()
};

// Encryption over a connected non-blocking socket (TLS, common/tls). The
// channel does its own socket I/O; StreamConnection drives it from the
// owner's event loop and never blocks.
class SecureChannel {
 public:
  virtual ~SecureChannel() = default;
  // Advances the handshake; kDone once it is complete.
  virtual IoResult Handshake() = 0;
  // Reads decrypted bytes; *read > 0 with kDone.
  virtual IoResult Read(char* buffer, size_t capacity, size_t* read) = 0;
  // Writes plaintext; *written may be less than `size` with kDone.
  virtual IoResult Write(const char* data, size_t size, size_t* written) = 0;
  // Why the last step failed, for counters and logs
  // ("certificate verify failed: unable to get local issuer certificate").
  virtual std::string ErrorText() const = 0;
  // True when the failure was the peer's certificate (wrong CA, expired...).
  virtual bool VerifyFailed() const = 0;
  // True when the handshake resumed an earlier session.
  virtual bool Resumed() const = 0;
};

// Makes a channel for a connected socket. Called on the loop thread.
class SecureChannelFactory {
 public:
  virtual ~SecureChannelFactory() = default;
  virtual absl::StatusOr<std::unique_ptr<SecureChannel>> NewChannel(int fd) = 0;
};

}  // namespace sipfleet::transport

#endif  // SIPFLEET_COMMON_TRANSPORT_SECURE_CHANNEL_H_
