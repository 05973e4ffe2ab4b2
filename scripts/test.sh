#!/usr/bin/env bash
# Installs dependencies (idempotent), builds, and runs every test: unit tests,
# cross-process integration tests, and compatibility tests against real SIPp;
# then the sanitizer stage (scripts/sanitize.sh: ASan+UBSan and TSan builds)
# and the fuzzing stage (scripts/fuzz.sh: every fuzz target briefly). It
# prints the outside tools' versions first and the skipped tests, each with
# its reason, after the Release tests.
# With arguments (passed to ctest, e.g. -R pattern) only the Release tests
# run; SIPFLEET_SKIP_SANITIZE=1 / SIPFLEET_SKIP_FUZZ=1 skip a stage.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-deploy-deps.sh
bash scripts/build.sh
bash scripts/tool_versions.sh
cd build
start=$SECONDS
status=0
mkdir -p Testing
ctest --output-on-failure -j 2 "$@" | tee Testing/ctest.out || status=$?
# ctest names skipped tests without their reasons: each, with its reason.
python3 ../scripts/list_skipped.py Testing/ctest.out Testing/Temporary/LastTest.log ||
  echo "test: could not list the skipped tests" >&2
echo "test: Release tests done in $((SECONDS - start)) s"
((status == 0)) || exit "$status"
cd ..
(($# == 0)) || exit 0
if [[ ${SIPFLEET_SKIP_SANITIZE:-0} != 1 ]]; then bash scripts/sanitize.sh; fi
if [[ ${SIPFLEET_SKIP_FUZZ:-0} != 1 ]]; then
  start=$SECONDS
  bash scripts/fuzz.sh
  echo "test: fuzzing done in $((SECONDS - start)) s"
fi
