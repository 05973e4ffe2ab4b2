#!/usr/bin/env bash
# Installs dependencies (idempotent), builds, and runs every test: unit tests,
# cross-process integration tests, and compatibility tests against real SIPp.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-deploy-deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j 2 "$@"
