# Every third-party package sipfleet uses, found in one place (DESIGN.md).
# All come from Debian packages installed by scripts/install-deps.sh.
find_package(Threads REQUIRED)
find_package(absl REQUIRED)
find_package(pugixml REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(GTest REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(GSL REQUIRED IMPORTED_TARGET gsl)
pkg_check_modules(PCAP REQUIRED IMPORTED_TARGET libpcap)
# The cluster control plane (issue 6): protobuf 3.21 + gRPC 1.51 from Debian.
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
# Results (issue 13): the HTTP server for -metrics and -web (Debian
# libcpp-httplib-dev), and npm, which brings uPlot into the build (pinned
# by common/web/assets/package-lock.json) to be embedded into the pages.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_program(SIPFLEET_NPM npm REQUIRED)
