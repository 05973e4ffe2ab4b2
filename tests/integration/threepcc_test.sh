#!/usr/bin/env bash
# 3PCC (issue 5): the twin protocol between sipfleet and real SIPp, both
# ways, in -3pcc and extended (-master/-slave/-slave_cfg) mode, and bad input.
# Usage: threepcc_test.sh CASE BASE_PORT. Ports: 17400-17449 only; each case
# uses BASE_PORT.. as the CMakeLists.txt comment next to it says.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
case_name=$1
base=$2
calls=${CALLS:-10}
host=127.0.0.1
scenarios=$here/threepcc

bin_of() { if [[ $1 == sipp ]]; then echo sipp; else echo "$SIPFLEET"; fi; }
need_sipp() { command -v sipp >/dev/null || fail "real SIPp (sip-tester) is not installed"; }

# expect_run NAME CALLS: NAME exited 0 (EXIT_CODE set) with CALLS successful
# calls and none failed (its -trace_stat file NAME.csv).
expect_run() {
  check_eq "$EXIT_CODE" 0 "$1 exit code ($(tail -n 2 "$1.out" | tr '\n' ' '))"
  check_eq "$(csv_value 'SuccessfulCall(C)' "$1.csv")" "$2" "$1 SuccessfulCall(C)"
  check_eq "$(csv_value 'FailedCall(C)' "$1.csv")" 0 "$1 FailedCall(C)"
}

# four_roles KIND_A KIND_B KIND_CA KIND_CB: the embedded 3PCC scenarios, A
# and B endpoints on base and base+1, C-B listening for its twin on base+2
# (SIP on base+3), C-A on base+4; every instance must complete $calls calls.
four_roles() {
  local a=$1 b=$2 ca=$3 cb=$4
  [[ "$*" == *sipp* ]] && need_sipp
  start_bg a "$(bin_of "$a")" -sn 3pcc-A -i $host -p "$base" -m "$calls" -nostdin \
    -trace_stat -stf a.csv
  start_bg b "$(bin_of "$b")" -sn 3pcc-B -i $host -p $((base + 1)) -m "$calls" -nostdin \
    -trace_stat -stf b.csv
  wait_udp_port "$base"
  wait_udp_port $((base + 1))
  start_bg cb "$(bin_of "$cb")" -sn 3pcc-C-B $host:$((base + 1)) -3pcc $host:$((base + 2)) \
    -i $host -p $((base + 3)) -m "$calls" -nostdin -trace_stat -stf cb.csv
  wait_tcp_port $((base + 2))
  start_bg ca "$(bin_of "$ca")" -sn 3pcc-C-A $host:"$base" -3pcc $host:$((base + 2)) \
    -i $host -p $((base + 4)) -m "$calls" -r 10 -nostdin -trace_stat -stf ca.csv
  local name
  for name in ca cb a b; do
    eval "wait_exit \$${name}_PID 60"
    expect_run "$name" "$calls"
  done
  finish_checks
}

# write_cfg FILE NAME=PORT...: a -slave_cfg file.
write_cfg() {
  local file=$1 entry; shift
  : >"$file"
  for entry in "$@"; do echo "${entry%%=*};$host:${entry#*=}" >>"$file"; done
}

# extended KIND_S2: master m and slaves s1, s2 (s2 sipfleet or SIPp), each
# with its endpoint: A on base, B1 on base+1, B2 on base+2; the master's
# SIP on base+3, slaves' on base+4/+5; twin ports base+6 (m), +7, +8.
extended() {
  local s2_kind=$1
  [[ $s2_kind == sipp ]] && need_sipp
  local cfg=(m=$((base + 6)) s1=$((base + 7)) s2=$((base + 8)))
  write_cfg m.cfg "${cfg[@]}"
  write_cfg s1.cfg "${cfg[@]}"
  write_cfg s2.cfg "${cfg[@]}"
  start_bg a "$SIPFLEET" -sn 3pcc-A -i $host -p "$base" -m "$calls" -nostdin -trace_stat -stf a.csv
  start_bg b1 "$SIPFLEET" -sn 3pcc-B -i $host -p $((base + 1)) -m "$calls" -nostdin \
    -trace_stat -stf b1.csv
  start_bg b2 "$SIPFLEET" -sn 3pcc-B -i $host -p $((base + 2)) -m "$calls" -nostdin \
    -trace_stat -stf b2.csv
  wait_udp_port "$base"; wait_udp_port $((base + 1)); wait_udp_port $((base + 2))
  start_bg s1 "$SIPFLEET" -sf "$scenarios/slave.xml" $host:$((base + 1)) -key self s1 \
    -slave s1 -slave_cfg s1.cfg -i $host -p $((base + 4)) -m "$calls" -nostdin \
    -trace_stat -stf s1.csv
  start_bg s2 "$(bin_of "$s2_kind")" -sf "$scenarios/slave.xml" $host:$((base + 2)) -key self s2 \
    -slave s2 -slave_cfg s2.cfg -i $host -p $((base + 5)) -m "$calls" -nostdin \
    -trace_stat -stf s2.csv
  wait_tcp_port $((base + 7)); wait_tcp_port $((base + 8))
  # SIPp: "the master must be launched last".
  start_bg m "$SIPFLEET" -sf "$scenarios/master.xml" $host:"$base" -master m -slave_cfg m.cfg \
    -i $host -p $((base + 3)) -m "$calls" -r 10 -nostdin -trace_stat -stf m.csv
  local name
  for name in m s1 s2 a b1 b2; do
    eval "wait_exit \$${name}_PID 60"
    # Real SIPp 3.6.1 as a slave sometimes dies under load on an assertion
    # of its own (socket.cpp, pollset_process: `sock'); its endpoint b2 then
    # waits for calls that never come. That is SIPp's failure, not ours.
    if [[ $name == s2 && $s2_kind == sipp ]] && grep -q "Assertion .sock. failed" s2.out; then
      skip "real SIPp (slave s2) crashed: $(grep -m 1 Assertion s2.out)"
    fi
    expect_run "$name" "$calls"
  done
  finish_checks
}

case $case_name in
  # Ports base..base+4.
  all_sipfleet)
    four_roles sipfleet sipfleet sipfleet sipfleet ;;
  sipfleet_controllers_sipp_endpoints)
    four_roles sipp sipp sipfleet sipfleet ;;
  sipp_controllers_sipfleet_endpoints)
    four_roles sipfleet sipfleet sipp sipp ;;
  sipfleet_ca_sipp_cb)
    four_roles sipp sipp sipfleet sipp ;;
  sipp_ca_sipfleet_cb)
    four_roles sipp sipp sipp sipfleet ;;
  # Ports base..base+8.
  extended_sipfleet)
    extended sipfleet ;;
  extended_sipp_slave)
    extended sipp ;;
  # Ports base..base+3: a master whose first element is <sendCmd> (SIPp
  # issue #41) and a slave that only exchanges commands (SIPp issue #40).
  master_sends_first)
    write_cfg cfg m=$((base + 2)) s1=$((base + 3))
    start_bg s1 "$SIPFLEET" -sf "$scenarios/echo_slave.xml" -slave s1 -slave_cfg cfg \
      -i $host -p $((base + 1)) -m "$calls" -nostdin -trace_stat -stf s1.csv
    wait_tcp_port $((base + 3))
    start_bg m "$SIPFLEET" -sf "$scenarios/master_first.xml" $host:$((base + 1)) -master m \
      -slave_cfg cfg -i $host -p "$base" -m "$calls" -r 20 -nostdin -trace_stat -stf m.csv
    wait_exit "$m_PID" 30
    expect_run m "$calls"
    wait_exit "$s1_PID" 30
    expect_run s1 "$calls"
    finish_checks ;;
  # No sockets: the run stops before binding (nominal base).
  bad_slave_cfg)
    write_cfg cfg m=$((base + 1)) s1=$((base + 2))
    "$SIPFLEET" -sf "$scenarios/master_first.xml" $host:"$base" -master x -slave_cfg cfg \
      -i $host -p "$base" -m 1 -nostdin >unknown.out 2>&1 && EXIT_CODE=0 || EXIT_CODE=$?
    check_eq "$EXIT_CODE" 255 "unknown -master name exit code"
    check_grep "-master x: no instance 'x' in -slave_cfg cfg" unknown.out "unknown name message"
    printf 'm;%s:%s\ns1 %s\n' $host $((base + 1)) $host >broken.cfg
    "$SIPFLEET" -sf "$scenarios/master_first.xml" $host:"$base" -master m -slave_cfg broken.cfg \
      -i $host -p "$base" -m 1 -nostdin >broken.out 2>&1 && EXIT_CODE=0 || EXIT_CODE=$?
    check_eq "$EXIT_CODE" 255 "malformed -slave_cfg exit code"
    check_grep "broken.cfg:2: 's1 127.0.0.1' is not name;host:port" broken.out "file:line message"
    "$SIPFLEET" -sn 3pcc-C-B $host:"$base" -i $host -p "$base" -m 1 -nostdin >no_twin.out 2>&1 \
      && EXIT_CODE=0 || EXIT_CODE=$?
    check_eq "$EXIT_CODE" 255 "3pcc scenario without -3pcc exit code"
    check_grep "3pcc-C-B:[0-9]*: <recvCmd> needs a twin" no_twin.out "missing -3pcc message"
    "$SIPFLEET" -sn 3pcc-C-A $host:"$base" -3pcc $host:$((base + 2)) -i $host -p "$base" -m 1 \
      -nostdin >refused.out 2>&1 && EXIT_CODE=0 || EXIT_CODE=$?
    check_eq "$EXIT_CODE" 255 "twin not listening exit code"
    check_grep "cannot connect to 3PCC twin $host:$((base + 2))" refused.out "connect message"
    finish_checks ;;
  # Ports base..base+2: a fake controller A (python) sends a command without
  # Call-ID, then a good one, then disconnects while sipfleet's C-B call is
  # in progress: C-B counts the bad command, finishes the call and stops.
  # Then a fake controller B takes sipfleet C-A's first offer and hangs up:
  # C-A fails the calls waiting for the answer and ends, in bounded time.
  twin_loss_and_malformed)
    start_bg b "$SIPFLEET" -sn 3pcc-B -i $host -p "$base" -nostdin
    wait_udp_port "$base"
    start_bg cb "$SIPFLEET" -sn 3pcc-C-B $host:"$base" -3pcc $host:$((base + 1)) -i $host \
      -p $((base + 2)) -nostdin -trace_stat -stf cb.csv
    wait_tcp_port $((base + 1))
    python3 - "$host" $((base + 1)) <<'EOF' || fail "fake controller A"
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.sendall(b"garbage without a call id\r\n\x1b")
sdp = b"v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n"
s.sendall(b"Call-ID: fake-1@127.0.0.1\r\nContent-Type: application/sdp\r\nContent-Length: "
          + str(len(sdp)).encode() + b"\r\n\r\n" + sdp + b"\x1b")
data = b""
s.settimeout(10)
while b"\x1b" not in data:
    data += s.recv(4096)
assert b"Call-ID: fake-1@127.0.0.1" in data, data
s.close()  # while C-B's call is in its 1 s pause
EOF
    wait_exit "$cb_PID" 20
    check_eq "$EXIT_CODE" 0 "C-B exit code after its twin left ($(tail -n 2 cb.out | tr '\n' ' '))"
    check_eq "$(csv_value 'SuccessfulCall(C)' cb.csv)" 1 "C-B SuccessfulCall(C)"
    check_grep "closed the connection" cb.out "C-B twin loss message"
    check_grep "1 unexpected-or-malformed" cb.out "C-B malformed command counted"
    check_grep "3PCC command without a Call-ID" cb.out "C-B malformed command message"
    kill "$b_PID" 2>/dev/null || true
    wait_exit "$b_PID" 10  # its port is A's next
    # The reverse: sipfleet C-A (A endpoint on base) and a twin that leaves.
    start_bg a "$SIPFLEET" -sn 3pcc-A -i $host -p "$base" -nostdin
    wait_udp_port "$base"
    python3 - "$host" $((base + 1)) >fake_b.out 2>&1 <<'EOF' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); s.settimeout(10)
c, _ = s.accept(); c.settimeout(10)
data = b""
while b"\x1b" not in data:
    data += c.recv(4096)
print("got", data[:40])
c.close()
EOF
    fake_pid=$!
    STARTED_PIDS+=("$fake_pid")
    wait_tcp_port $((base + 1))
    start_bg ca "$SIPFLEET" -sn 3pcc-C-A $host:"$base" -3pcc $host:$((base + 1)) -i $host \
      -p $((base + 2)) -m 5 -r 5 -nostdin -trace_stat -stf ca.csv
    wait_exit "$ca_PID" 20
    check_eq "$EXIT_CODE" 1 "C-A exit code after its twin left ($(tail -n 2 ca.out | tr '\n' ' '))"
    check_grep "3PCC twin $host:$((base + 1)) closed the connection" ca.out "C-A twin loss message"
    check_eq "$(csv_value 'SuccessfulCall(C)' ca.csv)" 0 "C-A SuccessfulCall(C)"
    failed=$(csv_value 'FailedCall(C)' ca.csv)
    [[ $failed -ge 1 ]] || PROBLEMS+=("C-A FailedCall(C): expected >= 1, got $failed")
    check_eq "$(csv_value 'FailedCmdNotSent(C)' ca.csv)" "$failed" "C-A FailedCmdNotSent(C)"
    finish_checks ;;
  *)
    fail "unknown case $case_name" ;;
esac
