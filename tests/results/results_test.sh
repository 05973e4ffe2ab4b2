#!/usr/bin/env bash
# Results outputs of a standalone run (issue 13): thresholds passing,
# failing (exit 98 and the table), :abort ending the run early, a bad
# expression (255 with its column), and the summary's merged values equal
# to the stat CSV's. Usage: results_test.sh CASE BASE_PORT
set -euo pipefail
source "$(dirname "$0")/lib.sh"
CASE=$1
PORT=$2

# summary_field JSON PYTHON_EXPR: a value of the summary (s is the JSON).
summary_field() {
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}


# run_uac ARGS...: a UAC against the UAS; output in uac.out, code in EXIT_CODE.
run_uac() {
  start_bg uac "$SIPFLEET" "127.0.0.1:$PORT" -sn uac -p $((PORT + 1)) -i 127.0.0.1 -nostdin "$@"
  wait_exit "$uac_PID" 60
}

case $CASE in
  pass)
    start_uas "$PORT"
    run_uac -r 100 -m 60 -trace_stat -stf stat.csv -fd 1 -summary_json summary.json \
      -threshold 'rtd1.p99<5s' -threshold 'successful_calls.count>=60' \
      -threshold 'failed_calls.rate<1%' -threshold 'calls_per_s.mean>=1' \
      -threshold 'retransmissions.count==0'
    check_eq "$EXIT_CODE" 0 "exit code"
    check_eq "$(summary_field summary.json 's["verdict"]')" passed "verdict"
    check_eq "$(summary_field summary.json 'all(t["passed"] for t in s["thresholds"])')" True \
      "every threshold passed"
    check_grep "failed_calls.rate<1%  *0 %  *pass" uac.out "the table"
    check_eq "$(python3 "$(dirname "$0")/summary_vs_csv.py" summary.json stat.csv)" equal \
      "summary vs stat CSV"
    ;;
  fail)
    start_uas "$PORT"
    run_uac -r 100 -m 40 -summary_json summary.json -threshold 'rtd1.p99<1us' \
      -threshold 'failed_calls.count==0'
    check_eq "$EXIT_CODE" 98 "exit code"
    check_grep "rtd1.p99<1us .* FAIL (limit < 0.001 ms, off by" uac.out "the failing row"
    check_grep "failed_calls.count==0  *0  *pass" uac.out "the passing row"
    check_eq "$(summary_field summary.json '[s["verdict"], s["exit_code"], s["exit_reason"]]')" \
      "['failed', 98, 'thresholds failed']" "summary verdict"
    check_eq "$(summary_field summary.json '[t["passed"] for t in s["thresholds"]]')" \
      "[False, True]" "summary thresholds"
    ;;
  abort)
    start_uas "$PORT"
    # 20 calls/s for up to 2000 calls (100 s): the count passes 10 within the
    # first -f period, so the run ends then, not after 100 s.
    start=$(date +%s)
    run_uac -r 20 -m 2000 -summary_json summary.json -threshold 'successful_calls.count<10:abort' \
      -threshold 'rtd1.p99<5s'
    elapsed=$(($(date +%s) - start))
    check_eq "$EXIT_CODE" 98 "exit code"
    ((elapsed < 20)) || PROBLEMS+=("the run took ${elapsed}s: not aborted")
    check_eq "$(summary_field summary.json '[t["aborted_run"] for t in s["thresholds"]]')" \
      "[True, False]" "the aborting threshold"
    check_eq "$(summary_field summary.json 'int(s["merged"]["total_calls_created"]) < 200')" True \
      "calls placed before the abort"
    check_grep "successful_calls.count<10:abort .* FAIL (limit < 10" uac.out "the table"
    # SIGTERM (as Ctrl-C) mid-run: the summary is written all the same.
    start_bg uac "$SIPFLEET" "127.0.0.1:$PORT" -sn uac -p $((PORT + 1)) -i 127.0.0.1 -nostdin \
      -r 20 -m 2000 -summary_json interrupted.json -threshold 'successful_calls.count>=2000' \
      -metrics 127.0.0.1:$((PORT + 3))
    METRICS_PORT=$((PORT + 3))
    wait_tcp_port "$METRICS_PORT"
    wait_metric 'sipfleet_calls_total{result="successful"}' 5 20
    kill -TERM "$uac_PID"
    wait_exit "$uac_PID" 20
    check_eq "$(summary_field interrupted.json '[s["verdict"], s["exit_code"], s["thresholds"][0]["passed"]]')" \
      "['failed', 98, False]" "summary after SIGTERM"
    ;;
  bad_expression)
    run_uac -r 1 -m 1 -threshold 'rtd1.p99<<200ms'
    check_eq "$EXIT_CODE" 255 "exit code"
    check_grep "threshold 'rtd1.p99<<200ms': column 10: a number expected" uac.out "the error"
    run_uac -r 1 -m 1 -threshold 'rtd7.p99<1s'
    check_eq "$EXIT_CODE" 255 "exit code (unknown RTD)"
    check_grep "column 1: unknown metric 'rtd7'.*rtd1" uac.out "the error (unknown RTD)"
    # The master refuses it at once, before any agent comes (none will).
    start_bg master "$SIPFLEET_MASTER" -listen "127.0.0.1:$((PORT + 5))" -agents 2 -sn uac \
      127.0.0.1:$((PORT + 1)) -nostdin -threshold 'rtd1.p99<<200ms'
    wait_exit "$master_PID" 10
    check_eq "$EXIT_CODE" 255 "exit code (master)"
    check_grep "threshold 'rtd1.p99<<200ms': column 10: a number expected" master.out \
      "the error (master)"
    run_uac -r 1 -m 1 -metrics 127.0.0.1:http
    check_eq "$EXIT_CODE" 255 "exit code (bad -metrics)"
    check_grep "invalid value '127.0.0.1:http' for -metrics: \[host:\]port expected" uac.out \
      "the error (bad -metrics)"
    ;;
  *) fail "unknown case $CASE" ;;
esac
finish_checks
echo "PASS: $CASE"
