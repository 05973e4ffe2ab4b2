#!/usr/bin/env bash
# Installs every Debian package sipfleet's build, tests and benchmarks need.
# Idempotent: packages already present are skipped by apt; safe to rerun.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libssl-dev libpcap-dev libpugixml-dev libgsl-dev
  libgtest-dev libgmock-dev googletest libncurses-dev
  sip-tester tmux iproute2 procps python3-minimal
  kamailio kamailio-tls-modules tshark openssl
  # Results (issue 13): HTTP server, and for the tests a real Prometheus,
  # headless Chromium, curl and python3 with its json module.
  libcpp-httplib-dev prometheus chromium curl python3
  # Sanitizer and fuzz stages (scripts/sanitize.sh, scripts/fuzz.sh) and
  # the fault matrix (tests/integration/fault_test.sh).
  clang-14 libclang-rt-14-dev llvm-14 nftables
)
# npm brings uPlot into the build (and playwright-core into the page tests);
# a Node.js that ships its own npm is kept as it is.
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
