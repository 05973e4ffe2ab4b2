#!/usr/bin/env bash
# Long fuzzing runs: each libFuzzer target (tests/fuzz/) for FUZZ_RUNS
# inputs (default 10,000,000), capped at FUZZ_MAX_SECONDS each (default
# 3600), from its seed corpus (copied). Prints one table row per target
# (inputs, seconds, inputs/s, crashes, coverage points, features, corpus
# size) for docs/fuzzing.md. Crash inputs are kept in build-asan/artifacts/.
# Usage: bench/fuzz_long.sh [target...]   (builds with scripts/fuzz.sh's tree)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${FUZZ_RUNS:-10000000}
cap=${FUZZ_MAX_SECONDS:-3600}
targets=("$@")
if ((${#targets[@]} == 0)); then
  for dir in tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi
# Builds the targets (a zero-second run of each).
FUZZ_SECONDS=1 bash scripts/fuzz.sh "${targets[@]}" >/dev/null
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
work=$(mktemp -d "${TMPDIR:-/tmp}/sipfleet-fuzz-long.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "| target | inputs | seconds | inputs/s | crashes | coverage | features | corpus |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for target in "${targets[@]}"; do
  mkdir -p "$work/$target" "build-asan/artifacts/$target"
  cp tests/fuzz/corpus/"$target"/* "$work/$target/"
  dict=()
  [[ -f tests/fuzz/$target.dict ]] && dict=(-dict="tests/fuzz/$target.dict")
  start=$SECONDS
  rc=0
  build-asan/tests/fuzz/"$target" "${dict[@]}" -runs="$runs" -max_total_time="$cap" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="build-asan/artifacts/$target/" "$work/$target" >"$work/$target.log" 2>&1 || rc=$?
  elapsed=$((SECONDS - start))
  done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")
  cov=$(grep -o 'cov: [0-9]*' "$work/$target.log" | tail -n 1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$work/$target.log" | tail -n 1 | cut -d' ' -f2)
  corpus=$(find "$work/$target" -type f | wc -l)
  # crash-, leak-, timeout- and oom- inputs; slow-unit- files (a unit over
  # 10 s, reported, not a failure) are not counted. Never SIGSTOP a run:
  # libFuzzer's timeout is wall-clock, so a pause files a false timeout.
  crashes=$(find "build-asan/artifacts/$target" -type f ! -name 'slow-unit-*' | wc -l)
  ((rc == 0)) || tail -n 30 "$work/$target.log" >&2
  echo "| $target | ${done_runs:-?} | $elapsed | $(( ${done_runs:-0} / (elapsed > 0 ? elapsed : 1) )) | $crashes | ${cov:-?} | ${ft:-?} | $corpus |"
done
