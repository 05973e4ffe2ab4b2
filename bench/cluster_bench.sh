#!/usr/bin/env bash
# Cluster benchmarks (issue 6), on loopback:
#  A. the same total work (-r RATE -m CALLS -d 0, uac against one real SIPp
#     UAS) placed by 1 agent and by 2 agents through sipfleet-master: rate
#     reached and CPU per call (agents, master), side by side;
#  B. master load: SIM_AGENTS simulated agents (sipfleet_sim_agents, one gRPC
#     connection and stream each) streaming a heartbeat and a statistics report
#     every second; the master's CPU share over a steady window.
# Env: RATE (4000), CALLS (40000), SIM_AGENTS (1000), SIM_SECONDS (30),
#      PORT (17770; uses PORT..PORT+3), BUILD (build dir, default ../build),
#      MASTER, AGENT, SIM (binaries), OUT (work dir, default a fresh mktemp -d).
# Kills only PIDs it started (lib.sh).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

BUILD=${BUILD:-$HERE/../build}
MASTER=${MASTER:-$BUILD/master/sipfleet-master}
AGENT=${AGENT:-$BUILD/agent/sipfleet-agent}
SIM=${SIM:-$BUILD/tests/cluster/sipfleet_sim_agents}
RATE=${RATE:-4000}
CALLS=${CALLS:-40000}
SIM_AGENTS=${SIM_AGENTS:-1000}
SIM_SECONDS=${SIM_SECONDS:-30}
PORT=${PORT:-17770}
OUT=${OUT:-$(mktemp -d /tmp/sipfleet-cluster.XXXXXX)}
BUF=4194304
LIMIT=$((CALLS * 4 / RATE + 60))
HZ=$(getconf CLK_TCK)
mkdir -p "$OUT"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime of a live PID
# timed NAME CMD...: runs CMD under timeout; bash's `times` writes its exact
# user+sys CPU (rusage of the reaped child) to $OUT/NAME.times.
timed() {
    local name=$1; shift
    timeout "$LIMIT" bash -c '"$@"; rc=$?; times >"'"$OUT/$name.times"'"; exit $rc' _ "$@"
}
times_cpu() { awk 'NR==2 { n=split($0,a,/[ms ]+/); print a[1]*60+a[2]+a[3]*60+a[4] }' "$OUT/$1.times"; }
wait_for() {                     # file pattern: bounded (10 s) poll
    for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    echo "timed out waiting for '$2' in $1" >&2; return 1
}

# ---- A. 1 agent vs 2 agents ---------------------------------------------
# run_cluster N: prints "N ok failed retrans callrate agents_cpu master_cpu rc".
run_cluster() {
    local n=$1 rc=0
    timeout "$LIMIT" sipp -sn uas -i 127.0.0.1 -p "$PORT" -buff_size $BUF -nostdin -m "$CALLS" \
        >"$OUT/uas$n.log" 2>&1 &
    PIDS+=($!)
    timed "master$n" "$MASTER" -listen 127.0.0.1:$((PORT + 1)) -agents "$n" -sn uac -r "$RATE" \
        -m "$CALLS" -d 0 -buff_size $BUF 127.0.0.1:"$PORT" -trace_stat -stf "$OUT/a$n.csv" \
        >"$OUT/master$n.log" 2>"$OUT/master$n.err" </dev/null &
    local m=$!; PIDS+=($m)
    wait_for "$OUT/master$n.err" "listening on port"
    local k agents=()
    for k in $(seq 1 "$n"); do
        timed "agent$n-$k" "$AGENT" -master 127.0.0.1:$((PORT + 1)) -name "uac$k" \
            >"$OUT/agent$n-$k.log" 2>&1 &
        agents+=($!); PIDS+=($!)
    done
    wait "$m" || rc=$?
    wait "${agents[@]}" || true
    local cpu=0 ok failed retrans callrate
    for k in $(seq 1 "$n"); do cpu=$(awk -v a="$cpu" -v b="$(times_cpu "agent$n-$k")" 'BEGIN{print a+b}'); done
    read -r callrate ok failed retrans < <(tail -n 1 "$OUT/a$n.csv" | awk -F';' '{print $8, $16, $18, $58}')
    echo "$n ${ok:-?} ${failed:-?} ${retrans:-?} ${callrate:-?} $cpu $(times_cpu "master$n") $rc"
    sleep 5   # the UAS's time-wait calls of this run are gone before the next
}
if [ -z "${SKIP_A:-}" ]; then
rows=("$(run_cluster 1)" "$(run_cluster 2)")
echo "A. 1 vs 2 agents: -sn uac -r $RATE -m $CALLS -d 0 -buff_size $BUF, UAS = sipp -sn uas on 127.0.0.1:$PORT (logs: $OUT)"
printf '%s\n' "${rows[@]}" | awk -v calls="$CALLS" '
    BEGIN { printf "%-7s %7s %7s %7s %9s %12s %9s %12s %9s %3s\n", "agents", "ok", "failed",
            "retrans", "calls/s", "agent CPU s", "us/call", "master CPU s", "vs 1", "rc" }
    { us = $6 * 1e6 / calls; if (NR == 1) base = us
      printf "%-7s %7s %7s %7s %9.0f %12.3f %9.2f %12.3f %9.2f %3s\n", $1, $2, $3, $4, $5, $6, us, $7,
             us / base, $8 }'
fi

# ---- B. master load: SIM_AGENTS simulated agents at 1 Hz -----------------
timeout $((SIM_SECONDS + 180)) "$MASTER" -listen 127.0.0.1:$((PORT + 2)) -agents "$SIM_AGENTS" \
    -agent_wait 120 -sn uac -r 1000 -m 100000000 -d 0 127.0.0.1:$((PORT + 3)) \
    >"$OUT/load_master.log" 2>"$OUT/load_master.err" </dev/null &
M=$!; PIDS+=($M)
wait_for "$OUT/load_master.err" "listening on port"
MP=$(pgrep -P "$M")                            # the master itself (child of timeout)
timeout $((SIM_SECONDS + 180)) "$SIM" -master 127.0.0.1:$((PORT + 2)) -agents "$SIM_AGENTS" \
    -period 1 -duration "$SIM_SECONDS" >"$OUT/sim.log" 2>"$OUT/sim.err" &
S=$!; PIDS+=($S)
SP=$(pgrep -P "$S")
for _ in $(seq 1 2400); do grep -q "agents started" "$OUT/sim.err" 2>/dev/null && break; sleep 0.05; done
grep -q "agents started" "$OUT/sim.err" || { echo "simulated agents did not start" >&2; cat "$OUT/sim.err" "$OUT/load_master.err" >&2; exit 1; }
sleep 2                                        # past the start transient
WINDOW=$((SIM_SECONDS - 6))
c0=$(cpu_ticks "$MP"); s0=$(cpu_ticks "$SP"); t0=$EPOCHREALTIME
sleep "$WINDOW"                                # the measurement window itself
c1=$(cpu_ticks "$MP"); s1=$(cpu_ticks "$SP"); t1=$EPOCHREALTIME
threads=$(awk '/^Threads:/ {print $2}' "/proc/$MP/status")
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$MP/status")
wait "$S" && sim_rc=0 || sim_rc=$?
wait "$M" && master_rc=0 || master_rc=$?
echo
echo "B. master load: $SIM_AGENTS simulated agents (own TCP connection each), heartbeat + stats report every 1 s"
awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$HZ" -v n="$SIM_AGENTS" \
    -v th="$threads" -v rss="$rss_kb" -v s="$sim_rc" -v m="$master_rc" -v s0="$s0" -v s1="$s1" 'BEGIN {
    cpu = (c1 - c0) / hz; wall = t1 - t0
    printf "window %.1f s: master CPU %.2f s = %.3f cores (target < 0.5); %.0f us per agent-second;\n",
           wall, cpu, cpu / wall, cpu / wall / n * 1e6
    printf "master threads %d, RSS %.0f MiB; the simulator (same 2 cores) used %.3f cores\n",
           th, rss / 1024, (s1 - s0) / hz / wall
    printf "sim exit %d, master exit %d\n", s, m }'
tail -n 1 "$OUT/sim.err"
tail -n 1 "$OUT/load_master.log"
reported=$(grep -o "[0-9]* successful calls reported" "$OUT/sim.err" | cut -d' ' -f1)
merged=$(tail -n 1 "$OUT/load_master.log" | grep -o "[0-9]* successful" | head -1 | cut -d' ' -f1)
[ "${reported:-x}" = "${merged:-y}" ] && echo "merged exactly: $merged = $reported reported" ||
    echo "MISMATCH: master merged ${merged:-?}, agents reported ${reported:-?}"
