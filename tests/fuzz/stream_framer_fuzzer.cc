// libFuzzer target for the TCP/TLS stream framer (common/transport/
// stream_framer.h). Input: one byte N, N bytes of read sizes, then the
// stream. The stream is framed twice, in one read and in reads of the given
// sizes: both must give the same messages and the same verdict, every
// message must lie inside the stream and fit the size limit.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/transport/stream_framer.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using ::sipfleet::fuzz::Check;
using ::sipfleet::fuzz::Chunks;
using ::sipfleet::transport::StreamFramer;

constexpr size_t kLimit = 4096;

struct Outcome {
  std::vector<std::string> messages;
  bool error = false;
  size_t buffered = 0;
};

Outcome Frame(const std::vector<std::string_view>& reads) {
  StreamFramer framer(kLimit);
  Outcome outcome;
  for (std::string_view read : reads) {
    framer.Append(read);
    std::string_view message;
    StreamFramer::Result result;
    while ((result = framer.Next(&message)) == StreamFramer::Result::kMessage) {
      Check(!message.empty() && message.size() <= kLimit);
      outcome.messages.emplace_back(message);
    }
    if (result == StreamFramer::Result::kError) {
      Check(!framer.error().empty());
      outcome.error = true;
      return outcome;
    }
  }
  outcome.buffered = framer.buffered();
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.empty()) return 0;
  const size_t sizes_length =
      std::min<size_t>(static_cast<unsigned char>(input[0]), input.size() - 1);
  std::string_view sizes = input.substr(1, sizes_length);
  std::string_view stream = input.substr(1 + sizes_length);
  Outcome whole = Frame({stream});
  Outcome pieces = Frame(Chunks(stream, sizes));
  // An error may show earlier in pieces (a header block over the limit is
  // seen before its end arrives), never a different message.
  const size_t common = std::min(whole.messages.size(), pieces.messages.size());
  for (size_t i = 0; i < common; ++i) Check(whole.messages[i] == pieces.messages[i]);
  if (!whole.error && !pieces.error) {
    Check(whole.messages == pieces.messages);
    Check(whole.buffered == pieces.buffered);
  }
  if (!whole.error) Check(pieces.messages.size() <= whole.messages.size());
  return 0;
}
