#!/usr/bin/env bash
# Interop over real UDP sockets on loopback.
# Usage: interop_test.sh CASE BASE_PORT
#   sipp_uac_vs_sipfleet_uas | sipfleet_uac_vs_sipp_uas | sipfleet_both | sipfleet_two_workers
#   sipfleet_regexp_vs_sipp_uas | sipp_regexp_vs_sipfleet_uas
#   sipfleet_branchc_vs_sipp_branchs | sipp_branchc_vs_sipfleet_branchs | sipfleet_branchc_vs_sipfleet_branchs
#   sipfleet_uac_ooc
source "$(dirname "$0")/lib.sh"
case_name=$1
uas_port=$2
uac_port=$((uas_port + 1))
calls=500
rate=200

run_uas() {  # run_uas sipp|sipfleet [extra args]
  local kind=$1; shift
  if [[ $kind == sipp ]]; then
    start_bg uas sipp -sn uas -i 127.0.0.1 -p "$uas_port" -m "$calls" -nostdin -trace_stat -stf uas.csv "$@"
  else
    start_bg uas "$SIPFLEET" -sn uas -i 127.0.0.1 -p "$uas_port" -m "$calls" -nostdin -trace_stat -stf uas.csv "$@"
  fi
  wait_udp_port "$uas_port"
}

run_uac() {  # run_uac sipp|sipfleet [extra args]; sets EXIT_CODE
  local kind=$1; shift
  local bin=$SIPFLEET
  [[ $kind == sipp ]] && bin=sipp
  start_bg uac "$bin" "127.0.0.1:$uas_port" -sn uac -i 127.0.0.1 -p "$uac_port" -m "$calls" \
    -r "$rate" -nostdin -trace_stat -stf uac.csv "$@"
  wait_exit "$uac_PID" 60
}

# --- Built-in scenarios other than uac/uas (regexp, branchc/branchs, ooc) ---
# These runs are short; each client also gets a -timeout as a safety net.
peer_bin() { if [[ $1 == sipp ]]; then echo sipp; else echo "$SIPFLEET"; fi; }

# start_server sipp|sipfleet SCENARIO CALLS [extra args]: server on uas_port.
start_server() {
  local kind=$1 scen=$2 n=$3; shift 3
  start_bg srv "$(peer_bin "$kind")" -sn "$scen" -i 127.0.0.1 -p "$uas_port" -m "$n" -nostdin \
    -trace_stat -stf srv.csv "$@"
  wait_udp_port "$uas_port"
}

# run_client sipp|sipfleet SCENARIO CALLS RATE [extra args]: sets EXIT_CODE.
run_client() {
  local kind=$1 scen=$2 n=$3 r=$4; shift 4
  start_bg cli "$(peer_bin "$kind")" "127.0.0.1:$uas_port" -sn "$scen" -i 127.0.0.1 -p "$uac_port" \
    -m "$n" -r "$r" -timeout 30 -nostdin -trace_stat -stf cli.csv "$@"
  wait_exit "$cli_PID" 45
}

check_empty() { [[ -z "$1" ]] || PROBLEMS+=("$2: $1"); }

# csv_sum PREFIX FILE: sum of the last-row cells whose column starts with PREFIX.
csv_sum() {
  paste -d';' <(head -n 1 "$2" | tr ';' '\n') <(tail -n 1 "$2" | tr ';' '\n') |
    awk -F';' -v p="$1" 'index($1, p) == 1 { s += $2 } END { print s + 0 }'
}

# msg_index FILE: one line per message of a SIPp -trace_msg file:
#   seconds-of-day sent|received method-or-status cseq-method call-id from-display-name
msg_index() {
  tr -d '\r' <"$1" | awk '
    function flush() { if (kind != "") print ts, dir, kind, cseq, cid, from; kind = "" }
    /^-----/ { flush(); split($3, t, ":"); ts = sprintf("%.6f", t[1] * 3600 + t[2] * 60 + t[3]); body = 0; next }
    /^UDP message (sent|received)/ { dir = $3; next }
    kind == "" && /^(SIP\/2\.0 [0-9]+ |[A-Z]+ [^ ]+ SIP\/2\.0$)/ {
      kind = ($1 == "SIP/2.0") ? $2 : $1; cseq = cid = from = "-"; next }
    kind != "" && /^$/ { body = 1 }
    kind != "" && !body && /^CSeq:/ { cseq = $3 }
    kind != "" && !body && /^Call-ID:/ { cid = $2 }
    kind != "" && !body && /^From:/ { from = $2 }
    END { flush() }'
}

# count_msgs FILE KIND [CSEQ]: traced messages of that method/status (and CSeq method).
count_msgs() {
  msg_index "$1" | awk -v k="$2" -v c="${3:-}" '$3 == k && (c == "" || $4 == c) { n++ } END { print n + 0 }'
}

# branch_problems FILE: per-call check of the branchc/branchs flow in a SIPp trace
# of either side. INVITE From "uaN": always a 180; "ua2" in the name: 100 and
# 200, ACK, 5 s hold before the BYE except for ua25 (no hold); otherwise 403
# and the BYE right away. Prints one line per deviation.
branch_problems() {
  msg_index "$1" | awk '
    $3 == "INVITE" { name[$5] = $6 }
    $4 == "INVITE" && $3 ~ /^[0-9]+$/ { got[$5, $3] = 1 }
    $3 == "ACK" && !(($5, "ACK") in at) { at[$5, "ACK"] = $1 }
    $3 == "BYE" && !(($5, "BYE") in at) { at[$5, "BYE"] = $1 }
    END {
      for (c in name) {
        n = name[c]; ok = index(n, "ua2") > 0
        if (!got[c, "180"]) print n ": no 180"
        if (ok && (!got[c, "100"] || !got[c, "200"] || got[c, "403"])) print n ": expected 100 and 200, not 403"
        if (!ok && (got[c, "100"] || got[c, "200"] || !got[c, "403"])) print n ": expected 403 only"
        if (!((c, "BYE") in at)) { print n ": no BYE"; continue }
        if (!ok) continue
        if (!((c, "ACK") in at)) { print n ": no ACK"; continue }
        hold = at[c, "BYE"] - at[c, "ACK"]; if (hold < 0) hold += 86400
        if (n == "ua25" && hold > 2) print n ": BYE " hold " s after the ACK, expected no hold"
        if (n != "ua25" && hold < 4.5) print n ": BYE " hold " s after the ACK, expected 5 s"
      }
    }'
}

# regexp_ack_problems FILE UAS_PORT CALLS: checks the retrieved* headers of every
# ACK in a SIPp trace against what SIPp's own "regexp" puts there (the 200's
# first ip:port is its Via, i.e. the ACK's own sent-by; Contact as received,
# leading space included; the SDP o= fields).
regexp_ack_problems() {
  tr -d '\r' <"$1" | awk -v contact=" <sip:127.0.0.1:$2;transport=UDP>" -v calls="$3" '
    function want(k, v) { if (!(k in h) || h[k] != v) bad = bad " " k "=\"" (k in h ? h[k] : "(missing)") "\"" }
    function flush() {
      if (!inack) return
      bad = ""
      want("retrievedIp", " " via); want("retrievedContact", contact)
      want("retrievedSdpOrigin", "o=user1 53655765 2353687637"); want("retrievedSdpOrigin-username", "user1")
      want("retrievedSdpOrigin-session-id", "53655765"); want("retrievedSdpOrigin-version", "2353687637")
      if (bad != "" && ++nbad <= 3) print "ACK of " cid ":" bad
      if (bad == "") good[cid] = 1
      inack = 0
    }
    /^-----/ { flush(); next }
    /^ACK / { inack = 1; split("", h); via = cid = ""; next }
    inack && /^$/ { flush(); next }
    inack && /^Via:/ { split($3, v, ";"); via = v[1] }
    inack && /^Call-ID:/ { cid = $2 }
    inack && /^retrieved[^:]*:/ { i = index($0, ":"); h[substr($0, 1, i - 1)] = substr($0, i + 1) }
    END {
      flush(); n = 0; for (c in good) n++
      if (nbad > 3) print nbad " ACKs with wrong retrieved* headers"
      if (n != calls) print n " calls with correct retrieved* headers, expected " calls
    }'
}

# branchc/branchs runs: 30 calls; "ua2" is in the From of calls 2 and 20-29.
branch_calls=30
branch_ua2=11

# check_branch_stats FILE SIDE RTDS: the stat CSV of either side of branchc/branchs.
check_branch_stats() {
  local f=$1 side=$2 rtds=$3
  check_eq "$(csv_value 'SuccessfulCall(C)' "$f")" "$branch_calls" "$side SuccessfulCall(C)"
  check_eq "$(csv_value 'FailedCall(C)' "$f")" 0 "$side FailedCall(C)"
  # RTD 1: client, REGISTER to 200 (every call); server, 200 to ACK (ua2 calls).
  check_eq "$(csv_sum ResponseTimeRepartition1_ "$f")" "$rtds" "$side response times recorded"
  # 403 calls and ua25 last ~4 s (final pause or timewait), other ua2 calls ~9 s.
  check_eq "$(csv_value 'CallLengthRepartition_<5000' "$f")" $((branch_calls - branch_ua2 + 1)) \
    "$side calls of 1-5 s"
  check_eq "$(csv_value 'CallLengthRepartition_<10000' "$f")" $((branch_ua2 - 1)) "$side calls of 5-10 s"
}

case $case_name in
  sipp_uac_vs_sipfleet_uas)
    command -v sipp >/dev/null || fail "real SIPp (sip-tester) is not installed"
    run_uas sipfleet -workers 1
    run_uac sipp
    expect_eq "$EXIT_CODE" 0 "sipp UAC exit code"
    expect_eq "$(csv_value 'SuccessfulCall(C)' uac.csv)" "$calls" "sipp UAC SuccessfulCall(C)"
    wait_exit "$uas_PID" 30
    expect_eq "$EXIT_CODE" 0 "sipfleet UAS exit code"
    expect_eq "$(csv_value 'SuccessfulCall(C)' uas.csv)" "$calls" "sipfleet UAS SuccessfulCall(C)"
    ;;
  sipfleet_uac_vs_sipp_uas)
    command -v sipp >/dev/null || fail "real SIPp (sip-tester) is not installed"
    run_uas sipp
    run_uac sipfleet
    expect_eq "$EXIT_CODE" 0 "sipfleet UAC exit code"
    # Column 16 is SuccessfulCall(C) in SIPp's layout (SIPP_NOTES §8.1).
    expect_eq "$(csv_last 16 uac.csv)" "$calls" "sipfleet UAC SuccessfulCall(C), column 16"
    expect_eq "$(csv_value 'FailedCall(C)' uac.csv)" 0 "sipfleet UAC FailedCall(C)"
    wait_exit "$uas_PID" 30
    expect_eq "$EXIT_CODE" 0 "sipp UAS exit code"
    ;;
  sipfleet_both)
    run_uas sipfleet -workers 1
    run_uac sipfleet -workers 1
    expect_eq "$EXIT_CODE" 0 "sipfleet UAC exit code"
    expect_eq "$(csv_value 'SuccessfulCall(C)' uac.csv)" "$calls" "UAC SuccessfulCall(C)"
    wait_exit "$uas_PID" 30
    expect_eq "$EXIT_CODE" 0 "sipfleet UAS exit code"
    expect_eq "$(csv_value 'SuccessfulCall(C)' uas.csv)" "$calls" "UAS SuccessfulCall(C)"
    ;;
  sipfleet_two_workers)
    run_uas sipfleet -workers 2
    run_uac sipfleet -workers 2
    expect_eq "$EXIT_CODE" 0 "sipfleet UAC exit code"
    expect_eq "$(csv_value 'SuccessfulCall(C)' uac.csv)" "$calls" "UAC SuccessfulCall(C)"
    expect_eq "$(csv_value 'OutgoingCall(C)' uac.csv)" "$calls" "UAC OutgoingCall(C)"
    expect_eq "$(csv_value 'ResponseTimeRepartition1' uac.csv)" "" "repartition separator cell"
    wait_exit "$uas_PID" 30
    expect_eq "$EXIT_CODE" 0 "sipfleet UAS exit code"
    expect_eq "$(csv_value 'SuccessfulCall(C)' uas.csv)" "$calls" "UAS SuccessfulCall(C)"
    expect_eq "$(csv_value 'IncomingCall(C)' uas.csv)" "$calls" "UAS IncomingCall(C)"
    # The UAC sends ACK and BYE back to back (-d 0): the UAS's two workers
    # must not reorder them (an ACK arriving after its BYE would count as a
    # retransmission and lose its RTD sample).
    expect_eq "$(csv_value 'Retransmissions(C)' uas.csv)" 0 "UAS Retransmissions(C)"
    expect_eq "$(csv_sum 'ResponseTimeRepartition1_' uas.csv)" "$calls" "UAS ACK response times"
    grep -q "2 workers" uac.out || fail "UAC did not run 2 workers: $(cat uac.out)"
    ;;
  sipfleet_regexp_vs_sipp_uas)
    command -v sipp >/dev/null || fail "real SIPp (sip-tester) is not installed"
    n=20
    start_server sipp uas "$n" -trace_msg -message_file srv_msgs.log
    # One worker, so the 200's Via (and retrievedIp) is always uac_port.
    run_client sipfleet regexp "$n" 20 -workers 1
    check_eq "$EXIT_CODE" 0 "sipfleet regexp exit code"
    check_eq "$(csv_value 'SuccessfulCall(C)' cli.csv)" "$n" "sipfleet regexp SuccessfulCall(C)"
    check_eq "$(csv_value 'FailedCall(C)' cli.csv)" 0 "sipfleet regexp FailedCall(C)"
    # RTD 1 runs from the INVITE's 200 to the BYE's 200: it spans the 1 s pause.
    check_eq "$(csv_sum ResponseTimeRepartition1_ cli.csv)" "$n" "sipfleet regexp response times recorded"
    check_eq "$(csv_value 'ResponseTimeRepartition1_<1000' cli.csv)" 0 \
      "sipfleet regexp response times under the 1 s pause"
    wait_exit "$srv_PID" 30
    check_eq "$EXIT_CODE" 0 "sipp UAS exit code"
    check_eq "$(csv_value 'SuccessfulCall(C)' srv.csv)" "$n" "sipp UAS SuccessfulCall(C)"
    check_eq "$(count_msgs srv_msgs.log ACK)" "$n" "ACKs in the sipp UAS trace"
    check_empty "$(regexp_ack_problems srv_msgs.log "$uas_port" "$n")" "ACKs sipfleet sent"
    finish_checks
    ;;
  sipp_regexp_vs_sipfleet_uas)
    command -v sipp >/dev/null || fail "real SIPp (sip-tester) is not installed"
    n=20
    start_server sipfleet uas "$n"
    run_client sipp regexp "$n" 20 -trace_msg -message_file cli_msgs.log
    check_eq "$EXIT_CODE" 0 "sipp regexp exit code"
    check_eq "$(csv_value 'SuccessfulCall(C)' cli.csv)" "$n" "sipp regexp SuccessfulCall(C)"
    check_eq "$(csv_value 'FailedCall(C)' cli.csv)" 0 "sipp regexp FailedCall(C)"
    check_eq "$(csv_value 'ResponseTimeRepartition1_<1000' cli.csv)" 0 \
      "sipp regexp response times under the 1 s pause"
    wait_exit "$srv_PID" 30
    check_eq "$EXIT_CODE" 0 "sipfleet UAS exit code"
    check_eq "$(csv_value 'SuccessfulCall(C)' srv.csv)" "$n" "sipfleet UAS SuccessfulCall(C)"
    # What sipp extracted from sipfleet's 200s, as it echoed them in its ACKs.
    check_eq "$(count_msgs cli_msgs.log ACK)" "$n" "ACKs in the sipp regexp trace"
    check_empty "$(regexp_ack_problems cli_msgs.log "$uas_port" "$n")" "ACKs sipp sent"
    finish_checks
    ;;
  sipfleet_branchc_vs_sipp_branchs | sipp_branchc_vs_sipfleet_branchs | \
    sipfleet_branchc_vs_sipfleet_branchs)
    client_kind=${case_name%%_branchc_*}
    server_kind=${case_name#*_vs_}
    server_kind=${server_kind%_branchs}
    if [[ $client_kind == sipp || $server_kind == sipp ]]; then
      command -v sipp >/dev/null || fail "real SIPp (sip-tester) is not installed"
    fi
    trace=()
    [[ $server_kind == sipp ]] && trace=(-trace_msg -message_file srv_msgs.log)
    start_server "$server_kind" branchs "$branch_calls" "${trace[@]}"
    trace=()
    [[ $client_kind == sipp ]] && trace=(-trace_msg -message_file cli_msgs.log)
    # 10 calls/s: the ua2x calls start within 3 s; the run takes about 12 s.
    run_client "$client_kind" branchc "$branch_calls" 10 "${trace[@]}"
    check_eq "$EXIT_CODE" 0 "$client_kind branchc exit code"
    check_branch_stats cli.csv "$client_kind branchc" "$branch_calls"
    wait_exit "$srv_PID" 30
    check_eq "$EXIT_CODE" 0 "$server_kind branchs exit code"
    check_branch_stats srv.csv "$server_kind branchs" "$branch_ua2"
    # Per-branch message flow, from whichever side is real SIPp.
    for log in cli_msgs.log srv_msgs.log; do
      [[ -f $log ]] || continue
      for kind_count in REGISTER:$branch_calls INVITE:$branch_calls 180:$branch_calls \
        403:$((branch_calls - branch_ua2)) 100:$branch_ua2 ACK:$branch_ua2 BYE:$branch_calls; do
        check_eq "$(count_msgs "$log" "${kind_count%%:*}")" "${kind_count#*:}" "${kind_count%%:*} in $log"
      done
      check_eq "$(count_msgs "$log" 200 INVITE)" "$branch_ua2" "200 to INVITE in $log"
      check_empty "$(branch_problems "$log")" "branches seen in $log"
    done
    finish_checks
    ;;
  sipfleet_uac_ooc)
    # sipfleet runs "uac" against sipp's uas while a small sipp client sends it
    # 3 OPTIONS with Call-IDs of their own, three times over:
    #   no -oocsn          SIPp discards them (OutOfCallMsgs), no answer;
    #   -oocsn ooc_default each becomes an automatic call (AutoAnswered) of that
    #                      scenario, which answers 200;
    #   -oocsn ooc_dummy   automatic calls too, but nothing answers.
    command -v sipp >/dev/null || fail "real SIPp (sip-tester) is not installed"
    cat >probe.xml <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="out-of-call OPTIONS probe">
  <send>
    <![CDATA[
      OPTIONS sip:probe@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: probe <sip:probe@[local_ip]:[local_port]>;tag=[pid]probe[call_number]
      To: <sip:probe@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" timeout="2000"/>
</scenario>
XML
    for mode in none ooc_default ooc_dummy; do
      ooc_args=()
      [[ $mode != none ]] && ooc_args=(-oocsn "$mode")
      start_bg srv sipp -sn uas -i 127.0.0.1 -p "$uas_port" -m 1 -nostdin
      wait_udp_port "$uas_port"
      # -d 3500 keeps sipfleet's call (and process) up while the probes run.
      start_bg cli "$SIPFLEET" "127.0.0.1:$uas_port" -sn uac -i 127.0.0.1 -p "$uac_port" -m 1 -d 3500 \
        -timeout 30 -nostdin -trace_stat -stf "cli_$mode.csv" "${ooc_args[@]}"
      wait_udp_port "$uac_port"
      # No -p: sipp picks a free port of its own.
      start_bg probe sipp "127.0.0.1:$uac_port" -sf probe.xml -i 127.0.0.1 -m 3 -r 10 -nostdin \
        -trace_stat -stf "probe_$mode.csv"
      wait_exit "$probe_PID" 30
      if [[ $mode == ooc_default ]]; then
        check_eq "$EXIT_CODE" 0 "$mode: probe exit code"
        check_eq "$(csv_value 'SuccessfulCall(C)' "probe_$mode.csv")" 3 "$mode: OPTIONS answered with 200"
        auto=3 discarded=0
      else
        check_eq "$((EXIT_CODE != 0))" 1 "$mode: probe fails (exit code $EXIT_CODE)"
        check_eq "$(csv_value 'FailedTimeoutOnRecv(C)' "probe_$mode.csv")" 3 "$mode: OPTIONS left unanswered"
        auto=3 discarded=0
        [[ $mode == none ]] && auto=0 discarded=3
      fi
      wait_exit "$cli_PID" 30
      check_eq "$EXIT_CODE" 0 "$mode: sipfleet uac exit code"
      check_eq "$(csv_value 'SuccessfulCall(C)' "cli_$mode.csv")" 1 "$mode: sipfleet SuccessfulCall(C)"
      check_eq "$(csv_value 'FailedCall(C)' "cli_$mode.csv")" 0 "$mode: sipfleet FailedCall(C)"
      check_eq "$(csv_value 'AutoAnswered(C)' "cli_$mode.csv")" "$auto" "$mode: sipfleet AutoAnswered(C)"
      check_eq "$(csv_value 'OutOfCallMsgs(C)' "cli_$mode.csv")" "$discarded" "$mode: sipfleet OutOfCallMsgs(C)"
      wait_exit "$srv_PID" 30
      check_eq "$EXIT_CODE" 0 "$mode: sipp uas exit code"
      for f in srv cli probe; do mv "$f.out" "${f}_$mode.out"; done
    done
    finish_checks
    ;;
  *) fail "unknown case $case_name" ;;
esac
echo "PASS: $case_name"
