#!/usr/bin/env bash
# Bad input gives a located error and SIPp's exit code; bad traffic is counted.
# Usage: bad_input_test.sh CASE PORT
source "$(dirname "$0")/lib.sh"
case_name=$1
port=$2
SCENARIOS=$(cd "$(dirname "$0")/../../scenarios" && pwd)

# expect_fails CODE PATTERN CMD...: CMD exits CODE and stderr matches PATTERN.
expect_fails() {
  local code=$1 pattern=$2; shift 2
  local rc=0
  timeout 20 "$@" >out.txt 2>err.txt || rc=$?
  expect_eq "$rc" "$code" "exit code of $*"
  grep -E -q -- "$pattern" err.txt || fail "stderr does not match '$pattern': $(cat err.txt)"
}

scenario_with() {  # scenario_with FILE BODY: a small client scenario
  printf '<?xml version="1.0"?>\n<scenario name="t">\n%s\n</scenario>\n' "$2" >"$1"
}

SEND='<send><![CDATA[
OPTIONS sip:a@[remote_ip] SIP/2.0
Call-ID: [call_id]
Content-Length: 0
]]></send>'

PLAY='<nop><action><exec play_pcap_audio="media.pcap"/></action></nop>'

case $case_name in
  unreadable_pcap)
    echo "not a capture" >media.pcap
    scenario_with bad.xml "$SEND
$PLAY"
    expect_fails 255 '^sipfleet: bad\.xml:8: media\.pcap' "$SIPFLEET" -sf bad.xml 127.0.0.1 -m 1
    ;;
  non_rtp_pcap)
    # One UDP packet whose payload is not RTP version 2 (text2pcap builds it).
    printf '0000  48 65 6c 6c 6f 20 77 6f 72 6c 64\n' >hex.txt
    text2pcap -q -u 4000,5000 hex.txt media.pcap
    scenario_with bad.xml "$SEND
$PLAY"
    expect_fails 255 '^sipfleet: bad\.xml:8: media\.pcap.*no RTP packets' "$SIPFLEET" -sf bad.xml 127.0.0.1 -m 1
    ;;
  missing_pcap)
    scenario_with bad.xml "$SEND
$PLAY"
    expect_fails 255 '^sipfleet: bad\.xml:8: media\.pcap: media file not found' "$SIPFLEET" -sf bad.xml \
      127.0.0.1 -m 1
    ;;
  syntax_error)
    printf '<?xml version="1.0"?>\n<scenario>\n<send>\n</scenario>\n' >bad.xml
    expect_fails 255 '^sipfleet: bad\.xml:4: XML syntax error' "$SIPFLEET" -sf bad.xml 127.0.0.1 -m 1
    ;;
  unknown_element)
    scenario_with bad.xml "$SEND
<sendd/>"
    expect_fails 255 '^sipfleet: bad\.xml:8: unknown element <sendd>' "$SIPFLEET" -sf bad.xml 127.0.0.1 -m 1
    ;;
  missing_label)
    scenario_with bad.xml "$SEND
<recv response=\"200\" next=\"done\"/>"
    expect_fails 255 "bad\.xml:8: 'next' refers to undefined label 'done'" "$SIPFLEET" -sf bad.xml 127.0.0.1 -m 1
    ;;
  bad_attribute)
    scenario_with bad.xml "$SEND
<recv response=\"2OO\"/>"
    expect_fails 255 "bad\.xml:8: invalid response code '2OO'" "$SIPFLEET" -sf bad.xml 127.0.0.1 -m 1
    ;;
  malformed_csv)
    printf 'SEQUENCE\nalice;pw\n' >users.csv
    scenario_with ok.xml "$SEND"
    expect_fails 255 '^sipfleet: users\.csv:1: ' "$SIPFLEET" -sf ok.xml 127.0.0.1 -m 1 -inf users.csv
    ;;
  missing_inf)
    scenario_with ok.xml "$SEND"
    expect_fails 255 'nosuch\.csv: cannot open' "$SIPFLEET" -sf ok.xml 127.0.0.1 -m 1 -inf nosuch.csv
    ;;
  field_without_inf)
    scenario_with bad.xml '<send><![CDATA[
OPTIONS sip:[field0]@[remote_ip] SIP/2.0
Content-Length: 0
]]></send>'
    expect_fails 255 'bad\.xml:3: .*no -inf file' "$SIPFLEET" -sf bad.xml 127.0.0.1 -m 1
    ;;
  bad_regex)
    scenario_with bad.xml "$SEND
<recv response=\"200\"><action>
<ereg regexp=\"([0-9]\" search_in=\"msg\" assign_to=\"x\"/>
</action></recv><Reference variables=\"x\"/>"
    expect_fails 255 "bad\.xml:9: regular expression '\(\[0-9\]' does not compile" "$SIPFLEET" -sf bad.xml 127.0.0.1 -m 1
    ;;
  variable_used_once)
    scenario_with bad.xml "$SEND
<recv response=\"200\"><action>
<ereg regexp=\"x\" search_in=\"msg\" assign_to=\"typo\"/>
</action></recv>"
    expect_fails 255 "bad\.xml:9: variable 'typo' is used only once" "$SIPFLEET" -sf bad.xml 127.0.0.1 -m 1
    ;;
  jump_to_itself)
    scenario_with bad.xml "$SEND
<nop><action>
<jump value=\"1\"/>
</action></nop>"
    expect_fails 255 'bad\.xml:9: <jump> to its own element' "$SIPFLEET" -sf bad.xml 127.0.0.1 -m 1
    ;;
  missing_file)
    expect_fails 255 'nosuch\.xml: cannot open scenario file' "$SIPFLEET" -sf nosuch.xml 127.0.0.1
    ;;
  unknown_option)
    expect_fails 255 'unknown option -trace_stats; did you mean -trace_stat\?' "$SIPFLEET" -trace_stats
    ;;
  unsupported_option)
    expect_fails 255 'option -rsa is not supported yet' "$SIPFLEET" 127.0.0.1 -rsa 1.2.3.4:5060
    ;;
  bad_numbers)
    expect_fails 255 "^sipfleet: -rp: invalid value '0': a time above 0 is expected" \
      "$SIPFLEET" 127.0.0.1 -rp 0
    expect_fails 255 "^sipfleet: -m: invalid value '99999999999999999999999': a whole number" \
      "$SIPFLEET" 127.0.0.1 -m 99999999999999999999999
    ;;
  unknown_attribute)
    # SIPp ignores it and so do we (the run goes on), with a located warning.
    scenario_with warn.xml "${SEND/<send>/<send retrams=\"500\">}"
    timeout 20 "$SIPFLEET" -sf warn.xml 127.0.0.1:9 -m 1 -timeout 1s -nostdin >out.txt 2>err.txt || true
    grep -q "^warn\.xml:3: warning: unknown attribute 'retrams' on <send> (closest known: 'retrans')" \
      err.txt || fail "no warning for retrams: $(cat err.txt)"
    grep -q "Test Terminated" out.txt || fail "the scenario did not run: $(cat out.txt err.txt)"
    ;;
  short_csv_line)
    printf 'SEQUENTIAL\nalice;a1\nbob\n' >users.csv
    scenario_with short.xml '<send><![CDATA[
OPTIONS sip:[field1]@[remote_ip] SIP/2.0
Content-Length: 0
]]></send>'
    timeout 20 "$SIPFLEET" -sf short.xml 127.0.0.1:9 -m 1 -timeout 1s -nostdin -inf users.csv \
      >out.txt 2>err.txt || true
    expect_eq "$(grep -c 'warning: users\.csv' err.txt)" 1 "warnings about users.csv"
    grep -q "users\.csv:3: 1 field where \[field1\] needs 2 (1 of 2 lines).*(short\.xml:3)" err.txt ||
      fail "no located warning for the short line: $(cat err.txt)"
    ;;
  oversized_at_load)
    # Larger than a UDP datagram before any keyword is expanded.
    big=$(head -c 70000 /dev/zero | tr '\0' a)
    scenario_with big.xml "${SEND/Call-ID:/X-Big: $big
Call-ID:}"
    expect_fails 255 "^sipfleet: big\.xml:3: <send> is 700[0-9][0-9] bytes before its keywords are expanded, more than a UDP datagram takes \(65507 bytes\)" \
      "$SIPFLEET" -sf big.xml 127.0.0.1:9 -m 1
    # On TCP the bound is -max_msg_size.
    expect_fails 255 "more than -max_msg_size allows on TCP/TLS \(65536 bytes\)" \
      "$SIPFLEET" -sf big.xml 127.0.0.1:9 -m 1 -t t1
    ;;
  oversized_at_send)
    # The size is known only once [field0] is expanded: the call fails at
    # once (no timer B wait), counted and named in the error log.
    { echo SEQUENTIAL; head -c 70000 /dev/zero | tr '\0' a; echo; } >big.csv
    scenario_with big.xml '<send retrans="500"><![CDATA[
OPTIONS sip:a@[remote_ip] SIP/2.0
X-Big: [field0]
Call-ID: [call_id]
Content-Length: 0
]]></send>
<recv response="200"/>'
    start=$(date +%s%N)
    rc=0
    timeout 30 "$SIPFLEET" -sf big.xml 127.0.0.1:9 -m 1 -nostdin -inf big.csv -trace_stat -stf big_stat.csv \
      -trace_err -error_file errors.log >out.txt 2>&1 || rc=$?
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    expect_eq "$rc" 1 "exit code with an oversized message"
    ((elapsed_ms < 10000)) || fail "the call took ${elapsed_ms} ms to fail (timer B?)"
    expect_eq "$(csv_value 'FailedCannotSendMessage(C)' big_stat.csv)" 1 "FailedCannotSendMessage(C)"
    grep -q "message of 700[0-9][0-9] bytes not sent .*more than 65507 bytes, the most a UDP datagram takes" \
      errors.log || fail "no named send error in the error log: $(cat errors.log)"
    ;;
  port_in_use)
    start_bg holder "$SIPFLEET" -sn uas -i 127.0.0.1 -p "$port" -nostdin -workers 1
    wait_udp_port "$port"
    expect_fails 254 "cannot bind UDP .*:$port" "$SIPFLEET" -sn uas -i 127.0.0.1 -p "$port" -nostdin
    ;;
  dump_scenario)
    rc=0
    "$SIPFLEET" -sd uac >uac.xml || rc=$?
    expect_eq "$rc" 99 "exit code of -sd"
    cmp -s uac.xml "$SCENARIOS/uac.xml" || fail "-sd uac differs from scenarios/uac.xml"
    ;;
  timeout_without_calls)
    # A server nobody calls: the global timeout ends the run with no call
    # (SIPp 3.6.1: 97 after 1 s).
    rc=0
    timeout 20 "$SIPFLEET" -sn uas -i 127.0.0.1 -p "$port" -timeout 1s -nostdin >out.txt 2>&1 || rc=$?
    expect_eq "$rc" 97 "exit code after -timeout with no call"
    # A client nobody answers: -timeout lets the call in progress end, here
    # by -recv_timeout, so the run fails (SIPp 3.6.1: 1 after 2 s).
    rc=0
    timeout 20 "$SIPFLEET" 127.0.0.1:"$port" -sn uac -i 127.0.0.1 -p $((port + 1)) -m 1 \
      -timeout 1s -recv_timeout 2s -nostdin >out.txt 2>&1 || rc=$?
    expect_eq "$rc" 1 "exit code after -timeout with a call that times out"
    ;;
  malformed_traffic)
    # Garbage and truncated datagrams are counted and dropped; the UAS keeps
    # serving real calls afterwards.
    start_bg uas "$SIPFLEET" -sn uas -i 127.0.0.1 -p "$port" -m 5 -nostdin -workers 1 \
      -trace_stat -stf uas.csv
    wait_udp_port "$port"
    for payload in 'garbage' $'INVITE sip:a SIP/2.0\r\nCall-ID: x\r\nContent-Length: 900\r\n\r\nshort' \
        $'SIP/2.0 abc\r\n\r\n' $'\x00\x01\x02\xff' $'INVITE\r\n'; do
      printf '%s' "$payload" >/dev/udp/127.0.0.1/"$port"
    done
    rc=0
    timeout 30 "$SIPFLEET" 127.0.0.1:"$port" -sn uac -i 127.0.0.1 -p $((port + 1)) -m 5 -r 50 \
      -nostdin >uac.txt 2>&1 || rc=$?
    expect_eq "$rc" 0 "UAC exit code after garbage"
    wait_exit "$uas_PID" 30
    expect_eq "$EXIT_CODE" 0 "UAS exit code after garbage"
    expect_eq "$(csv_value 'SuccessfulCall(C)' uas.csv)" 5 "UAS SuccessfulCall(C)"
    grep -q "5 unexpected-or-malformed" uas.out || fail "malformed datagrams not counted: $(cat uas.out)"
    ;;
  *) fail "unknown case $case_name" ;;
esac
echo "PASS: $case_name"
