#include "common/tls/openssl_util.h"

#include <openssl/err.h>

#include <cstring>

namespace sipfleet::tls::internal {

std::string TakeErrorText(const char* fallback) {
  unsigned long error = ERR_get_error();
  ERR_clear_error();
  if (error == 0) return fallback;
  if (ERR_SYSTEM_ERROR(error)) return strerror(ERR_GET_REASON(error));  // "No such file..."
  if (const char* reason = ERR_reason_error_string(error); reason != nullptr) return reason;
  char buffer[256];
  ERR_error_string_n(error, buffer, sizeof(buffer));
  return buffer;
}

}  // namespace sipfleet::tls::internal
