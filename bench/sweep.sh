#!/usr/bin/env bash
# Rate sweep, sipfleet and SIPp side by side: at each rate, a pair of the same
# tool (UAS `-sn uas`, UAC `-sn uac -d 0`, both with the options a user would
# use: the defaults plus -buff_size) runs SECS seconds of calls; then the same
# with SIPp. Prints per rate and tool: calls/s completed (successful calls over
# the UAC's wall time, start-up and drain included), failed, retransmissions, late calls (sipfleet's
# "cannot keep up" counter), UAC CPU per call, and the sipfleet/SIPp ratios;
# then each tool's max clean rate (0 failed, 0 retransmissions, >= 95 % of the
# rate asked completed per second of wall time).
# Env: RATES ("5000 10000 20000 30000 40000 50000"), SECS (5), PORT (25460),
#      TRANSPORT (u1; t1 for TCP), SIPFLEET, OUT, SKIP_SIPP=1.
set -euo pipefail
RATES=${RATES:-"5000 10000 20000 30000 40000 50000"}
SECS=${SECS:-5}
PORT=${PORT:-25460}
TRANSPORT=${TRANSPORT:-u1}
SIPFLEET=${SIPFLEET:-$(cd "$(dirname "$0")/.." && pwd)/build/agent/sipfleet}
OUT=${OUT:-$(mktemp -d /tmp/sipfleet-sweep.XXXXXX)}
BUF=8388608
mkdir -p "$OUT"
source "$(dirname "$0")/lib.sh"

# run TOOL BIN RATE INDEX -> "TOOL RATE ok failed retrans late wall cpu"
run() {
    local tool=$1 bin=$2 rate=$3 i=$4 port=$((PORT + 10 * $4)) m=$(($3 * SECS))
    local limit=$((SECS * 4 + 60)) log="$OUT/$tool-$rate"
    timeout "$limit" "$bin" -sn uas -p "$port" -t "$TRANSPORT" -buff_size $BUF -nostdin \
        >"$log-uas.log" 2>&1 </dev/null &
    local uas_t=$!; PIDS+=("$uas_t"); sleep 1
    # The UAC's CPU: bash's `times` after it exits (children's user and sys).
    timeout "$limit" bash -c '"$@" >"'"$log"'-uac.log" 2>&1 </dev/null; rc=$?; times >"'"$log"'-times"; exit $rc' _ \
        "$bin" 127.0.0.1:"$port" -p $((port + 1)) -sn uac -t "$TRANSPORT" -r "$rate" -m "$m" -d 0 \
        -buff_size $BUF -nostdin -trace_stat -stf "$log.csv" -fd 1 &
    local uac_t=$!; PIDS+=("$uac_t")
    local t0=$EPOCHREALTIME
    wait "$uac_t" || true
    local wall; wall=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
    kill_tree "$uas_t"; wait "$uas_t" 2>/dev/null || true
    # Second line of `times` = children: "XmY.YYYs XmY.YYYs" (user sys).
    local cpu; cpu=$(awk 'NR == 2 { split($0, t, /[ms ]+/); print t[1] * 60 + t[2] + t[3] * 60 + t[4] }' "$log-times" 2>/dev/null || echo 0)
    # Final CSV row: SuccessfulCall(C) $16, FailedCall(C) $18, Retransmissions(C) $58.
    local row; row=$(tail -n 1 "$log.csv" | awk -F';' '{ print $16, $18, $58 }')
    local late; late=$(grep -o '^sipfleet: cannot keep up: [0-9]*' "$log-uac.log" | grep -o '[0-9]*$' || true)
    echo "$tool $rate $row ${late:-0} $wall ${cpu:-0}"
}

ROWS=()
i=0
for rate in $RATES; do
    ROWS+=("$(run sipfleet "$SIPFLEET" "$rate" $i)"); i=$((i + 1)); sleep 2
    if [[ -z ${SKIP_SIPP:-} ]]; then ROWS+=("$(run sipp sipp "$rate" $i)"); i=$((i + 1)); sleep 2; fi
done

echo "Sweep: pair of the same tool, -t $TRANSPORT -d 0 -buff_size $BUF, $SECS s of calls per rate (logs: $OUT)"
echo "$(date -u '+%F %T UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
printf '%s\n' "${ROWS[@]}" | awk '
    { tool = $1; r = $2; ok[tool, r] = $3; f[tool, r] = $4; rt[tool, r] = $5; late[tool, r] = $6
      wall[tool, r] = $7; cpu[tool, r] = $8; if (!(r in seen)) { seen[r] = 1; order[++n] = r } }
    END {
      printf "%8s %-9s %9s %8s %8s %8s %10s %9s %8s   %s\n", "asked/s", "tool", "done/s", "failed",
             "retrans", "late", "UAC CPU s", "us/call", "clean", "sipfleet/SIPp: done/s, us/call"
      for (k = 1; k <= n; ++k) {
        r = order[k]
        for (t = 0; t < 2; ++t) {
          tool = t == 0 ? "sipfleet" : "sipp"
          if (!((tool, r) in ok)) continue
          rate = wall[tool, r] > 0 ? ok[tool, r] / wall[tool, r] : 0
          us = ok[tool, r] > 0 ? cpu[tool, r] * 1e6 / ok[tool, r] : 0
          clean = (f[tool, r] == 0 && rt[tool, r] == 0 && ok[tool, r] >= r * 0.99 * '"$SECS"' && rate >= 0.95 * r) ? "yes" : "no"
          if (clean == "yes" && r > best[tool]) best[tool] = r
          done_rate[tool] = rate; per_call[tool] = us
          ratio = ""
          if (tool == "sipp" && done_rate["sipp"] > 0 && per_call["sipp"] > 0)
            ratio = sprintf("%.2f, %.2f", done_rate["sipfleet"] / done_rate["sipp"], per_call["sipfleet"] / per_call["sipp"])
          printf "%8d %-9s %9.0f %8d %8d %8d %10.2f %9.1f %8s   %s\n", r, tool, rate, f[tool, r], rt[tool, r],
                 late[tool, r], cpu[tool, r], us, clean, ratio
        }
      }
      printf "max clean rate: sipfleet %d, SIPp %d calls/s\n", best["sipfleet"], best["sipp"] }'
