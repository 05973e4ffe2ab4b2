#include "common/auth/encoding.h"

#include <algorithm>

#include "absl/status/status.h"

namespace sipfleet::auth {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Value of a base64 character (RFC 4648 Table 1), or -1.
int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string LowerHex(std::string_view bytes) {
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (char c : bytes) {
    uint8_t byte = static_cast<uint8_t>(c);
    hex.push_back(kHexDigits[byte >> 4]);
    hex.push_back(kHexDigits[byte & 0x0f]);
  }
  return hex;
}

std::string LowerHex(std::span<const uint8_t> bytes) {
  return LowerHex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

absl::StatusOr<std::string> HexToBytes(std::string_view hex) {
  if (hex.size() % 2 != 0) return absl::InvalidArgumentError("hex string of odd length");
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int high = HexDigitValue(hex[i]);
    int low = HexDigitValue(hex[i + 1]);
    if (high < 0 || low < 0) return absl::InvalidArgumentError("non-hex character");
    bytes.push_back(static_cast<char>((high << 4) | low));
  }
  return bytes;
}

std::string Base64Encode(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    size_t chunk = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t j = 0; j < 3; ++j) {
      group = (group << 8) | (j < chunk ? static_cast<uint8_t>(bytes[i + j]) : 0);
    }
    for (size_t j = 0; j < 4; ++j) {
      text.push_back(j <= chunk ? kBase64Alphabet[(group >> (18 - 6 * j)) & 0x3f] : '=');
    }
  }
  return text;
}

absl::StatusOr<std::string> Base64Decode(std::string_view text) {
  size_t padding_at = text.find('=');
  std::string_view digits = text.substr(0, padding_at);
  if (padding_at != std::string_view::npos &&
      (text.find_first_not_of('=', padding_at) != std::string_view::npos || text.size() % 4 != 0 ||
       text.size() - padding_at > 2)) {
    return absl::InvalidArgumentError("misplaced base64 padding");
  }
  if (digits.size() % 4 == 1) return absl::InvalidArgumentError("truncated base64");
  std::string bytes;
  bytes.reserve(digits.size() * 3 / 4);
  uint32_t accumulator = 0;
  int bits = 0;
  for (char c : digits) {
    int value = Base64Value(c);
    if (value < 0) return absl::InvalidArgumentError("non-base64 character");
    accumulator = (accumulator << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((accumulator >> bits) & 0xff));
    }
  }
  return bytes;
}

}  // namespace sipfleet::auth
