#!/usr/bin/env bash
# Runs the benchmarks with the same environment (RATE, CALLS, HOLD_CALLS, HOLD_RATE,
# SIPFLEET, ...). Quick run: RATE=2000 CALLS=10000 HOLD_CALLS=5000 HOLD_RATE=1000 bench/run_all.sh
# SKIP_TRANSPORT=1 skips transport_bench.sh (TCP/TLS, ~9 min), SKIP_MEDIA=1 skips
# media_bench.sh (pcap play, ~8 min). The scripts run one after the other; OUT, if set,
# is shared by all of them (the file names do not collide).
set -euo pipefail
cd "$(dirname "$0")"
echo "== $(date -u '+%F %T UTC'), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
./cpu_per_call.sh
echo
./memory_per_call.sh
if [[ ${SKIP_TRANSPORT:-0} != 1 ]]; then
    echo
    ./transport_bench.sh
fi
if [[ ${SKIP_MEDIA:-0} != 1 ]]; then
    echo
    ./media_bench.sh
fi
