#!/usr/bin/env bash
# Runs both benchmarks with the same environment (RATE, CALLS, HOLD_CALLS, HOLD_RATE,
# SIPFLEET, ...). Quick run: RATE=2000 CALLS=10000 HOLD_CALLS=5000 HOLD_RATE=1000 bench/run_all.sh
set -euo pipefail
cd "$(dirname "$0")"
echo "== $(date -u '+%F %T UTC'), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
./cpu_per_call.sh
echo
./memory_per_call.sh
