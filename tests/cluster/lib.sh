# Shared by the cluster's cross-process tests (sourced, not run). Every
# process a test starts goes into PIDS and is killed on exit; every wait is
# bounded. A test with more to undo redefines cleanup() and calls
# kill_started from it.
DIR=$(mktemp -d)
PIDS=()
kill_started() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; }
cleanup() { kill_started; rm -rf "$DIR"; }
trap cleanup EXIT
# Says why, with the tail of every log of the test, and exits 1.
fail() {
  echo "FAIL: $*"
  for f in "$DIR"/*.err "$DIR"/*.out; do [ -s "$f" ] && { echo "== $f"; tail -20 "$f"; }; done
  exit 1
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# wait_for FILE PATTERN [SECONDS=10]: until FILE contains PATTERN.
wait_for() {
  local file=$1 pattern=$2 limit=${3:-10}
  for _ in $(seq 1 $((limit * 20))); do grep -q "$pattern" "$file" 2>/dev/null && return 0; sleep 0.05; done
  fail "timed out waiting for '$pattern' in $file"
}
# wait_pid PID SECONDS: waits for a PID this shell started; its exit code in RC.
wait_pid() {
  local pid=$1 limit=$2
  for _ in $(seq 1 $((limit * 20))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && fail "process $pid still running after ${limit}s"
  wait "$pid"; RC=$?
}
