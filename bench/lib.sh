# Process bookkeeping shared by the bench scripts (sourced). Every process a
# script starts goes into PIDS (its timeout wrapper); on exit only those that
# are still our children are stopped, with their descendants, by PID.
PIDS=()
kill_tree() {                      # a process and its descendants, deepest first, by PID
    local c; for c in $(pgrep -P "$1" || true); do kill_tree "$c"; done
    kill "$1" 2>/dev/null || true
}
cleanup() {                        # only PIDs that are still our children (no reused PID)
    local p; for p in "${PIDS[@]}"; do
        [[ $(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ') == "$$" ]] && kill_tree "$p"
    done; wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP      # the UACs run in the background, so a signal stops us at once

# Reading a held-calls run (memory_per_call.sh, memory_pair.sh).
child_of() {                       # PID of the process a `timeout` wrapper runs
    local c=""
    for _ in $(seq 100); do
        c=$(cat "/proc/$1/task/$1/children" 2>/dev/null || true); [[ -n $c ]] && break; sleep 0.05
    done
    echo "${c%% *}"
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
current_calls() { tail -n 1 "$1" | awk -F';' 'NR==1 && $14 ~ /^[0-9]+$/ {print $14}'; }
