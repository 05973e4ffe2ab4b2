#!/bin/bash
# Signals on sipfleet-master (issue 6), cross-process on loopback, as on
# sipfleet:
#  1. SIGUSR2 mid-run dumps the merged screens to -screen_file; SIGUSR1
#     then ends the run gracefully: no new calls, the calls in progress
#     (-d 1000) end, every call placed is accounted for as successful, exit 0.
#  2. SIGTERM mid-run quits now: every agent aborts its calls (-d 10000, so
#     none could end by itself), the master ends within seconds and says so.
# Usage: signals_test.sh <sipfleet-master> <sipfleet-agent> <port base>
# (uses base .. base+5). Kills only the PIDs it started.
set -u
MASTER=$1 AGENT=$2 BASE=$3
source "$(dirname "$0")/lib.sh"
# Waits (bounded) until the merged stat file has `rows` rows: the run is on.
wait_rows() {
  local file=$1 rows=$2
  for _ in $(seq 1 200); do [ -f "$file" ] && [ "$(wc -l <"$file")" -ge "$rows" ] && return 0; sleep 0.05; done
  fail "$file: fewer than $rows rows (the run did not start)"
}
# run <n> <port> <call duration ms>: a master (PID in M) and uas1 + uac1 + uac2.
run() {
  local n=$1 port=$2 duration=$3
  "$MASTER" -listen 127.0.0.1:"$port" -agents uas1,uac1,uac2 -uas_agents uas1 -sn uac -r 50 \
    -m 100000 -d "$duration" 127.0.0.1:$((port + 1)) -cp $((port + 2)) -nostdin \
    -screen_file "$DIR/screens$n.log" -trace_stat -stf "$DIR/run$n.csv" -fd 1 \
    >"$DIR/m$n.out" 2>"$DIR/m$n.err" &
  M=$!; PIDS+=($M)
  wait_for "$DIR/m$n.err" "listening on port"
  for name in uas1 uac1 uac2; do
    "$AGENT" -master 127.0.0.1:"$port" -name $name >"$DIR/$name$n.out" 2>"$DIR/$name$n.err" &
    eval "P_$name=$!"; PIDS+=($!)
  done
  wait_rows "$DIR/run$n.csv" 3
}

# ---- 1. SIGUSR2 (screens), then SIGUSR1 (graceful) -----------------------
run 1 "$BASE" 1000
kill -USR2 "$M"
wait_for "$DIR/screens1.log" "Successful call" 5
kill -USR1 "$M"; T0=$(now_ms)
wait_pid "$M" 15; T=$(( $(now_ms) - T0 ))
[ $RC -eq 0 ] || fail "SIGUSR1: master exit $RC, expected 0"
grep -q "SIGUSR1: no new calls" "$DIR/m1.err" || fail "SIGUSR1: the master did not say what it does"
# Every call placed is accounted for: "N calls, N successful, 0 failed".
read -r PLACED OK FAILED < <(grep -o "[0-9]* calls, [0-9]* successful, [0-9]* failed" "$DIR/m1.out" |
  awk '{print $1, $3, $5}')
[ -n "${PLACED:-}" ] && [ "$PLACED" -gt 0 ] || fail "SIGUSR1: no verdict with calls"
[ "$PLACED" -eq "$OK" ] && [ "$FAILED" -eq 0 ] ||
  fail "SIGUSR1: $PLACED calls placed, $OK successful, $FAILED failed: not every call accounted for"
# Graceful: the calls of -d 1 s drain on the UAC agents, then the UAS agent
# drains (the engine keeps an answered call ~4 s for retransmissions, as
# standalone sipfleet -sn uas does): about 5 s in all.
[ $T -le 8000 ] || fail "SIGUSR1: the run ended $T ms after the signal"
for name in uas1 uac1 uac2; do
  wait_pid "$(eval echo \$P_$name)" 10
  [ $RC -eq 0 ] || fail "SIGUSR1: agent $name exit $RC"
done
echo "ok: SIGUSR2 dumped the merged screens; SIGUSR1 drained: $PLACED calls, $OK successful, exit 0 after $T ms"

# ---- 2. SIGTERM: quit now ------------------------------------------------
run 2 $((BASE + 3)) 10000
kill -TERM "$M"; T0=$(now_ms)
wait_pid "$M" 15; T=$(( $(now_ms) - T0 ))
grep -q "SIGTERM: quitting now" "$DIR/m2.err" || fail "SIGTERM: the master did not say what it does"
# Calls of 10 s aborted at once: none successful, the run over in seconds.
grep -q "calls, 0 successful" "$DIR/m2.out" "$DIR/m2.err" || fail "SIGTERM: calls were not aborted"
[ $T -le 6000 ] || fail "SIGTERM: the master ended $T ms after the signal (calls last 10 s)"
for name in uas1 uac1 uac2; do wait_pid "$(eval echo \$P_$name)" 10; done
echo "ok: SIGTERM aborted the calls on every agent: master exit $RC after $T ms"
