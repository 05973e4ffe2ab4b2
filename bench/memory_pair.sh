#!/usr/bin/env bash
# RSS per held call on BOTH sides of a pair of the same tool: a UAS and a UAC
# (`-sn uas` / `-sn uac -d HOLD_MS`), sipfleet against sipfleet, then SIPp
# against SIPp. RSS of each process is read when the UAC's stat CSV first shows
# >= N/5 open calls and again at N; bytes per call is the slope between them.
# Env: HOLD_CALLS (N, 200000), HOLD_RATE (calls/s, 10000), HOLD_MS (60000),
#      PORT (25360; pair i uses PORT+10*i and +1), SIPFLEET, OUT, SKIP_SIPP=1,
#      WORKERS (sipfleet -workers on both sides; unset = the default),
#      FINISH=1: after the samples, let the calls end and print each side's
#      summary (failed calls, timer lateness) on stderr.
set -euo pipefail
N=${HOLD_CALLS:-200000}
RATE=${HOLD_RATE:-10000}
HOLD_MS=${HOLD_MS:-60000}
PORT=${PORT:-25360}
SIPFLEET=${SIPFLEET:-$(cd "$(dirname "$0")/.." && pwd)/build/agent/sipfleet}
OUT=${OUT:-$(mktemp -d /tmp/sipfleet-mempair.XXXXXX)}
BUF=8388608
RAMP=$(( (N + RATE - 1) / RATE ))
LIMIT=$((RAMP + HOLD_MS / 1000 + 60))   # hard bound for every process
mkdir -p "$OUT"
source "$(dirname "$0")/lib.sh"

# pair NAME INDEX BINARY EXTRA... ; appends "NAME cc1 uac1 uas1 cc2 uac2 uas2 retrans failed"
pair() {
    local name=$1 i=$2 bin=$3; shift 3
    local uas_port=$((PORT + 10 * i)) csv="$OUT/$name.csv"
    timeout "$LIMIT" "$bin" "$@" -sn uas -p "$uas_port" -buff_size $BUF -nostdin \
        >"$OUT/$name-uas.log" 2>&1 </dev/null &
    local uas_t=$!; PIDS+=("$uas_t")
    local uas; uas=$(child_of "$uas_t"); sleep 1
    timeout "$LIMIT" "$bin" "$@" 127.0.0.1:"$uas_port" -p $((uas_port + 1)) -sn uac -d "$HOLD_MS" \
        -r "$RATE" -m "$N" -l $((N + 1000)) -buff_size $BUF -nostdin -trace_stat -fd 1 -stf "$csv" \
        >"$OUT/$name.log" 2>&1 </dev/null &
    local uac_t=$!; PIDS+=("$uac_t")
    local uac; uac=$(child_of "$uac_t")
    [[ -n $uac && -n $uas ]] || { echo "$name did not start" >&2; return 1; }
    local rows=0 n cc cc1="" a1="" s1="" cc2="" a2="" s2="" deadline=$((SECONDS + RAMP + 30))
    while ((SECONDS < deadline)) && kill -0 "$uac" 2>/dev/null; do
        n=$(wc -l 2>/dev/null <"$csv" || echo 0)
        if ((n > rows)); then          # a fresh stat row: sample RSS right away
            rows=$n; cc=$(current_calls "$csv"); cc=${cc:-0}
            if [[ -z $cc1 ]] && ((cc >= N / 5)); then cc1=$cc; a1=$(rss_kb "$uac"); s1=$(rss_kb "$uas"); fi
            if ((cc >= N)); then
                sleep 1; cc2=$(current_calls "$csv"); a2=$(rss_kb "$uac"); s2=$(rss_kb "$uas"); break
            fi
        fi
        sleep 0.05
    done
    if [[ -n ${FINISH:-} ]]; then
        # Let every call end (held HOLD_MS) and the UAC exit: its summary says
        # whether any failed and how late its timers fired.
        wait "$uac_t" 2>/dev/null || true
        kill -INT "$uas" 2>/dev/null || true
        wait "$uas_t" 2>/dev/null || true
        grep -h "^sipfleet: " "$OUT/$name.log" "$OUT/$name-uas.log" >&2 || true
    fi
    local last; last=$(tail -n 1 "$csv" | awk -F';' '{print $58, $18}')
    kill -KILL "$uac" "$uas" 2>/dev/null || true
    wait "$uac_t" "$uas_t" 2>/dev/null || true
    ROWS+=("$name ${cc1:-?} ${a1:-?} ${s1:-?} ${cc2:-?} ${a2:-?} ${s2:-?} $last")
}

ROWS=()
workers=(); [[ -n ${WORKERS:-} ]] && workers=(-workers "$WORKERS")
pair sipfleet 0 "$SIPFLEET" "${workers[@]}"
[[ -n ${SKIP_SIPP:-} ]] || { sleep 2; pair sipp 1 sipp; }

echo "RSS per held call, both sides: HOLD_CALLS=$N HOLD_RATE=$RATE -d $HOLD_MS -buff_size $BUF (logs: $OUT)"
printf '%s\n' "${ROWS[@]}" | awk '
    function slope(r1, r2, c1, c2) { return (r1 ~ /^[0-9]+$/ && r2 ~ /^[0-9]+$/ && c2 > c1) ? (r2 - r1) * 1024 / (c2 - c1) : -1 }
    BEGIN { printf "%-9s %8s %8s %10s %10s %10s %10s %9s %9s %8s %7s\n", "pair", "calls@1", "calls@2",
            "UAC KiB@2", "UAS KiB@2", "UAC B/call", "UAS B/call", "UAC/SIPp", "UAS/SIPp", "retrans", "failed" }
    { name[NR] = $1; c1[NR] = $2; c2[NR] = $5; a2[NR] = $6; s2[NR] = $7; rt[NR] = $8; f[NR] = $9
      ua[NR] = slope($3, $6, $2, $5); us[NR] = slope($4, $7, $2, $5)
      if ($1 == "sipp") { ba = ua[NR]; bs = us[NR] } }
    END { for (i = 1; i <= NR; ++i)
            printf "%-9s %8s %8s %10s %10s %10.0f %10.0f %9.2f %9.2f %8s %7s\n", name[i], c1[i], c2[i],
                   a2[i], s2[i], ua[i], us[i], (ba > 0 ? ua[i] / ba : 0), (bs > 0 ? us[i] / bs : 0), rt[i], f[i] }'
