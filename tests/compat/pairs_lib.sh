# Shared by the compat pair runners (conformance_test.sh, users_test.sh):
# a PAIRS array of "name|..." lines, their servers' readiness and one
# server-then-client run.

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

# run_server_then_client TAG CLIENT_BIN SERVER_BIN SERVER_PORT: starts
# SERVER_BIN with the caller's sargs array, and once it listens on
# SERVER_PORT, CLIENT_BIN with cargs; each bounded by P_TIMEOUT + 10 s, output
# in TAG.server.out / TAG.client.out. Writes "CLIENT_RC SERVER_RC" to TAG.rc
# ("none SERVER_RC" when the server never listened).
run_server_then_client() {
  local tag=$1 cbin=$2 sbin=$3 sport=$4
  local limit=$((P_TIMEOUT + 10))
  timeout -sKILL "$limit" "$sbin" "${sargs[@]}" >"$tag.server.out" 2>&1 </dev/null &
  local spid=$!
  if ! wait_udp "$sport" "$spid"; then
    local src=0
    wait "$spid" || src=$?
    echo "none $src" >"$tag.rc"
    return
  fi
  timeout -sKILL "$limit" "$cbin" "${cargs[@]}" >"$tag.client.out" 2>&1 </dev/null &
  local cpid=$! crc=0 src=0
  wait "$cpid" || crc=$?
  wait "$spid" || src=$?
  echo "$crc $src" >"$tag.rc"
}
