#!/usr/bin/env bash
# Headless Chromium (Debian's chromium, driven by playwright-core from npm)
# loads the HTML report and the live page: no console errors, the plots are
# drawn (canvas pixels, legends), screenshots kept in $ARTIFACT_DIR; with
# -web_control the pause button pauses the run, without it there are no
# buttons and a POST is refused. Usage: page_test.sh CASE BASE_PORT
set -euo pipefail
source "$(dirname "$0")/lib.sh"
CASE=$1
PORT=$2
CHECK=${PAGE_CHECK_DIR:?directory of page_check.mjs with node_modules}/page_check.mjs
NO_BROWSER=$(browser_missing)
[[ -z $NO_BROWSER ]] || skip "$NO_BROWSER"
ARTIFACTS=${ARTIFACT_DIR:-$WORKDIR}/results
mkdir -p "$ARTIFACTS"
WEB_PORT=$((PORT + 3))

start_uas "$PORT"
case $CASE in
  report)
    start_bg uac "$SIPFLEET" "127.0.0.1:$PORT" -sn uac -p $((PORT + 1)) -i 127.0.0.1 -nostdin \
      -r 100 -m 300 -report_html report.html -threshold 'rtd1.p99<5s'
    wait_exit "$uac_PID" 60
    check_eq "$EXIT_CODE" 0 "sipfleet exit code"
    node "$CHECK" report "$PWD/report.html" "$ARTIFACTS/report.png" >check.out 2>&1 || true
    cp report.html "$ARTIFACTS/report.html"
    ;;
  live_control | live_nocontrol)
    control=()
    [[ $CASE == live_control ]] && control=(-web_control)
    start_bg uac "$SIPFLEET" "127.0.0.1:$PORT" -sn uac -p $((PORT + 1)) -i 127.0.0.1 -nostdin \
      -cp $((PORT + 2)) -r 50 -m 100000 -web "127.0.0.1:$WEB_PORT" "${control[@]}"
    wait_tcp_port "$WEB_PORT"
    node "$CHECK" live "http://127.0.0.1:$WEB_PORT/" "$ARTIFACTS/$CASE.png" \
      "${CASE#live_}" >check.out 2>&1 || true
    printf q >/dev/udp/127.0.0.1/$((PORT + 2))
    wait_exit "$uac_PID" 30
    check_eq "$EXIT_CODE" 0 "sipfleet exit code"
    ;;
  *) fail "unknown case $CASE" ;;
esac
cat check.out
check_grep "^ok: " check.out "the page check"
finish_checks
echo "PASS: $CASE (screenshots in $ARTIFACTS)"
