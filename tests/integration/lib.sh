# Shared helpers for sipfleet's cross-process tests (sourced, not run).
# Every process a test starts is tracked by PID and killed on exit; every wait
# is bounded.
set -euo pipefail

SIPFLEET=${SIPFLEET:?path to the sipfleet binary}
WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/sipfleet-test.XXXXXX")
cd "$WORKDIR"
STARTED_PIDS=()

cleanup() {
  for pid in "${STARTED_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  if [[ ${KEEP_WORKDIR:-0} == 0 ]]; then rm -rf "$WORKDIR"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
# skip REASON: ctest counts the test as skipped (SKIP_RETURN_CODE 77).
skip() { echo "SKIP: $*" >&2; exit 77; }

# start_bg NAME CMD...: runs CMD in the background, output in NAME.out.
start_bg() {
  local name=$1; shift
  "$@" >"$name.out" 2>&1 &
  local pid=$!
  STARTED_PIDS+=("$pid")
  eval "${name}_PID=$pid"
}

# wait_port u|t PORT: until something listens on UDP/TCP PORT (at most 10 s).
wait_port() {
  local proto=$1 port=$2
  for _ in $(seq 1 200); do
    if ss -H "-${proto}ln" "sport = :$port" | grep -q .; then return 0; fi
    sleep 0.05
  done
  fail "nothing listens on $([[ $proto == u ]] && echo UDP || echo TCP) port $port"
}
wait_udp_port() { wait_port u "$1"; }
wait_tcp_port() { wait_port t "$1"; }

# wait_exit PID SECONDS: waits for a started PID; sets EXIT_CODE. (Not for
# use inside $(...): only the shell that started a process can wait for it.)
wait_exit() {
  local pid=$1 limit=$2 waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= limit * 20)); then
      kill -9 "$pid" 2>/dev/null || true
      fail "process $pid still running after ${limit}s"
    fi
    sleep 0.05
    waited=$((waited + 1))
  done
  EXIT_CODE=0
  wait "$pid" || EXIT_CODE=$?
}

# csv_last COLUMN FILE: the COLUMN-th ';' field of the last row.
csv_last() { tail -n 1 "$2" | cut -d';' -f"$1"; }

# csv_column_index NAME FILE: 1-based index of a header column.
csv_column_index() {
  head -n 1 "$2" | tr ';' '\n' | grep -n -x -F "$1" | head -n 1 | cut -d: -f1
}

csv_value() {
  local idx
  idx=$(csv_column_index "$1" "$2")
  [[ -n $idx ]] || fail "column $1 missing in $2"
  csv_last "$idx" "$2"
}

expect_eq() {
  [[ "$1" == "$2" ]] || fail "$3: expected '$2', got '$1'"
}

# Several checks per case are reported together, so one run shows them all.
PROBLEMS=()
check_eq() { [[ "$1" == "$2" ]] || PROBLEMS+=("$3: expected '$2', got '$1'"); }
check_grep() { grep -q -- "$1" "$2" || PROBLEMS+=("$3: '$1' not in $2: $(tail -n 5 "$2")"); }
finish_checks() {
  ((${#PROBLEMS[@]} == 0)) && return 0
  printf 'FAIL: %s\n' "${PROBLEMS[@]}" >&2
  exit 1
}
