#!/usr/bin/env bash
# Memory per concurrent call: each UAC (real SIPp, then sipfleet) holds calls for 60 s
# (-d 60000) against a fresh real SIPp UAS; RSS is read at N/5 and at N concurrent calls.
# Env: HOLD_CALLS (N, 50000), HOLD_RATE (calls/s, 5000), PORT (25160; each run uses
#      PORT+10*i for the UAS and +1 for the UAC), SIPFLEET (binary), OUT (work dir).
set -euo pipefail

N=${HOLD_CALLS:-50000}
RATE=${HOLD_RATE:-5000}
PORT=${PORT:-25160}
SIPFLEET=${SIPFLEET:-$(cd "$(dirname "$0")/.." && pwd)/build/agent/sipfleet}
OUT=${OUT:-$(mktemp -d /tmp/sipfleet-mem.XXXXXX)}
BUF=4194304
RAMP=$(( (N + RATE - 1) / RATE ))
LIMIT=$((RAMP + 90))        # hard bound for every process (calls end after 60 s anyway)
mkdir -p "$OUT"

source "$(dirname "$0")/lib.sh"   # PIDS, cleanup on exit, child_of, rss_kb, current_calls

# hold NAME INDEX CMD... ; appends to ROWS: NAME cc1 rss1_kB cc2 rss2_kB retrans failed
hold() {
    local name=$1 i=$2; shift 2
    local uas_port=$((PORT + 10 * i)) csv="$OUT/$name.csv"
    timeout "$LIMIT" sipp -sn uas -p "$uas_port" -buff_size $BUF -nostdin -l $((N * 2)) \
        >"$OUT/$name-uas.log" 2>&1 &
    local uas_t=$!; PIDS+=("$uas_t"); sleep 1
    timeout "$LIMIT" "$@" 127.0.0.1:"$uas_port" -p $((uas_port + 1)) -sn uac -d 60000 -r "$RATE" \
        -m "$N" -l $((N + 1000)) -buff_size $BUF -nostdin -trace_stat -fd 1 -stf "$csv" \
        >"$OUT/$name.log" 2>&1 </dev/null &
    local uac_t=$!; PIDS+=("$uac_t")
    local pid; pid=$(child_of "$uac_t"); [[ -n $pid ]] || { echo "$name did not start" >&2; return 1; }
    local rows=0 n cc cc1="" rss1="" cc2="" rss2="" deadline=$((SECONDS + RAMP + 30))
    while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
        n=$(wc -l 2>/dev/null <"$csv" || echo 0)
        if ((n > rows)); then          # a fresh stat row: sample RSS right away
            rows=$n; cc=$(current_calls "$csv"); cc=${cc:-0}
            if [[ -z $cc1 ]] && ((cc >= N / 5)); then cc1=$cc; rss1=$(rss_kb "$pid"); fi
            if ((cc >= N)); then sleep 1; cc2=$(current_calls "$csv"); rss2=$(rss_kb "$pid"); break; fi
        fi
        sleep 0.05
    done
    local last; last=$(tail -n 1 "$csv" | awk -F';' '{print $58, $18}')
    kill -KILL "$pid" 2>/dev/null || true
    kill -KILL "$(child_of "$uas_t")" 2>/dev/null || true
    wait "$uac_t" "$uas_t" 2>/dev/null || true
    ROWS+=("$name ${cc1:-?} ${rss1:-?} ${cc2:-?} ${rss2:-?} $last")
}

ROWS=()
hold sipp        0 sipp;                    sleep 2
hold sipfleet-w1 1 "$SIPFLEET" -workers 1;  sleep 2
hold sipfleet-w2 2 "$SIPFLEET" -workers 2

echo "Memory per concurrent call: HOLD_CALLS=$N HOLD_RATE=$RATE -d 60000 -buff_size $BUF (logs: $OUT)"
printf '%s\n' "${ROWS[@]}" | awk '
    BEGIN { printf "%-12s %8s %10s %8s %10s %13s %9s %8s %7s\n", "UAC", "calls@1", "RSS@1 KiB",
            "calls@2", "RSS@2 KiB", "B/call slope", "vs SIPp", "retrans", "failed" }
    { slope = ($3 ~ /^[0-9]+$/ && $5 ~ /^[0-9]+$/ && $4 > $2) ? ($5 - $3) * 1024 / ($4 - $2) : -1
      if (NR == 1) base = slope
      printf "%-12s %8s %10s %8s %10s %13.0f %9.2f %8s %7s\n", $1, $2, $3, $4, $5, slope,
             (base > 0 ? slope / base : 0), $6, $7 }'
