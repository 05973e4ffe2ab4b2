// sipfleet_test_ca <dir>: writes a throwaway test PKI (see
// common/tls/test_ca.h, WriteTestCaFiles) into <dir>, creating it, so shell
// tests need no openssl CLI. Exit status 0 on success, 1 on error, 2 on
// bad usage.

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "common/tls/test_ca.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <dir>\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    std::fprintf(stderr, "cannot create '%s': %s\n", dir.c_str(), error.message().c_str());
    return 1;
  }
  absl::StatusOr<sipfleet::tls::testing::TestCaFiles> files =
      sipfleet::tls::testing::WriteTestCaFiles(dir);
  if (!files.ok()) {
    std::fprintf(stderr, "%s\n", std::string(files.status().message()).c_str());
    return 1;
  }
  return 0;
}
