#!/usr/bin/env bash
# The results outputs of sipfleet-master (issue 13): master + 2 UAC agents
# + a UAS agent write the summary and the report and serve /metrics and the
# live page. The summary's merged values equal the merged stat CSV's, its
# two agents add up to them, /metrics has merged and per-agent series, and
# headless Chromium renders both pages with the agents table.
# Usage: cluster_test.sh BASE_PORT (uses BASE..BASE+5)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
PORT=$1
METRICS_PORT=$((PORT + 3))
WEB_PORT=$((PORT + 4))
CHECK=${PAGE_CHECK_DIR:?}/page_check.mjs
ARTIFACTS=${ARTIFACT_DIR:-$WORKDIR}/results
mkdir -p "$ARTIFACTS"
NO_BROWSER=$(browser_missing)
browser=1
[[ -z $NO_BROWSER ]] || browser=0

start_cluster "$PORT" -r 100 -m 800 -trace_stat -stf stat.csv -fd 1 -summary_json summary.json \
  -report_html report.html -metrics "127.0.0.1:$METRICS_PORT" -web "127.0.0.1:$WEB_PORT" \
  -threshold 'rtd1.p99<5s' -threshold 'failed_calls.count==0'
wait_tcp_port "$WEB_PORT"
wait_metric 'sipfleet_calls_total{result="successful"}' 100 30
curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" >metrics.txt
if ((browser)); then
  EXPECT_AGENTS=2 node "$CHECK" live "http://127.0.0.1:$WEB_PORT/" "$ARTIFACTS/cluster_live.png" \
    nocontrol >live.out 2>&1 || true
fi
wait_exit "$uac_PID" 60
check_eq "$EXIT_CODE" 0 "master exit code"
check_eq "$(python3 "$(dirname "$0")/summary_vs_csv.py" summary.json stat.csv --agents 2)" equal \
  "summary vs merged stat CSV"
check_eq "$(python3 -c 'import json; s=json.load(open("summary.json")); print(s["program"], s["verdict"], [a["agent"] for a in s["agents"]], [t["passed"] for t in s["thresholds"]])')" \
  "sipfleet-master passed ['uac1', 'uac2'] [True, True]" "summary header"
for series in 'sipfleet_current_calls' 'sipfleet_current_calls{agent="uac1"}' \
  'sipfleet_current_calls{agent="uac2"}'; do
  [[ -n $(metric_value "$(cat metrics.txt)" "$series") ]] || PROBLEMS+=("/metrics has no $series")
done
check_grep 'sipfleet_response_time_seconds_bucket{agent="uac2",rtd="1",le="+Inf"}' metrics.txt \
  "per-agent histogram"
if ((browser)); then
  cat live.out
  check_grep "^ok: " live.out "the live page"
  EXPECT_AGENTS=2 node "$CHECK" report "$PWD/report.html" "$ARTIFACTS/cluster_report.png" \
    >report.out 2>&1 || true
  cat report.out
  check_grep "^ok: " report.out "the report"
  cp report.html summary.json "$ARTIFACTS/" 2>/dev/null || true
fi
finish_checks
# Without a browser only part of the test ran: say so through ctest's skip.
((browser)) || skip "$NO_BROWSER: the summary, CSV and /metrics checks passed," \
  "the page checks did not run"
echo "PASS: cluster results"
