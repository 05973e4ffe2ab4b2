#!/bin/bash
# Multi-host e2e test of the cluster (issue 6) in network namespaces this
# test creates and removes: one host per namespace (master, uac1, uac2, uas)
# on a private /24, each joined by a veth pair to a bridge that lives in a
# fifth "hub" namespace (the host's own network is never touched). The
# control plane runs over mutual TLS (sipfleet_test_ca certificates), as it
# must off loopback.
#  1. a run at a fixed total rate passes; the merged counts are exact;
#  2. kill -9 of a UAC agent mid-run: the master reports it lost within 3 s,
#     applies the default policy (abort: exit 95) and names the agent;
#  2b. a UAC host's link goes down (no FIN/RST): lost within 3 s by silence,
#      said on the master's stderr at once (seen within 3 s of the cut);
#  3. kill -9 of the master: the UAC agents stop placing calls within their
#     lease (seen from the UAS host: no new INVITE after lease + margin) and
#     exit 95 with a clear message.
#  4. extended 3PCC across hosts: SIPp's master.xml/slave.xml
#     (tests/integration/threepcc) unchanged; the master instance on a1,
#     slave s1 on a2, slave s2 on s (with the endpoints A, B1, B2), every
#     command routed by instance name through sipfleet-master on m; all
#     calls complete on every instance.
#
# Usage: netns_test.sh <sipfleet-master> <sipfleet-agent> <sipfleet_test_ca>
#                      <port base>   (uses base .. base+15 inside the namespaces)
# Exit 77 (ctest skip) when namespaces cannot be created. Kills only the
# PIDs it started; deletes only the namespaces it created (also on failure).
set -u
MASTER=$1 AGENT=$2 TEST_CA=$3 BASE=$4
NS=sft$$                      # namespace prefix: unique per run
NET=10.213.77                 # the private /24
HOSTS=(m a1 a2 s)
declare -A ADDR=([m]=$NET.1 [a1]=$NET.11 [a2]=$NET.12 [s]=$NET.21)
source "$(dirname "$0")/lib.sh"
CREATED=()
cleanup() {
  kill_started
  wait 2>/dev/null
  for ns in "${CREATED[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP
skip() { echo "SKIP: $*"; exit 77; }
# Background processes run as `ip netns exec NS cmd &` (a simple command, so
# $! is the PID of cmd itself: ip netns exec execs it). Never a function.

# Number of INVITEs the UAS host received so far (SIPp's -trace_msg log).
invites() { cat "$DIR"/s3/*_messages.log 2>/dev/null | grep -c "^INVITE sip:"; }

# ---- The network --------------------------------------------------------
command -v ip >/dev/null || skip "no 'ip' command (iproute2 is not installed)"
ip netns add "${NS}hub" 2>"$DIR/netns.err" ||
  skip "cannot create network namespaces ($(head -1 "$DIR/netns.err"); needs root or CAP_SYS_ADMIN)"
CREATED+=("${NS}hub")
source "$(dirname "$0")/netns_lib.sh"
connect_hosts
# (No ping here: the agents retry dialing until the links forward.)
echo "ok: namespaces ${CREATED[*]} on $NET.0/24"

"$TEST_CA" "$DIR/pki" >/dev/null || fail "sipfleet_test_ca"
P=$DIR/pki
MASTER_TLS=(-ctl_tls_ca "$P/ca.pem" -ctl_tls_cert "$P/server.pem" -ctl_tls_key "$P/server-key.pem")
# The test certificates name localhost, not the master's address.
AGENT_TLS=(-ctl_tls_ca "$P/ca.pem" -ctl_tls_cert "$P/client.pem" -ctl_tls_key "$P/client-key.pem"
           -ctl_tls_server_name localhost)
CONTROL=${ADDR[m]}:$BASE

# start_agent <host> <name> [options...]: an agent on its host; PID in P_<name>.
start_agent() {
  local h=$1 name=$2; shift 2
  ip netns exec "$NS$h" "$AGENT" -master "$CONTROL" -name "$name" "${AGENT_TLS[@]}" "$@" \
    >"$DIR/$name.out" 2>"$DIR/$name.err" &
  eval "P_$name=$!"; PIDS+=($!)
}

# ---- 1. A run at a fixed total rate -------------------------------------
ip netns exec "${NS}m" "$MASTER" -listen "$CONTROL" "${MASTER_TLS[@]}" -agents uas1,uac1,uac2 -uas_agents uas1 \
  -sn uac -r 100 -m 400 -d 0 "${ADDR[s]}:$((BASE + 1))" -trace_stat -stf "$DIR/run1.csv" \
  >"$DIR/m1.out" 2>"$DIR/m1.err" &
M=$!; PIDS+=($M)
wait_for "$DIR/m1.err" "listening on port"
start_agent s uas1
start_agent a1 uac1
start_agent a2 uac2
wait_pid "$M" 60
[ $RC -eq 0 ] || fail "run 1: master exit $RC, expected 0"
grep -q "400 calls, 400 successful, 0 failed; exit 0" "$DIR/m1.out" || fail "run 1: merged verdict"
# The stat file's last row: cumulative SuccessfulCall(C) is exactly 400.
COL=$(head -1 "$DIR/run1.csv" | tr ';' '\n' | grep -n '^SuccessfulCall(C)$' | cut -d: -f1)
[ -n "$COL" ] || fail "run 1: no SuccessfulCall(C) column"
[ "$(tail -1 "$DIR/run1.csv" | cut -d';' -f"$COL")" = 400 ] || fail "run 1: stat file total"
for n in uas1 uac1 uac2; do wait_pid "$(eval echo \$P_$n)" 10; done
echo "ok: 400 calls at 100/s over 3 hosts, merged exactly"

# ---- 2. kill -9 of a UAC agent mid-run ----------------------------------
ip netns exec "${NS}m" "$MASTER" -listen "$CONTROL" "${MASTER_TLS[@]}" -agents uas1,uac1,uac2 -uas_agents uas1 \
  -sn uac -r 100 -m 100000 -d 0 "${ADDR[s]}:$((BASE + 1))" -trace_stat -fd 1 -stf "$DIR/run2.csv" \
  >"$DIR/m2.out" 2>"$DIR/m2.err" &
M=$!; PIDS+=($M)
wait_for "$DIR/m2.err" "listening on port"
start_agent s uas1
start_agent a1 uac1
start_agent a2 uac2
# Mid-run: the merged stat file has rows (the run started).
for _ in $(seq 1 200); do [ "$(wc -l <"$DIR/run2.csv" 2>/dev/null || echo 0)" -ge 3 ] && break; sleep 0.05; done
[ "$(wc -l <"$DIR/run2.csv")" -ge 3 ] || fail "run 2 did not start"
kill -9 "$P_uac2"; T0=$(now_ms)
wait_pid "$M" 10; T=$(( $(now_ms) - T0 ))
[ $RC -eq 95 ] || fail "run 2: master exit $RC, expected 95"
grep -q "agent 'uac2' lost" "$DIR/m2.err" "$DIR/m2.out" || fail "run 2: the master did not name uac2"
[ $T -le 3000 ] || fail "run 2: loss reported after $T ms (> 3000)"
for n in uas1 uac1; do wait_pid "$(eval echo \$P_$n)" 10; done
echo "ok: uac2 killed: master reported it lost after $T ms, exit 95"

# ---- 2b. a UAC host vanishes (its link goes down: no FIN, no RST) --------
# Only silence tells: -lost_after (2.5 s) plus one tick, within 3 s.
ip netns exec "${NS}m" "$MASTER" -listen "$CONTROL" "${MASTER_TLS[@]}" -agents uas1,uac1,uac2 -uas_agents uas1 \
  -sn uac -r 100 -m 100000 -d 0 "${ADDR[s]}:$((BASE + 1))" -trace_stat -fd 1 -stf "$DIR/run2b.csv" \
  >"$DIR/m2b.out" 2>"$DIR/m2b.err" &
M=$!; PIDS+=($M)
wait_for "$DIR/m2b.err" "listening on port"
start_agent s uas1
start_agent a1 uac1
start_agent a2 uac2 -lease 1 -drain 1
for _ in $(seq 1 200); do [ "$(wc -l <"$DIR/run2b.csv" 2>/dev/null || echo 0)" -ge 3 ] && break; sleep 0.05; done
[ "$(wc -l <"$DIR/run2b.csv")" -ge 3 ] || fail "run 2b did not start"
ip -n "${NS}hub" link set va2 down; T0=$(now_ms)
# The master says so on stderr the moment it declares the loss (not only in
# its final report): the line must be there within 3 s of the cut.
TL=
while [ $(( $(now_ms) - T0 )) -le 3000 ]; do
  grep -q "agent 'uac2' lost: no message for" "$DIR/m2b.err" && { TL=$(( $(now_ms) - T0 )); break; }
  sleep 0.05
done
[ -n "$TL" ] || fail "run 2b: no \"agent 'uac2' lost\" line on the master's stderr within 3 s of the cut"
wait_pid "$M" 10; T=$(( $(now_ms) - T0 ))
[ $RC -eq 95 ] || fail "run 2b: master exit $RC, expected 95"
grep -q "agent 'uac2' lost" "$DIR/m2b.err" "$DIR/m2b.out" || fail "run 2b: the master did not name uac2"
# The master declares the loss after "no message for N ms" (N <= 3000); its
# exit comes later, after gRPC's shutdown grace for the unreachable stream.
N=$(grep -ho "no message for [0-9]* ms" "$DIR/m2b.err" "$DIR/m2b.out" | grep -o "[0-9]*" | head -1)
[ -n "$N" ] && [ "$N" -le 3000 ] || fail "run 2b: loss declared after '${N:-?}' ms of silence (> 3000)"
[ $T -le 6000 ] || fail "run 2b: master exited $T ms after the cut (> 6000)"
for n in uas1 uac1 uac2; do wait_pid "$(eval echo \$P_$n)" 10; done
grep -q "master silent for" "$DIR/uac2.err" || fail "run 2b: the cut-off agent did not stop on its lease"
ip -n "${NS}hub" link set va2 up
echo "ok: uac2's host cut off: 'lost' on stderr $TL ms after the cut ($N ms of silence; master exit after $T ms), exit 95; uac2 stopped on its lease"

# ---- 3. kill -9 of the master -------------------------------------------
# Real SIPp answers on the UAS host and logs every message it receives.
mkdir -p "$DIR/s3"
(cd "$DIR/s3" && exec ip netns exec "${NS}s" sipp -sn uas -i "${ADDR[s]}" -p $((BASE + 3)) \
  -trace_msg </dev/null >"$DIR/sipp3.out" 2>"$DIR/sipp3.err") &
PIDS+=($!)
ip netns exec "${NS}m" "$MASTER" -listen "$CONTROL" "${MASTER_TLS[@]}" -agents uac1,uac2 -lease 1 \
  -sn uac -r 100 -m 100000 -d 0 "${ADDR[s]}:$((BASE + 3))" >"$DIR/m3.out" 2>"$DIR/m3.err" &
M=$!; PIDS+=($M)
wait_for "$DIR/m3.err" "listening on port"
start_agent a1 uac1 -lease 1 -drain 1
start_agent a2 uac2 -lease 1 -drain 1
for _ in $(seq 1 200); do [ "$(invites)" -ge 50 ] && break; sleep 0.05; done
[ "$(invites)" -ge 50 ] || fail "run 3: the UAS host received $(invites) INVITEs, expected calls"
kill -9 "$M"; T0=$(now_ms)
for n in uac1 uac2; do
  wait_pid "$(eval echo \$P_$n)" 10; T=$(( $(now_ms) - T0 ))
  [ $RC -eq 95 ] || fail "run 3: $n exit $RC, expected 95"
  grep -q "master silent for .* stopped placing new calls" "$DIR/$n.err" || fail "run 3: $n: no lease message"
  [ $T -le 3500 ] || fail "run 3: $n exited $T ms after the master died (lease 1 s + drain 1 s)"
done
# lease (1 s) + margin (1 s) after the kill, the INVITE count must be final.
while [ $(( $(now_ms) - T0 )) -lt 2000 ]; do sleep 0.05; done
N1=$(invites)
sleep 2   # the observation window itself: nothing may arrive in it
N2=$(invites)
[ "$N2" -eq "$N1" ] || fail "run 3: $((N2 - N1)) INVITEs arrived more than 2 s after the master died"
echo "ok: master killed: agents exited 95 (last after $T ms); no INVITE after 2 s ($N1 in all)"

# ---- 4. extended 3PCC, master and slaves on different hosts ------------
SC=$(cd "$(dirname "$0")/../integration/threepcc" && pwd)
S=${ADDR[s]} A1=${ADDR[a1]} A2=${ADDR[a2]}
CALLS4=40
ip netns exec "${NS}m" "$MASTER" -listen "$CONTROL" "${MASTER_TLS[@]}" \
  -agents mi,s1,s2,ea,eb1,eb2 -uas_agents s1,s2,ea,eb1,eb2 \
  -agent_sf "s1=$SC/slave.xml,s2=$SC/slave.xml" -agent_sn ea=3pcc-A,eb1=3pcc-B,eb2=3pcc-B \
  -uas_bind "eb1=$S:$((BASE + 12)),eb2=$S:$((BASE + 13)),s1=$A2:$((BASE + 14)),s2=$S:$((BASE + 15))" \
  -agent_args "s1=$S:$((BASE + 12)) -key self s1" -agent_args "s2=$S:$((BASE + 13)) -key self s2" \
  -instances mi=m -sf "$SC/master.xml" "$S:$((BASE + 11))" -i "$A1" -p $((BASE + 13)) \
  -r 20 -m $CALLS4 -trace_stat -stf "$DIR/run4.csv" >"$DIR/m4.out" 2>"$DIR/m4.err" &
M=$!; PIDS+=($M)
wait_for "$DIR/m4.err" "listening on port"
start_agent a1 mi
start_agent a2 s1
for n in s2 ea eb1 eb2; do start_agent s $n; done
wait_pid "$M" 60
[ $RC -eq 0 ] || fail "run 4: master exit $RC, expected 0"
grep -q "$CALLS4 calls, $CALLS4 successful, 0 failed; 3PCC: $((4 * CALLS4)) commands routed; exit 0" \
  "$DIR/m4.out" || fail "run 4: merged verdict"
for n in mi s1 s2 ea eb1 eb2; do
  wait_pid "$(eval echo \$P_$n)" 10
  [ $RC -eq 0 ] || fail "run 4: agent $n exit $RC"
done
echo "ok: extended 3PCC: master instance on a1, slaves on a2 and s: $CALLS4 calls, $((4 * CALLS4)) commands routed by name"
