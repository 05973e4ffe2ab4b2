#!/bin/bash
# Cross-process failure checks for the cluster (issue 6), on loopback:
#  1. kill -9 of a UAC agent: the master reports it lost within 3 s, exit 95.
#  2. kill -9 of the master: the agents stop placing calls within their lease
#     and exit 95 with a clear message.
#  3. -failure_policy continue: kill -9 of a UAC agent mid-run; the master
#     names it, moves its share of the rate to the survivor and ends with the
#     survivors' verdict (exit 0), its in-flight calls reported as lost.
# Usage: cluster_failures_test.sh <sipfleet-master> <sipfleet-agent> <port base>
# (uses the 7 ports from the base)
# Kills only the PIDs it started.
set -u
MASTER=$1 AGENT=$2 BASE=$3
source "$(dirname "$0")/lib.sh"

# Waits (bounded) until the master has logged its listening port.
wait_listening() {
  for _ in $(seq 1 100); do grep -q "listening on port" "$1" 2>/dev/null && return 0; sleep 0.05; done
  fail "master did not listen"
}
# wait_running CSV: until the master's merged stat file shows calls placed
# (at most 10 s).
wait_running() {
  for _ in $(seq 1 200); do
    [ -f "$1" ] && awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "OutgoingCall(C)") o = i; next }
      o && $o > 0 { found = 1 } END { exit !found }' "$1" && return 0
    sleep 0.05
  done
  fail "no calls placed within 10 s ($1)"
}

# 1. An agent lost.
"$MASTER" -listen 127.0.0.1:$BASE -agents uas1,uac1,uac2 -uas_agents uas1 -sn uac -r 100 \
  -m 100000 -d 0 127.0.0.1:$((BASE + 1)) -trace_stat -stf "$DIR/m1.csv" -fd 200ms \
  >"$DIR/m1.out" 2>"$DIR/m1.err" &
M=$!; PIDS+=($M)
wait_listening "$DIR/m1.err"
for n in uas1 uac1 uac2; do
  "$AGENT" -master 127.0.0.1:$BASE -name $n >"$DIR/$n.out" 2>"$DIR/$n.err" &
  eval "P_$n=$!"; PIDS+=($!)
done
wait_running "$DIR/m1.csv"
kill -9 "$P_uac2"; T0=$(now_ms)
wait "$M"; RC=$?; T=$(( $(now_ms) - T0 ))
[ $RC -eq 95 ] || fail "master exit $RC, expected 95"
grep -q "agent 'uac2' lost" "$DIR/m1.err" || fail "master did not name the lost agent"
[ $T -le 3000 ] || fail "loss reported after $T ms (> 3000)"
wait "$P_uac1" "$P_uas1"
echo "ok: agent lost reported in $T ms, exit 95"

# 2. The master lost: the agents' lease (1 s here) ends their calls.
"$MASTER" -listen 127.0.0.1:$((BASE + 2)) -agents uas1,uac1 -uas_agents uas1 -sn uac -r 100 \
  -m 100000 -d 0 127.0.0.1:$((BASE + 3)) -trace_stat -stf "$DIR/m2.csv" -fd 200ms \
  >"$DIR/m2.out" 2>"$DIR/m2.err" &
M=$!; PIDS+=($M)
wait_listening "$DIR/m2.err"
for n in uas1 uac1; do
  "$AGENT" -master 127.0.0.1:$((BASE + 2)) -name $n -lease 1 -drain 1 >"$DIR/$n.out" 2>"$DIR/$n.err" &
  eval "P_$n=$!"; PIDS+=($!)
done
wait_running "$DIR/m2.csv"
# (The master heartbeats within the agents' own 1 s lease while it lives.)
kill -0 "$P_uac1" 2>/dev/null || fail "uac1 ended while the master was alive"
kill -9 "$M"; T0=$(now_ms)
wait "$P_uac1"; RC=$?; T=$(( $(now_ms) - T0 ))
[ $RC -eq 95 ] || fail "agent exit $RC, expected 95"
grep -q "master silent for .* stopped placing new calls" "$DIR/uac1.err" || fail "no lease message"
[ $T -le 3000 ] || fail "agent exited after $T ms (lease 1 s + drain 1 s + 1 s slack)"
wait "$P_uas1"
echo "ok: agent stopped $T ms after the master died"

# 3. An agent lost under -failure_policy continue. uac1 and uac2 place 300
# calls each at 50/s; uac2 dies ~1 s into the run. Re-planned, uac1 places
# its remaining calls at the full 100/s: the merged CSV's periodic
# OutgoingCall stays near 100 per second after the loss (about 50 without
# re-planning).
"$MASTER" -listen 127.0.0.1:$((BASE + 4)) -agents uas1,uac1,uac2 -uas_agents uas1 \
  -failure_policy continue -sn uac -r 100 -m 600 -d 0 127.0.0.1:$((BASE + 5)) \
  -cp $((BASE + 6)) -nostdin -trace_stat -stf "$DIR/m3.csv" -fd 1 >"$DIR/m3.out" 2>"$DIR/m3.err" &
M=$!; PIDS+=($M)
wait_listening "$DIR/m3.err"
for n in uas1 uac1 uac2; do
  "$AGENT" -master 127.0.0.1:$((BASE + 4)) -name $n >"$DIR/$n.out" 2>"$DIR/$n.err" &
  eval "P_$n=$!"; PIDS+=($!)
done
wait_running "$DIR/m3.csv"
kill -9 "$P_uac2"; T0=$(now_ms)
wait "$M"; RC=$?; T=$(( $(now_ms) - T0 ))
[ $RC -eq 0 ] || fail "master exit $RC, expected 0 (the survivors' verdict)"
grep -q "agent 'uac2' lost: .* calls in flight on it counted as lost" "$DIR/m3.err" ||
  fail "master did not report the lost agent and its calls"
grep -q "lost and continued without: uac2" "$DIR/m3.out" || fail "no continue verdict"
# Rows of whole seconds 3 and 4 of the run (after the loss): calls per second.
AFTER=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "ElapsedTime(C)") e = i;
  if ($i == "OutgoingCall(P)") o = i } next }
  ($e == "00:00:03" || $e == "00:00:04") && $o > best { best = $o } END { print best + 0 }' "$DIR/m3.csv")
[ "$AFTER" -ge 80 ] || fail "after the loss only $AFTER calls/s (expected ~100): the share did not move"
[ $T -le 8000 ] || fail "run ended $T ms after the loss (> 8000)"
wait "$P_uac1" "$P_uas1"
echo "ok: continued without uac2 at $AFTER calls/s, run ended $T ms after the loss"
