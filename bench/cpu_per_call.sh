#!/usr/bin/env bash
# CPU per call: real SIPp UAC vs sipfleet UAC against one real SIPp UAS.
# Env: RATE (calls/s, 10000), CALLS (100000), PORT (UAS port, 25060; UACs use PORT+1..3),
#      SIPFLEET (binary), OUT (work dir for logs/CSVs, default a fresh mktemp -d).
set -euo pipefail

RATE=${RATE:-10000}
CALLS=${CALLS:-100000}
PORT=${PORT:-25060}
SIPFLEET=${SIPFLEET:-$(cd "$(dirname "$0")/.." && pwd)/build/agent/sipfleet}
OUT=${OUT:-$(mktemp -d /tmp/sipfleet-cpu.XXXXXX)}
BUF=4194304
LIMIT=$((CALLS * 4 / RATE + 60))   # seconds allowed per UAC before timeout kills it
mkdir -p "$OUT"

# UAS: real SIPp, bounded by -m (3 UAC runs) and by timeout; killed by PID on exit.
timeout $((LIMIT * 3 + 60)) sipp -sn uas -p "$PORT" -buff_size $BUF -nostdin -m $((CALLS * 3)) \
    >"$OUT/uas.log" 2>&1 &
UAS_PID=$!
trap 'kill "$UAS_PID" 2>/dev/null; wait "$UAS_PID" 2>/dev/null || true' EXIT
sleep 1
kill -0 "$UAS_PID" || { echo "UAS failed to start, see $OUT/uas.log" >&2; exit 1; }

# run_uac NAME CMD...: runs the UAC under timeout; bash's `times` prints the exact
# user+sys CPU of the reaped UAC process (from wait4 rusage), i.e. utime+stime at exit.
# Prints: NAME ok failed retrans wall_s cpu_s rc
run_uac() {
    local name=$1; shift
    local stf="$OUT/$name.csv" tf="$OUT/$name.times" t0 t1 rc=0
    t0=$EPOCHREALTIME
    timeout "$LIMIT" bash -c '"$@"; rc=$?; times >"$TF"; exit $rc' _ "$@" \
        -trace_stat -stf "$stf" >"$OUT/$name.log" 2>&1 </dev/null || rc=$?
    t1=$EPOCHREALTIME
    # Second line of `times` = children: "XmY.YYYs XmY.YYYs" (user sys).
    local cpu ok failed retrans
    cpu=$(awk 'NR==2 { n=split($0,a,/[ms ]+/); print a[1]*60+a[2]+a[3]*60+a[4] }' "$tf" 2>/dev/null || echo nan)
    # Final CSV row: SuccessfulCall(C)=16, FailedCall(C)=18, Retransmissions(C)=58.
    read -r ok failed retrans < <(tail -n 1 "$stf" | awk -F';' '{print $16, $18, $58}') || true
    echo "$name ${ok:-?} ${failed:-?} ${retrans:-?} $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}') ${cpu:-nan} $rc"
}
export TF

common=(127.0.0.1:"$PORT" -sn uac -r "$RATE" -m "$CALLS" -d 0 -buff_size "$BUF" -nostdin)
rows=()
TF="$OUT/sipp.times";        rows+=("$(run_uac sipp        sipp        "${common[@]}" -p $((PORT + 1)))"); sleep 5
TF="$OUT/sipfleet-w1.times"; rows+=("$(run_uac sipfleet-w1 "$SIPFLEET" "${common[@]}" -p $((PORT + 2)) -workers 1)"); sleep 5
TF="$OUT/sipfleet-w2.times"; rows+=("$(run_uac sipfleet-w2 "$SIPFLEET" "${common[@]}" -p $((PORT + 3)) -workers 2)")

echo "CPU per call: RATE=$RATE CALLS=$CALLS -d 0 -buff_size $BUF, UAS = sipp -sn uas on 127.0.0.1:$PORT (logs: $OUT)"
printf '%s\n' "${rows[@]}" | awk -v calls="$CALLS" '
    BEGIN { printf "%-12s %8s %8s %7s %8s %7s %10s %7s %9s %7s %3s\n",
            "UAC","calls","ok","failed","retrans","wall s","calls/s","CPU s","us/call","vs SIPp","rc" }
    { us = $6 * 1e6 / calls; if (NR == 1) base = us
      printf "%-12s %8d %8s %7s %8s %7.2f %10.0f %7.3f %9.2f %7.2f %3s\n",
             $1, calls, $2, $3, $4, $5, calls / $5, $6, us, us / base, $7 }'
