#!/usr/bin/env bash
# Installs dependencies (idempotent), builds, and runs every test: unit tests,
# cross-process integration tests, and compatibility tests against real SIPp;
# then the sanitizer stage (scripts/sanitize.sh: ASan+UBSan and TSan builds)
# and the fuzzing stage (scripts/fuzz.sh: every fuzz target briefly).
# With arguments (passed to ctest, e.g. -R pattern) only the Release tests
# run; SIPFLEET_SKIP_SANITIZE=1 / SIPFLEET_SKIP_FUZZ=1 skip a stage.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-deploy-deps.sh
bash scripts/build.sh
cd build
start=$SECONDS
ctest --output-on-failure -j 2 "$@"
echo "test: Release tests done in $((SECONDS - start)) s"
cd ..
(($# == 0)) || exit 0
if [[ ${SIPFLEET_SKIP_SANITIZE:-0} != 1 ]]; then bash scripts/sanitize.sh; fi
if [[ ${SIPFLEET_SKIP_FUZZ:-0} != 1 ]]; then
  start=$SECONDS
  bash scripts/fuzz.sh
  echo "test: fuzzing done in $((SECONDS - start)) s"
fi
