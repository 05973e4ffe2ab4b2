#ifndef SIPFLEET_COMMON_TRANSPORT_STREAM_FRAMER_H_
#define SIPFLEET_COMMON_TRANSPORT_STREAM_FRAMER_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace sipfleet::transport {

// Cuts a byte stream into SIP messages (RFC 3261 §18.3): the header block
// ends at the first CRLFCRLF and the body is Content-Length (or "l")
// bytes; a missing Content-Length means an empty body. CRLF keep-alives
// between messages (RFC 5626 §3.5.1) are skipped. Independent of the SIP
// parser: it reads only what framing needs. Not thread-safe.
class StreamFramer {
 public:
  enum class Result { kNeedMore, kMessage, kError };

  explicit StreamFramer(size_t max_message_bytes = 1 << 20)
      : max_message_bytes_(max_message_bytes) {}

  // Appends bytes read from the stream.
  void Append(std::string_view bytes);
  // kMessage: *message is the next whole message, valid until the next
  // Append() or Next(). kNeedMore: wait for more bytes. kError: the stream
  // cannot be framed (unparsable Content-Length, a message over the limit);
  // error() says why and the stream must be closed.
  Result Next(std::string_view* message);
  // Bytes of an incomplete message held (non-zero at EOF means the peer
  // closed mid-message).
  size_t buffered() const { return buffer_.size() - start_; }
  const std::string& error() const { return error_; }

 private:
  size_t max_message_bytes_;
  std::string buffer_;
  size_t start_ = 0;
  std::string error_;
};

}  // namespace sipfleet::transport

#endif  // SIPFLEET_COMMON_TRANSPORT_STREAM_FRAMER_H_
