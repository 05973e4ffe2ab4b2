#!/usr/bin/env bash
# Interop over real UDP sockets on loopback.
# Usage: interop_test.sh CASE BASE_PORT
#   sipp_uac_vs_sipfleet_uas | sipfleet_uac_vs_sipp_uas | sipfleet_both | sipfleet_two_workers
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
    grep -q "2 workers" uac.out || fail "UAC did not run 2 workers: $(cat uac.out)"
    ;;
  *) fail "unknown case $case_name" ;;
esac
echo "PASS: $case_name"
