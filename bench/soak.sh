#!/usr/bin/env bash
# Soak: a sipfleet UAC/UAS pair with default options at a steady rate (by
# default half of the pair's max clean rate on a 2-core machine, RATE=20000
# calls/s of 40k, with -d 0; bench/sweep.sh measures it) for DURATION seconds (600), each side's
# RSS sampled every SAMPLE seconds (10). Prints the RSS curve (one row per
# sample: seconds, UAC and UAS RSS in KiB, calls so far) and the verdict:
# growth of each side's RSS from the end of the warm-up (WARMUP seconds, 60)
# to the end, failed calls (must be 0), the exact counts (UAC successful =
# UAS successful = calls placed) and each side's peak of open calls with
# when it was reached (a peak after the warm-up explains an RSS step). Exit
# 0 when flat (growth under MAX_GROWTH_KB, 2048), no call failed and the
# counts match. With a C compiler, each side also runs with bench/heap_probe.c
# preloaded: the rows add each side's live heap and the free bytes its
# arenas keep (KiB, glibc's mallinfo2), and the verdict the live heap's
# growth, to tell the program's growth from the allocator's (for
# information: the verdict is on RSS).
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
peak_calls() {  # peak_calls FILE: "N after T s", the screen's last "Peak was" line
  grep -a -o 'Peak was [0-9]* calls, after [0-9]* s' "$1" 2>/dev/null | tail -n 1 |
    awk '{ print $3 " after " $6 " s" }'
}
heap_kb() {  # heap_kb PID: "live free" KiB from the probe, "- -" without it
  cat "$work/heap.$1" 2>/dev/null || echo "- -"
}
heap_growth() {  # heap_growth "LIVE FREE" "LIVE FREE": the live heap's growth
  local a=($1) b=($2)
  [[ ${a[0]} == - || ${b[0]} == - ]] && { echo "-"; return; }
  echo "$((b[0] - a[0])) KiB (arenas' free ${a[1]} -> ${b[1]} KiB)"
}
csv_col() {  # csv_col NAME FILE: the last row's value of column NAME
  awk -F';' -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
    c { v = $c } END { print v + 0 }' "$2"
}

probe=()
if cc -O2 -shared -fPIC -o "$work/heap_probe.so" bench/heap_probe.c -lpthread 2>/dev/null; then
  probe=(env LD_PRELOAD="$work/heap_probe.so" HEAP_PROBE_OUT="$work/heap")
fi
"${probe[@]}" "$sipfleet" -sn uas -i 127.0.0.1 -p "$port" -m "$calls" -nostdin \
  -trace_stat -stf "$work/uas.csv" -fd 5 >"$work/uas.out" 2>&1 &
uas=$!; PIDS+=("$uas")
sleep 0.5
"${probe[@]}" "$sipfleet" 127.0.0.1:"$port" -sn uac -i 127.0.0.1 -p $((port + 1)) -r "$rate" -m "$calls" -d 0 \
  -nostdin -trace_stat -stf "$work/uac.csv" -fd 5 \
  >"$work/uac.out" 2>&1 &
uac=$!; PIDS+=("$uac")

echo "# soak: rate $rate calls/s, $duration s, $calls calls, RSS every $sample s ($work)"
echo "seconds uac_rss_kb uas_rss_kb calls uac_live_kb uac_free_kb uas_live_kb uas_free_kb"
start=$SECONDS
uac_warm=0 uas_warm=0 uac_last=0 uas_last=0
uac_heap_warm="- -" uas_heap_warm="- -" uac_heap="- -" uas_heap="- -"
while kill -0 "$uac" 2>/dev/null; do
  sleep "$sample"
  t=$((SECONDS - start))
  uac_now=$(rss_kb "$uac"); uas_now=$(rss_kb "$uas")
  [[ $uac_now == 0 ]] && break  # the UAC ended during the sleep
  uac_last=$uac_now uas_last=$uas_now
  uac_heap=$(heap_kb "$uac") uas_heap=$(heap_kb "$uas")
  placed=$([[ -f $work/uac.csv ]] && csv_col 'OutgoingCall(C)' "$work/uac.csv" || echo 0)
  echo "$t $uac_last $uas_last $placed $uac_heap $uas_heap"
  if ((t <= warmup)); then
    uac_warm=$uac_last uas_warm=$uas_last uac_heap_warm=$uac_heap uas_heap_warm=$uas_heap
  fi
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
echo "# live heap growth after warm-up: UAC $(heap_growth "$uac_heap_warm" "$uac_heap"), UAS $(heap_growth "$uas_heap_warm" "$uas_heap")"
# Each open call holds a slot (about 1 KiB on the UAS, whose calls stay open
# 4 s in timewait) that is reused, not given back: a new peak of open calls
# after the warm-up (a stall of either side on a busy machine) raises the
# RSS by that much once. A step with a late peak is that; growth without one
# is not.
echo "# peak open calls: UAC $(peak_calls "$work/uac.out"), UAS $(peak_calls "$work/uas.out") (warm-up $warmup s)"
verdict=0
((uac_failed == 0 && uac_ok == calls && uas_ok == calls)) || verdict=1
((uac_growth < max_growth && uas_growth < max_growth)) || verdict=1
echo "# verdict: $([[ $verdict == 0 ]] && echo PASS || echo FAIL)"
rm -rf "$work"
exit "$verdict"
