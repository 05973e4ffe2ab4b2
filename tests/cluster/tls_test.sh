#!/bin/bash
# Control-plane security of the cluster (issue 6), real processes on loopback:
#  1. a run over mutual TLS (certificates from sipfleet_test_ca) passes;
#  2. an agent whose certificate comes from another CA is refused: clear
#     error on both sides, and the run does not start with it;
#  3. a master listening off loopback without TLS refuses to start; so does
#     an agent dialing off loopback without TLS;
#  4. an agent speaking another API version is refused with a clear error
#     (sipfleet_sim_agents -api_version 2);
#  5. a certificate and key that do not match are refused before dialing.
#  6. <exec command=> runs on an agent only when started with -allow_exec.
# Usage: tls_test.sh <sipfleet-master> <sipfleet-agent> <sipfleet_test_ca>
#                    <sipfleet_sim_agents> <port base>   (uses base .. base+11)
# Kills only the PIDs it started.
set -u
MASTER=$1 AGENT=$2 TEST_CA=$3 SIM=$4 BASE=$5
source "$(dirname "$0")/lib.sh"

"$TEST_CA" "$DIR/pki" >/dev/null || fail "sipfleet_test_ca"
"$TEST_CA" "$DIR/other" >/dev/null || fail "sipfleet_test_ca (other CA)"
P=$DIR/pki
MASTER_TLS=(-ctl_tls_ca "$P/ca.pem" -ctl_tls_cert "$P/server.pem" -ctl_tls_key "$P/server-key.pem")
AGENT_TLS=(-ctl_tls_ca "$P/ca.pem" -ctl_tls_cert "$P/client.pem" -ctl_tls_key "$P/client-key.pem")
# Signed by another root: the master must not trust it.
ROGUE_TLS=(-ctl_tls_ca "$P/ca.pem" -ctl_tls_cert "$DIR/other/client.pem"
           -ctl_tls_key "$DIR/other/client-key.pem")

# 1. A run over mTLS: 200 calls, UAS agent + 2 UAC agents, all successful.
"$MASTER" -listen 127.0.0.1:$BASE "${MASTER_TLS[@]}" -agents uas1,uac1,uac2 -uas_agents uas1 \
  -sn uac -r 200 -m 200 -d 0 127.0.0.1:$((BASE + 1)) >"$DIR/m1.out" 2>"$DIR/m1.err" &
M=$!; PIDS+=($M)
wait_for "$DIR/m1.err" "listening on port"
for n in uas1 uac1 uac2; do
  "$AGENT" -master 127.0.0.1:$BASE -name $n "${AGENT_TLS[@]}" >"$DIR/$n.out" 2>"$DIR/$n.err" &
  PIDS+=($!)
done
wait_pid "$M" 60
[ $RC -eq 0 ] || fail "mTLS run: master exit $RC, expected 0"
grep -q "200 calls, 200 successful, 0 failed; exit 0" "$DIR/m1.out" || fail "mTLS run: verdict"
echo "ok: run over mutual TLS passed"

# 2. An agent with a certificate from another CA: the handshake fails, the
# agent exits 255 naming the TLS failure, the master logs the failed
# handshake, and the run waits without it (then gives up: not started). The
# agent retries for its 10 s connect timeout, so the master waits 14 s.
"$MASTER" -listen 127.0.0.1:$((BASE + 2)) "${MASTER_TLS[@]}" -agents uac1 -agent_wait 14 \
  -sn uac -r 10 -m 10 -d 0 127.0.0.1:$((BASE + 3)) >"$DIR/m2.out" 2>"$DIR/m2.err" &
M=$!; PIDS+=($M)
wait_for "$DIR/m2.err" "listening on port"
"$AGENT" -master 127.0.0.1:$((BASE + 2)) -name uac1 "${ROGUE_TLS[@]}" >"$DIR/rogue.out" 2>"$DIR/rogue.err" &
A=$!; PIDS+=($A)
wait_pid "$A" 20
[ $RC -eq 255 ] || fail "rogue agent exit $RC, expected 255"
grep -Eiq "handshake|certificate|tls|ssl" "$DIR/rogue.err" || fail "rogue agent: no TLS reason"
wait_pid "$M" 20
[ $RC -ne 0 ] || fail "master with only a rogue agent exited 0"
grep -q "did not register" "$DIR/m2.err" || fail "master: run should not start without the agent"
grep -Eiq "handshake|certificate" "$DIR/m2.err" || fail "master: the failed handshake is not logged"
grep -q "placing\|Successful" "$DIR/m2.out" && fail "master: the run started with a rogue agent"
echo "ok: agent with another CA's certificate refused: $(head -1 "$DIR/rogue.err")"

# 3. Plain text off loopback: refused on both sides before any network I/O.
"$MASTER" -listen 0.0.0.0:$((BASE + 4)) -agents 1 -sn uac -m 1 127.0.0.1:$((BASE + 5)) \
  >"$DIR/m3.out" 2>"$DIR/m3.err"
RC=$?
[ $RC -eq 255 ] || fail "master off loopback without TLS: exit $RC, expected 255"
grep -q "off loopback.*-ctl_tls_ca" "$DIR/m3.err" || fail "master off loopback: unclear error"
"$AGENT" -master 192.0.2.1:$((BASE + 4)) -name a >"$DIR/a3.out" 2>"$DIR/a3.err"
RC=$?
[ $RC -eq 255 ] || fail "agent off loopback without TLS: exit $RC, expected 255"
grep -q "off loopback.*-allow_plaintext" "$DIR/a3.err" || fail "agent off loopback: unclear error"
echo "ok: plain text off loopback refused: $(head -1 "$DIR/m3.err")"

# 4. Another API version: refused with the master's reason, on both sides.
"$MASTER" -listen 127.0.0.1:$((BASE + 6)) -agents 1 -agent_wait 3 -sn uac -m 1 \
  127.0.0.1:$((BASE + 7)) >"$DIR/m4.out" 2>"$DIR/m4.err" &
M=$!; PIDS+=($M)
wait_for "$DIR/m4.err" "listening on port"
"$SIM" -master 127.0.0.1:$((BASE + 6)) -agents 1 -api_version 2 -duration 1 \
  >"$DIR/sim.out" 2>"$DIR/sim.err" &
S=$!; PIDS+=($S)
wait_pid "$S" 20
[ $RC -eq 3 ] || fail "agent of API version 2: exit $RC, expected 3 (refused)"
grep -q "refused by the master: API version 2 is not supported" "$DIR/sim.err" ||
  fail "agent of API version 2: unclear refusal"
wait_for "$DIR/m4.err" "refused agent 'sim1'.*API version 2"
wait_pid "$M" 20
echo "ok: API version 2 refused: $(grep -o 'refused by the master.*' "$DIR/sim.err")"

# 5. A key that does not match the certificate: refused before dialing.
"$AGENT" -master 127.0.0.1:$((BASE + 9)) -name a -ctl_tls_ca "$P/ca.pem" \
  -ctl_tls_cert "$P/client.pem" -ctl_tls_key "$P/server-key.pem" >"$DIR/a5.out" 2>"$DIR/a5.err"
RC=$?
[ $RC -eq 255 ] || fail "mismatched key: exit $RC"
grep -q "does not match the certificate" "$DIR/a5.err" || fail "mismatched key: unclear error"
echo "ok: mismatched key refused"

# 6. <exec command=> runs on an agent only with -allow_exec: refused, the
# calls still succeed and the refusal is counted (and logged with
# -trace_err); allowed, the command runs once per call.
cat >"$DIR/exec_uac.xml" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="exec uac">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: [service] <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200">
    <action><exec command="touch $DIR/exec_ran_[call_number]"/></action>
  </recv>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

  ]]></send>
  <send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

  ]]></send>
  <recv response="200"/>
</scenario>
XML
# run_exec <port> <extra agent options...>: 5 calls, UAS agent + UAC agent.
run_exec() {
  local port=$1; shift
  "$MASTER" -listen 127.0.0.1:$port -agents uas1,uac1 -uas_agents uas1 -sf "$DIR/exec_uac.xml" \
    -r 50 -m 5 -d 0 127.0.0.1:$((port + 1)) >"$DIR/mx$port.out" 2>"$DIR/mx$port.err" &
  M=$!; PIDS+=($M)
  wait_for "$DIR/mx$port.err" "listening on port"
  for n in uas1 uac1; do
    (cd "$DIR" && exec "$AGENT" -master 127.0.0.1:$port -name $n "$@") >"$DIR/x$n$port.out" \
      2>"$DIR/x$n$port.err" &
    PIDS+=($!)
  done
  wait_pid "$M" 30
  [ $RC -eq 0 ] || fail "exec run ($*): master exit $RC"
  grep -q "5 calls, 5 successful, 0 failed" "$DIR/mx$port.out" || fail "exec run ($*): verdict"
}
run_exec $((BASE + 8))
[ -z "$(ls "$DIR" | grep exec_ran_)" ] || fail "<exec> ran on an agent without -allow_exec"
# Its own ports: the first run's agents may still be saying goodbye.
run_exec $((BASE + 10)) -allow_exec
[ "$(ls "$DIR" | grep -c exec_ran_)" -eq 5 ] || fail "<exec> with -allow_exec: $(ls "$DIR" | grep -c exec_ran_) of 5 ran"
echo "ok: <exec command=> refused without -allow_exec (calls unaffected), run 5 times with it"
