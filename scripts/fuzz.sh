#!/usr/bin/env bash
# CI's fuzzing stage: builds every libFuzzer target (tests/fuzz/) with clang
# into build-asan/ and runs each for FUZZ_SECONDS (default 20) from its seed
# corpus in tests/fuzz/corpus/<target>/ (copied: the repository is not
# written). A crash, leak, sanitizer report or timeout fails the stage; the
# input is kept in build-asan/artifacts/<target>/.
# Usage: scripts/fuzz.sh [target...]   (default: all)
# Long runs: bench/fuzz_long.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
jobs=${SIPFLEET_JOBS:-2}
source scripts/sanitizer_trees.sh
[[ -n $(sanitizer_clang) ]] || { echo "fuzz: clang is not installed (scripts/install-deps.sh)" >&2; exit 1; }
targets=("$@")
if ((${#targets[@]} == 0)); then
  for dir in tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

configure_asan_tree
cmake --build build-asan -j "$jobs" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
work=$(mktemp -d "${TMPDIR:-/tmp}/sipfleet-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=()
for target in "${targets[@]}"; do
  mkdir -p "$work/$target" "build-asan/artifacts/$target"
  cp tests/fuzz/corpus/"$target"/* "$work/$target/"
  dict=()
  [[ -f tests/fuzz/$target.dict ]] && dict=(-dict="tests/fuzz/$target.dict")
  rc=0
  build-asan/tests/fuzz/"$target" "${dict[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="build-asan/artifacts/$target/" "$work/$target" >"$work/$target.log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")
  cov=$(grep -o 'cov: [0-9]*' "$work/$target.log" | tail -n 1 | cut -d' ' -f2)
  echo "fuzz: $target: ${runs:-?} inputs in ${seconds} s, coverage ${cov:-?} points, exit $rc"
  if ((rc != 0)); then
    failed+=("$target")
    tail -n 40 "$work/$target.log" >&2
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]} (inputs in build-asan/artifacts/)" >&2
  exit 1
fi
