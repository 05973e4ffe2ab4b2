#!/usr/bin/env bash
# Cost of the results outputs (issue 13): CPU per call of a sipfleet UAC
# with /metrics scraped every second and the live page open in headless
# Chromium (polling every -f = 1 s), against the same run without them.
# Runs alternate (without, with, without, ...) to spread machine noise; the
# verdict compares medians and passes when "with" stays within 5 %. Each run
# also splits the UAC's CPU by thread (workers, HTTP, the rest), so what the
# outputs cost themselves shows apart from what a browser on the same cores
# costs the workers.
# Env: RATE (calls/s, 5000), CALLS (50000), RUNS (3 of each), PORT (UAS
# port, 25260; the UACs use PORT+1.., the servers PORT+10, PORT+11),
# SIPFLEET (binary), OUT (work dir, default a fresh mktemp -d), PAGE (1: the
# page open in Chromium on this machine; poll: its requests only, the page
# and summary.json every second by curl, no browser; 0: no page).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RATE=${RATE:-5000}
CALLS=${CALLS:-50000}
RUNS=${RUNS:-3}
PAGE=${PAGE:-1}
PORT=${PORT:-25260}
SIPFLEET=${SIPFLEET:-$(cd "$(dirname "$0")/.." && pwd)/build/agent/sipfleet}
OUT=${OUT:-$(mktemp -d /tmp/sipfleet-results-bench.XXXXXX)}
BUF=4194304
LIMIT=$((CALLS * 4 / RATE + 60))
METRICS_PORT=$((PORT + 10))
WEB_PORT=$((PORT + 11))
mkdir -p "$OUT"

# UAS: sipfleet, bounded by -m (every UAC run) and by timeout.
timeout $((LIMIT * RUNS * 2 + 60)) "$SIPFLEET" -sn uas -p "$PORT" -i 127.0.0.1 -buff_size $BUF \
    -nostdin -m $((CALLS * RUNS * 2)) >"$OUT/uas.log" 2>&1 &
PIDS+=($!)
sleep 1

# sample_threads PID FILE: until PID exits (run in the foreground), every
# 0.2 s, writes its threads' CPU so far in clock ticks (user+sys), summed by what the thread does (the
# names base::SetThreadName gives): "workers N http N other N". The last
# sample misses at most 0.2 s, alike with and without.
sample_threads() {
    local pid=$1 file=$2
    local seen="$file.tids"  # "tid name ticks", the last value of every thread seen
    : >"$seen"
    while kill -0 "$pid" 2>/dev/null; do
        # Threads that ended (the workers, before the process) keep their
        # last value.
        cat /proc/"$pid"/task/*/stat 2>/dev/null | awk 'NR == FNR { t[$1] = $3; n[$1] = $2; next }
            { t[$1] = $14 + $15; n[$1] = $2 }
            END { for (id in t) print id, n[id], t[id] }' "$seen" - >"$seen.tmp" && mv "$seen.tmp" "$seen"
        sleep 0.2
    done
    awk '$2 ~ /^\(sf-worker/ { w += $3; next }
         $2 ~ /^\(sf-http/ { h += $3; next }
         { o += $3 }
         END { printf "workers %d http %d other %d\n", w, h, o }' "$seen" >"$file"
}

# cpu_of NAME WITH(0|1): one UAC run; prints its CPU seconds (user+sys from
# wait4, via bash's `times`), the calls that succeeded, and its threads' CPU
# seconds: workers, HTTP, the rest (the main thread: screens, statistics,
# the results' periods).
cpu_of() {
    local name=$1 with=$2 extra=() helpers=()
    if ((with)); then extra=(-metrics "127.0.0.1:$METRICS_PORT" -web "127.0.0.1:$WEB_PORT"); fi
    TF="$OUT/$name.times" timeout "$LIMIT" bash -c '"$@"; rc=$?; times >"$TF"; exit $rc' _ \
        "$SIPFLEET" 127.0.0.1:"$PORT" -sn uac -i 127.0.0.1 -p $((PORT + 1)) -r "$RATE" -m "$CALLS" \
        -d 0 -buff_size $BUF -nostdin -trace_stat -stf "$OUT/$name.csv" "${extra[@]}" \
        >"$OUT/$name.log" 2>&1 </dev/null &
    local uac=$! sipfleet_pid
    sipfleet_pid=$(child_of "$(child_of "$uac")")
    if ((with)); then
        # The scraper (every second) and the page, for as long as the run lasts.
        for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$WEB_PORT/summary.json" >/dev/null && break; sleep 0.05; done
        (while kill -0 "$uac" 2>/dev/null; do
            curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" >/dev/null || true; sleep 1; done) &
        helpers+=($!)
        if [[ $PAGE == poll ]]; then
            (curl -sf "http://127.0.0.1:$WEB_PORT/" >/dev/null; while kill -0 "$uac" 2>/dev/null; do
                curl -sf "http://127.0.0.1:$WEB_PORT/summary.json" >/dev/null || true; sleep 1; done) &
            helpers+=($!)
        fi
        [[ $PAGE == 1 ]] && timeout "$LIMIT" chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --user-data-dir="$OUT/chromium-$name" --remote-debugging-port=0 \
            "http://127.0.0.1:$WEB_PORT/" >"$OUT/chromium-$name.log" 2>&1 &
        [[ $PAGE == 1 ]] && helpers+=($!)
        PIDS+=("${helpers[@]}")
    fi
    [[ -n $sipfleet_pid ]] && sample_threads "$sipfleet_pid" "$OUT/$name.threads"
    wait "$uac" || true
    for p in "${helpers[@]}"; do kill_tree "$p"; done
    local cpu ok
    cpu=$(awk 'NR==2 { n=split($0,a,/[ms ]+/); print a[1]*60+a[2]+a[3]*60+a[4] }' "$OUT/$name.times")
    ok=$(tail -n 1 "$OUT/$name.csv" | awk -F';' '{print $16}')
    local hz; hz=$(getconf CLK_TCK)
    echo "$cpu $ok $(awk -v hz="$hz" '{ printf "%.2f %.2f %.2f", $2 / hz, $4 / hz, $6 / hz }' \
        "$OUT/$name.threads" 2>/dev/null || echo "0 0 0")"
}
export TF

rows=()
for i in $(seq 1 "$RUNS"); do
    rows+=("without $(cpu_of "without-$i" 0)")
    rows+=("with $(cpu_of "with-$i" 1)")
done
echo "Results outputs overhead: RATE=$RATE CALLS=$CALLS RUNS=$RUNS -d 0, UAS = sipfleet -sn uas (logs: $OUT)"
printf '%s\n' "${rows[@]}" | awk -v calls="$CALLS" -v page="$PAGE" '
    { us = $2 * 1e6 / calls; wus = $4 * 1e6 / calls
      printf "%-8s CPU %7.3f s  %8.2f us/call  %s ok  threads: workers %.2f s (%.2f us/call), http %.2f s, other %.2f s\n", $1, $2, us, $3, $4, wus, $5, $6
      v[$1] = v[$1] " " us; wv[$1] = wv[$1] " " wus; hv[$1] = hv[$1] " " ($5 + $6) * 1e6 / calls }
    function median(list,   a, n, i, j, t) {
        n = split(list, a, " ")
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    END { printf "median workers us/call: without %.2f, with %.2f (%+.1f %%); http + other threads us/call: without %.2f, with %.2f\n",
                 median(wv["without"]), median(wv["with"]), (median(wv["with"]) / median(wv["without"]) - 1) * 100,
                 median(hv["without"]), median(hv["with"])
          b = median(v["without"]); w = median(v["with"])
          printf "median us/call: without %.2f, with /metrics every 1 s%s %.2f: %+.1f %% (%s)\n",
                 b, page == "1" ? " + live page in Chromium" : page == "poll" ? " + the page polled by curl" : "", w, (w / b - 1) * 100, (w <= b * 1.05) ? "within 5 %" : "OVER 5 %" }'
