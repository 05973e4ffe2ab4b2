# Helpers of the results tests (sourced): tests/integration/lib.sh plus
# HTTP polling of /metrics and Prometheus. Every wait is bounded.
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

# skip REASON: ctest's SKIP_RETURN_CODE.
skip() { echo "SKIP: $*"; exit 77; }

# browser_missing: why the page checks cannot run here (no chromium, or no
# playwright-core beside page_check.mjs); nothing when they can.
browser_missing() {
  [[ -x ${CHROMIUM:-/usr/bin/chromium} ]] ||
    { echo "chromium is not installed (scripts/install-deps.sh)"; return 0; }
  [[ -d ${PAGE_CHECK_DIR:-}/node_modules/playwright-core ]] ||
    echo "playwright-core missing in ${PAGE_CHECK_DIR:-}"
}

# start_uas PORT: a sipfleet UAS on loopback.
start_uas() {
  start_bg uas "$SIPFLEET" -sn uas -p "$1" -nostdin -i 127.0.0.1
  wait_udp_port "$1"
}

# metric_value TEXT SERIES: the value of SERIES (name with labels, exactly
# as exposed) in the exposition TEXT; empty if absent.
metric_value() { awk -v series="$2" '$1 == series { print $2; exit }' <<<"$1"; }

# wait_metric SERIES MIN SECONDS: until SERIES on $METRICS_PORT is >= MIN.
wait_metric() {
  local value
  for _ in $(seq 1 $(($3 * 10))); do
    value=$(metric_value "$(curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" || true)" "$1")
    if [[ -n $value ]] && ((value >= $2)); then return 0; fi
    sleep 0.1
  done
  fail "$1 stayed below $2 (last: ${value:-none})"
}

# wait_frozen_metrics SECONDS: prints /metrics once it shows no call open
# and the same calls total on two reads a -f period (1 s) apart.
wait_frozen_metrics() {
  local before="" now
  for _ in $(seq 1 "$1"); do
    now=$(curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" || true)
    if [[ $(metric_value "$now" sipfleet_current_calls) == 0 && -n $before &&
      $(metric_value "$now" 'sipfleet_calls_total{result="successful"}') == \
      $(metric_value "$before" 'sipfleet_calls_total{result="successful"}') ]]; then
      echo "$now"
      return 0
    fi
    before=$now
    sleep 1.1
  done
  fail "the metrics kept moving after the pause"
}

# prom_query EXPR: the value of an instant query to the Prometheus on
# $PROM_PORT (first result), or empty.
prom_query() {
  curl -sf --get "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}

# wait_prometheus EXPR VALUE SECONDS: until Prometheus answers EXPR with VALUE.
wait_prometheus() {
  local got
  for _ in $(seq 1 $(($3 * 4))); do
    got=$(prom_query "$1" || true)
    [[ $got == "$2" ]] && return 0
    sleep 0.25
  done
  fail "Prometheus: $1 = '${got}', expected $2"
}

# start_cluster PORT OPTIONS...: sipfleet-master (listening on PORT, SIP
# remote PORT+1, control socket PORT+2, PID in uac_PID) running -sn uac with
# OPTIONS over two UAC agents (uac1, uac2) and one UAS agent (uas1), all on
# loopback. Needs SIPFLEET_MASTER and SIPFLEET_AGENT.
start_cluster() {
  local port=$1; shift
  start_bg uac "$SIPFLEET_MASTER" -listen "127.0.0.1:$port" -agents uas1,uac1,uac2 \
    -uas_agents uas1 -sn uac "127.0.0.1:$((port + 1))" -cp $((port + 2)) -nostdin "$@"
  for _ in $(seq 1 200); do grep -q "listening on port" uac.out && break; sleep 0.05; done
  local name
  for name in uas1 uac1 uac2; do
    start_bg "agent_$name" "$SIPFLEET_AGENT" -master "127.0.0.1:$port" -name "$name"
  done
}
