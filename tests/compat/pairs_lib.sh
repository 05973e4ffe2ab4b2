# Shared by the compat pair runners (conformance_test.sh, users_test.sh):
# a PAIRS array of "name|..." lines and their servers' readiness.

# list_pairs: the name of every PAIRS line, one per line.
list_pairs() {
  local p
  for p in "${PAIRS[@]}"; do echo "${p%%|*}"; done
}

# wait_udp PORT PID: until PORT listens (5 s) or PID died.
wait_udp() {
  local port=$1 pid=$2 i
  for ((i = 0; i < 100; i++)); do
    ss -H -uln "sport = :$port" 2>/dev/null | grep -q . && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
