#!/usr/bin/env bash
# Soak: a sipfleet UAC/UAS pair with default options at a steady rate (by
# default half of the pair's max clean rate on a 2-core machine, RATE=20000
# calls/s of 40k, with -d 0; bench/sweep.sh measures it) for DURATION seconds (600), each side's
# RSS sampled every SAMPLE seconds (10). Prints the RSS curve (one row per
# sample: seconds, UAC and UAS RSS in KiB, calls so far) and the verdict:
# growth of each side's RSS from the end of the warm-up (WARMUP seconds, 60)
# to the end, failed calls (must be 0) and the exact counts (UAC successful =
# UAS successful = calls placed). Exit 0 when flat (growth under
# MAX_GROWTH_KB, 2048), no call failed and the counts match.
# Usage: bench/soak.sh   (env: SIPFLEET RATE DURATION SAMPLE WARMUP MAX_GROWTH_KB PORT)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
sipfleet=${SIPFLEET:-build/agent/sipfleet}
rate=${RATE:-20000}
duration=${DURATION:-600}
sample=${SAMPLE:-10}
warmup=${WARMUP:-60}
max_growth=${MAX_GROWTH_KB:-2048}
port=${PORT:-25160}
calls=$((rate * duration))
work=$(mktemp -d "${TMPDIR:-/tmp}/sipfleet-soak.XXXXXX")

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
csv_col() {  # csv_col NAME FILE: the last row's value of column NAME
  awk -F';' -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
    c { v = $c } END { print v + 0 }' "$2"
}

"$sipfleet" -sn uas -i 127.0.0.1 -p "$port" -m "$calls" -nostdin \
  -trace_stat -stf "$work/uas.csv" -fd 5 >"$work/uas.out" 2>&1 &
uas=$!; PIDS+=("$uas")
sleep 0.5
"$sipfleet" 127.0.0.1:"$port" -sn uac -i 127.0.0.1 -p $((port + 1)) -r "$rate" -m "$calls" -d 0 \
  -nostdin -trace_stat -stf "$work/uac.csv" -fd 5 \
  >"$work/uac.out" 2>&1 &
uac=$!; PIDS+=("$uac")

echo "# soak: rate $rate calls/s, $duration s, $calls calls, RSS every $sample s ($work)"
echo "seconds uac_rss_kb uas_rss_kb calls"
start=$SECONDS
uac_warm=0 uas_warm=0 uac_last=0 uas_last=0
while kill -0 "$uac" 2>/dev/null; do
  sleep "$sample"
  t=$((SECONDS - start))
  uac_now=$(rss_kb "$uac"); uas_now=$(rss_kb "$uas")
  [[ $uac_now == 0 ]] && break  # the UAC ended during the sleep
  uac_last=$uac_now uas_last=$uas_now
  placed=$([[ -f $work/uac.csv ]] && csv_col 'OutgoingCall(C)' "$work/uac.csv" || echo 0)
  echo "$t $uac_last $uas_last $placed"
  if ((t <= warmup)); then uac_warm=$uac_last uas_warm=$uas_last; fi
  ((t > duration + 120)) && { echo "soak: still running after $t s" >&2; exit 1; }
done
wait "$uac" || true
for _ in $(seq 100); do kill -0 "$uas" 2>/dev/null || break; sleep 0.1; done
uac_ok=$(csv_col 'SuccessfulCall(C)' "$work/uac.csv")
uac_failed=$(csv_col 'FailedCall(C)' "$work/uac.csv")
uas_ok=$(csv_col 'SuccessfulCall(C)' "$work/uas.csv")
uac_growth=$((uac_last - uac_warm)) uas_growth=$((uas_last - uas_warm))
echo "# calls $calls, UAC successful $uac_ok, failed $uac_failed, UAS successful $uas_ok"
echo "# RSS growth after warm-up: UAC $uac_growth KiB, UAS $uas_growth KiB (limit $max_growth)"
verdict=0
((uac_failed == 0 && uac_ok == calls && uas_ok == calls)) || verdict=1
((uac_growth < max_growth && uas_growth < max_growth)) || verdict=1
echo "# verdict: $([[ $verdict == 0 ]] && echo PASS || echo FAIL)"
rm -rf "$work"
exit "$verdict"
