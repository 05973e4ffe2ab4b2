#!/usr/bin/env bash
# A real Prometheus (Debian's prometheus, started here on loopback with a
# scrape config written here) scrapes sipfleet's /metrics ("standalone") or
# sipfleet-master's ("cluster": master + 2 UAC agents + a UAS agent);
# histogram_quantile(0.99) over the exported RTD buckets of the merged
# series lies in the same bucket as the summary's merged p99.
# Usage: prometheus_test.sh standalone|cluster BASE_PORT (uses BASE..BASE+5)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MODE=$1
PORT=$2
command -v prometheus >/dev/null || skip "prometheus is not installed (scripts/install-deps.sh)"
METRICS_PORT=$((PORT + 3))
PROM_PORT=$((PORT + 4))

# The run under test; its PID in uac_PID, its control socket on PORT+2.
if [[ $MODE == standalone ]]; then
  start_uas "$PORT"
  start_bg uac "$SIPFLEET" "127.0.0.1:$PORT" -sn uac -p $((PORT + 1)) -i 127.0.0.1 -nostdin \
    -cp $((PORT + 2)) -r 200 -m 100000 -metrics "127.0.0.1:$METRICS_PORT" -summary_json summary.json
else
  start_cluster "$PORT" -r 200 -m 100000 -metrics "127.0.0.1:$METRICS_PORT" \
    -summary_json summary.json
fi
wait_tcp_port "$METRICS_PORT"

cat >prometheus.yml <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: sipfleet
    static_configs:
      - targets: ['127.0.0.1:$METRICS_PORT']
YML
start_bg prom prometheus --config.file=prometheus.yml --web.listen-address="127.0.0.1:$PROM_PORT" \
  --storage.tsdb.path=tsdb --log.level=warn
wait_tcp_port "$PROM_PORT"

# Some load, then pause (SIPp's p on the control socket) so the figures
# stop moving while Prometheus catches up.
wait_metric 'sipfleet_calls_total{result="successful"}' 300 30
printf p >/dev/udp/127.0.0.1/$((PORT + 2))
frozen=$(wait_frozen_metrics 20)
total=$(metric_value "$frozen" 'sipfleet_calls_total{result="successful"}')
# The merged series are those without an agent label.
wait_prometheus 'sipfleet_calls_total{result="successful",agent=""}' "$total" 30
quantile=$(prom_query 'histogram_quantile(0.99, sipfleet_response_time_seconds_bucket{rtd="1",agent=""})')
bounds=$(grep -o 'sipfleet_response_time_seconds_bucket{rtd="1",le="[0-9.]*"}' <<<"$frozen" |
  sed 's/.*le="\([0-9.]*\)"}/\1/' | tr '\n' ' ')

printf q >/dev/udp/127.0.0.1/$((PORT + 2))
wait_exit "$uac_PID" 30
check_eq "$EXIT_CODE" 0 "exit code"
if [[ $MODE == cluster ]]; then
  # Each agent's series carry its name; both UAC agents are there.
  for agent in uac1 uac2; do
    [[ -n $(metric_value "$frozen" "sipfleet_calls_total{agent=\"$agent\",result=\"successful\"}") ]] ||
      PROBLEMS+=("no series for agent $agent")
  done
fi
result=$(python3 - summary.json "$quantile" "$bounds" "$total" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
quantile, bounds, total = float(sys.argv[2]), [float(b) for b in sys.argv[3].split()], sys.argv[4]
p99 = s['merged']['response_times'][0]['p99_ms'] / 1000
bad = []
if s['merged']['counters']['SuccessfulCall'] != total:
    bad.append(f"summary has {s['merged']['counters']['SuccessfulCall']} calls, Prometheus {total}")
upper = next(i for i, b in enumerate(bounds) if p99 <= b)
lower = bounds[upper - 1] if upper > 0 else 0
if not lower <= quantile <= bounds[upper]:
    bad.append(f'histogram_quantile {quantile} s outside the bucket ({lower}, {bounds[upper]}] '
               f'of the summary p99 {p99} s')
print('; '.join(bad) or f'ok: p99 {p99} s, histogram_quantile {quantile} s, bucket ({lower}, {bounds[upper]}]')
PY
)
echo "$result"
[[ $result == ok:* ]] || PROBLEMS+=("$result")
finish_checks
echo "PASS: prometheus $MODE"
