// libFuzzer target for the SIP message parser (common/sip/message.h).
//
// Build: cmake -DCMAKE_CXX_COMPILER=clang++ -DSIPFLEET_FUZZ=ON, then
//   ./sip_parser_fuzzer -max_total_time=30 corpus/
// Every view of a successful parse is read byte by byte so ASan reports any
// view that escapes the input buffer.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/sip/message.h"

namespace {

using ::sipfleet::sip::HeaderField;
using ::sipfleet::sip::HeaderParam;
using ::sipfleet::sip::Message;
using ::sipfleet::sip::PeekCallId;

// Reads every byte of `view` and checks it lies inside `buffer`.
uint64_t Touch(std::string_view view, std::string_view buffer) {
  if (view.empty()) return 0;
  const auto begin = reinterpret_cast<uintptr_t>(buffer.data());
  const auto first = reinterpret_cast<uintptr_t>(view.data());
  if (first < begin || first + view.size() > begin + buffer.size()) std::abort();
  uint64_t sum = view.size();
  for (char c : view) sum = sum * 31 + static_cast<unsigned char>(c);
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view buffer(reinterpret_cast<const char*>(data), size);
  uint64_t sum = Touch(PeekCallId(buffer), buffer);
  absl::StatusOr<Message> message = Message::Parse(buffer);
  if (message.ok()) {
    const Message& m = *message;
    for (std::string_view view :
         {m.raw(), m.start_line(), m.method(), m.request_uri(), m.reason(), m.header_section(),
          m.body(), m.call_id(), m.cseq_method(), m.to_tag(), m.top_via_branch()}) {
      sum += Touch(view, buffer);
      sum += Touch(view, m.raw());
    }
    if (m.is_request() == m.method().empty()) std::abort();
    if (!m.is_request() && (m.status_code() < 100 || m.status_code() > 699)) std::abort();
    for (const HeaderField& header : m.headers()) {
      sum += Touch(header.name, header.line) + Touch(header.value, header.line) +
             Touch(header.line, m.header_section());
      sum += Touch(HeaderParam(header.value, "tag"), header.value);
      sum += Touch(HeaderParam(header.value, "branch"), header.value);
      if (m.FindHeader(header.name) == nullptr) std::abort();
    }
    for (std::string_view name : {"Via", "v", "Call-ID", "To", "CSeq", "Content-Length"}) {
      if (const HeaderField* header = m.FindHeader(name)) sum += Touch(header->value, buffer);
      sum += m.FindAll(name).size();
    }
  }
  // Keep `sum` alive so the reads are not optimised away.
  volatile uint64_t sink = sum;
  (void)sink;
  return 0;
}
