#ifndef SIPFLEET_TESTS_FUZZ_FUZZ_INPUT_H_
#define SIPFLEET_TESTS_FUZZ_FUZZ_INPUT_H_

// Helpers shared by the libFuzzer targets: a fuzz input read as a stream
// cut into reads of varying sizes, the way a socket delivers it.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace sipfleet::fuzz {

// Cuts `bytes` into chunks whose sizes come from `sizes` (cycled; a zero
// size byte means 1), so the same payload is also fed in pieces.
inline std::vector<std::string_view> Chunks(std::string_view bytes, std::string_view sizes) {
  std::vector<std::string_view> chunks;
  size_t i = 0;
  while (!bytes.empty()) {
    size_t size = bytes.size();
    if (!sizes.empty()) size = static_cast<unsigned char>(sizes[i++ % sizes.size()]);
    if (size == 0) size = 1;
    if (size > bytes.size()) size = bytes.size();
    chunks.push_back(bytes.substr(0, size));
    bytes.remove_prefix(size);
  }
  return chunks;
}

// Aborts (a libFuzzer crash) when `condition` does not hold: the targets'
// own invariants, on top of the sanitizers'.
inline void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace sipfleet::fuzz

#endif  // SIPFLEET_TESTS_FUZZ_FUZZ_INPUT_H_
