#!/bin/bash
# Cross-process failure checks for the cluster (issue 6), on loopback:
#  1. kill -9 of a UAC agent: the master reports it lost within 3 s, exit 95.
#  2. kill -9 of the master: the agents stop placing calls within their lease
#     and exit 95 with a clear message.
# Usage: cluster_failures_test.sh <sipfleet-master> <sipfleet-agent> <port base>
# Kills only the PIDs it started.
set -u
MASTER=$1 AGENT=$2 BASE=$3
DIR=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$DIR"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$DIR"/*.err; do echo "== $f"; cat "$f"; done; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Waits (bounded) until the master has logged its listening port.
wait_listening() {
  for _ in $(seq 1 100); do grep -q "listening on port" "$1" 2>/dev/null && return 0; sleep 0.05; done
  fail "master did not listen"
}
# Waits (bounded) until an agent has placed calls: its master counts them.
wait_running() { sleep 1.5; }

# 1. An agent lost.
"$MASTER" -listen 127.0.0.1:$BASE -agents uas1,uac1,uac2 -uas_agents uas1 -sn uac -r 100 \
  -m 100000 -d 0 127.0.0.1:$((BASE + 1)) >"$DIR/m1.out" 2>"$DIR/m1.err" &
M=$!; PIDS+=($M)
wait_listening "$DIR/m1.err"
for n in uas1 uac1 uac2; do
  "$AGENT" -master 127.0.0.1:$BASE -name $n >"$DIR/$n.out" 2>"$DIR/$n.err" &
  eval "P_$n=$!"; PIDS+=($!)
done
wait_running
kill -9 "$P_uac2"; T0=$(now_ms)
wait "$M"; RC=$?; T=$(( $(now_ms) - T0 ))
[ $RC -eq 95 ] || fail "master exit $RC, expected 95"
grep -q "agent 'uac2' lost" "$DIR/m1.err" || fail "master did not name the lost agent"
[ $T -le 3000 ] || fail "loss reported after $T ms (> 3000)"
wait "$P_uac1" "$P_uas1"
echo "ok: agent lost reported in $T ms, exit 95"

# 2. The master lost: the agents' lease (1 s here) ends their calls.
"$MASTER" -listen 127.0.0.1:$((BASE + 2)) -agents uas1,uac1 -uas_agents uas1 -sn uac -r 100 \
  -m 100000 -d 0 127.0.0.1:$((BASE + 3)) >"$DIR/m2.out" 2>"$DIR/m2.err" &
M=$!; PIDS+=($M)
wait_listening "$DIR/m2.err"
for n in uas1 uac1; do
  "$AGENT" -master 127.0.0.1:$((BASE + 2)) -name $n -lease 1 -drain 1 >"$DIR/$n.out" 2>"$DIR/$n.err" &
  eval "P_$n=$!"; PIDS+=($!)
done
wait_running
kill -9 "$M"; T0=$(now_ms)
wait "$P_uac1"; RC=$?; T=$(( $(now_ms) - T0 ))
[ $RC -eq 95 ] || fail "agent exit $RC, expected 95"
grep -q "master silent for .* stopped placing new calls" "$DIR/uac1.err" || fail "no lease message"
[ $T -le 3000 ] || fail "agent exited after $T ms (lease 1 s + drain 1 s + 1 s slack)"
wait "$P_uas1"
echo "ok: agent stopped $T ms after the master died"
