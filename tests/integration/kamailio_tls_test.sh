#!/usr/bin/env bash
# shellcheck disable=SC2154  # the NAME_PID variables come from lib.sh's start_bg
# sipfleet's TLS client against real TLS servers, not just sipfleet itself.
# Usage: kamailio_tls_test.sh CASE BASE_PORT
#   l1        kamailio (tls module) proxies CALLS calls over one TLS connection
#             (-t l1) to a sipfleet UAS on UDP: every call succeeds on both
#             sides, every INVITE/ACK/BYE reached kamailio over TLS.
#   ln        the same with one TLS connection per call (-t ln).
#   wrong_ca  the client trusts another CA (-tls_ca other-ca.pem): every call
#             fails as FailedTcpConnect, exit 1, TlsVerifyFailures counted,
#             nothing reaches the UAS; kamailio stays up and then relays a
#             call from a client trusting the right CA.
#   s_server  handshake only, against `openssl s_server`: the handshake
#             completes (verified against ca.pem) and the INVITE arrives over
#             it. s_server does not speak SIP, so the call itself cannot
#             succeed; the client is bounded with -recv_timeout 4s.
# Ports (127.0.0.1): kamailio TLS (TCP) and UDP on BASE_PORT, the UAS on UDP
# BASE_PORT+1; s_server on TCP BASE_PORT.
# Env: SIPFLEET, SIPFLEET_TEST_CA (what ctest passes); KAMAILIO_BIN,
#      KAMAILIO_MODULES, KAMAILIO_TEST_TIMEOUT (whole-test limit, default 100 s),
#      KAMAILIO_TLS_CALLS (calls in l1/ln, default 20), KEEP_WORKDIR=1.

# The whole test runs under timeout(1): on expiry the test's processes get
# SIGTERM and the EXIT trap still cleans up.
if [[ -z ${KAMAILIO_TLS_TEST_INNER:-} ]]; then
  export KAMAILIO_TLS_TEST_INNER=1
  exec timeout -k 5 "${KAMAILIO_TEST_TIMEOUT:-100}" bash "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/kamailio
case_name=${1:?usage: kamailio_tls_test.sh CASE BASE_PORT}
base_port=${2:?usage: kamailio_tls_test.sh CASE BASE_PORT}

abs_bin() {  # abs_bin PATH: absolute path (lib.sh changes directory)
  [[ -x $1 ]] || { echo "FAIL: $1 is not an executable" >&2; exit 1; }
  echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
}
SIPFLEET=$(abs_bin "${SIPFLEET:?path to the sipfleet binary}") || exit 1
SIPFLEET_TEST_CA=$(abs_bin "${SIPFLEET_TEST_CA:?path to sipfleet_test_ca}") || exit 1
export SIPFLEET SIPFLEET_TEST_CA

source "$HERE/lib.sh"
trap 'exit 143' TERM
trap 'exit 130' INT

host=127.0.0.1
kam_port=$base_port
uas_port=$((base_port + 1))
calls=${KAMAILIO_TLS_CALLS:-20}

# --- kamailio -----------------------------------------------------------------
KAMAILIO=${KAMAILIO_BIN:-kamailio}
source "$HERE/kamailio_lib.sh"

start_kamailio() {
  command -v "$KAMAILIO" >/dev/null || fail "kamailio is not installed (scripts/install-deps.sh installs it)"
  local modules
  modules=$(find_modules)
  [[ -f $modules/tls.so ]] || fail "kamailio's tls module is missing from $modules (package kamailio-tls-modules)"
  cp "$DATA/tls_kamailio.cfg" "$DATA/tls.cfg" .
  mkdir -p run
  start_bg kamailio "$KAMAILIO" -DD -E -f "$WORKDIR/tls_kamailio.cfg" -L "$modules" -Y "$WORKDIR/run" \
    -P "$WORKDIR/run/kamailio.pid" -w "$WORKDIR" -m 32 -M 8 -n 2 \
    -l "tls:$host:$kam_port" -l "udp:$host:$kam_port" -A "UAS_URI=\"sip:$host:$uas_port\""
  # Ready when both sockets are bound and the pid file written; gives up early
  # if kamailio exits (bad config, TLS setup error, port in use).
  local ready=0
  for _ in $(seq 1 200); do
    kill -0 "$kamailio_PID" 2>/dev/null || fail "kamailio exited during startup"
    if [[ -s run/kamailio.pid ]] && ss -H -tln "sport = :$kam_port" | grep -q "$host:$kam_port" &&
      ss -H -uln "sport = :$kam_port" | grep -q "$host:$kam_port"; then
      ready=1
      break
    fi
    sleep 0.05
  done
  ((ready)) || fail "kamailio does not listen on tls/udp $host:$kam_port"
  echo "$("$KAMAILIO" -v | head -n 1 | cut -d' ' -f2- | sed 's/ *$//') ready on tls:$host:$kam_port (pid $kamailio_PID)"
}

on_exit() {
  local rc=$?
  stop_kamailio
  if ((rc != 0)); then
    for f in kamailio.out uas.out uac*.out s_server.out; do
      [[ -f $f ]] || continue
      echo "----- $f (last 40 lines) -----" >&2
      tail -n 40 "$f" >&2
    done
  fi
  cleanup
  exit "$rc"
}
trap on_exit EXIT

# make_ca: a CA, an intermediate, server and client chains (sipfleet_test_ca).
make_ca() {
  "$SIPFLEET_TEST_CA" pki >ca.out 2>&1 || fail "test CA: $(cat ca.out)"
}

# start_uas N: the sipfleet UAS behind kamailio, UDP, N calls.
start_uas() {
  start_bg uas "$SIPFLEET" -sn uas -i "$host" -p "$uas_port" -m "$1" -nostdin \
    -timeout 60 -trace_stat -stf uas.csv
  wait_udp_port "$uas_port"
}

# run_uac NAME TRANSPORT N CA [args]: a bounded client run toward kamailio
# (stats in NAME.csv, output in NAME.out); sets EXIT_CODE.
run_uac() {
  local name=$1 t=$2 n=$3 ca=$4; shift 4
  start_bg "$name" "$SIPFLEET" "$host:$kam_port" -sn uac -t "$t" -i "$host" -m "$n" -r 20 \
    -tls_ca "pki/$ca.pem" -nostdin -trace_stat -stf "$name.csv" -timeout 30 "$@"
  local pid_var="${name}_PID"
  wait_exit "${!pid_var}" 45
  [[ -s $name.csv ]] || fail "$name: no statistics file $name.csv (exit code $EXIT_CODE)"
  echo "$name (-t $t, -tls_ca pki/$ca.pem): exit $EXIT_CODE," \
    "SuccessfulCall(C)=$(csv_value 'SuccessfulCall(C)' "$name.csv")," \
    "FailedCall(C)=$(csv_value 'FailedCall(C)' "$name.csv")"
}

# check_uac_passed NAME N: exit 0, N successful calls, none failed, no TLS trouble.
check_uac_passed() {
  check_eq "$EXIT_CODE" 0 "$1 exit code ($(tail -n 3 "$1.out" | tr '\n' ' '))"
  check_eq "$(csv_value 'SuccessfulCall(C)' "$1.csv")" "$2" "$1 SuccessfulCall(C)"
  check_eq "$(csv_value 'FailedCall(C)' "$1.csv")" 0 "$1 FailedCall(C)"
  if grep -q -E 'Tls(Verify|Handshake)Failures=[1-9]' "$1.out"; then
    PROBLEMS+=("$1: TLS failures: $(grep 'transport:' "$1.out")")
  fi
}

# check_uas_passed N: the UAS exits 0 having seen N calls, all complete (its
# scenario ends with ACK and BYE, so these came through kamailio too).
check_uas_passed() {
  wait_exit "$uas_PID" 30
  check_eq "$EXIT_CODE" 0 "UAS exit code ($(tail -n 3 uas.out | tr '\n' ' '))"
  check_eq "$(csv_value 'IncomingCall(C)' uas.csv)" "$1" "UAS IncomingCall(C)"
  check_eq "$(csv_value 'SuccessfulCall(C)' uas.csv)" "$1" "UAS SuccessfulCall(C)"
  check_eq "$(csv_value 'FailedCall(C)' uas.csv)" 0 "UAS FailedCall(C)"
}

# relayed METHOD: kamailio's count of METHOD requests relayed that came over TLS.
relayed() { grep -c -E "RELAY $1 over tls from $host:[0-9]+ \(TLSv1\.[23] " kamailio.out || true; }

# check_kamailio_relayed N: kamailio relayed at least N INVITEs, ACKs and BYEs
# that reached it over TLS 1.2+ (more on a retransmission).
check_kamailio_relayed() {
  local m got
  for m in INVITE ACK BYE; do
    got=$(relayed "$m")
    ((got >= $1)) || PROBLEMS+=("kamailio relayed $got ${m}s received over TLS, expected $1")
  done
  echo "kamailio relayed over TLS: $(relayed INVITE) INVITE, $(relayed ACK) ACK, $(relayed BYE) BYE" \
    "($(grep -o -m 1 -E 'TLSv1\.[23] [^)]*' kamailio.out || echo 'no TLS parameters logged'))"
}

# tls_connections: the distinct client TLS connections (source ports) kamailio
# relayed requests from.
tls_connections() {
  { grep -o -E "RELAY [A-Z]+ over tls from $host:[0-9]+ " kamailio.out || true; } |
    cut -d' ' -f3- | sort -u | wc -l
}

# check_kamailio_healthy: running, and no memory-corruption report or dead
# worker in its log (see tcp_children in tls_kamailio.cfg).
check_kamailio_healthy() {
  kill -0 "$kamailio_PID" 2>/dev/null || PROBLEMS+=("kamailio died: $(tail -n 5 kamailio.out)")
  if grep -q -E 'BUG:|exited by a signal' kamailio.out; then
    PROBLEMS+=("kamailio reports: $(grep -m 3 -E 'BUG:|exited by a signal' kamailio.out)")
  fi
}

case $case_name in
  l1 | ln)
    make_ca
    start_kamailio
    start_uas "$calls"
    run_uac uac "$case_name" "$calls" ca
    check_uac_passed uac "$calls"
    check_uas_passed "$calls"
    check_kamailio_relayed "$calls"
    # ln: one connection per call. l1: one shared connection per client
    # worker (sipfleet runs -workers N engines, each with its own l1
    # connection; the summary line names N).
    connections=$(tls_connections)
    workers=$(grep -o -E '[0-9]+ workers' uac.out | head -n 1 | cut -d' ' -f1)
    echo "client TLS connections seen by kamailio: $connections (client workers: ${workers:-?})"
    if [[ $case_name == ln ]]; then
      check_eq "$connections" "$calls" "TLS connections for -t ln"
    elif [[ -z $workers ]] || ((connections < 1 || connections > workers)); then
      PROBLEMS+=("TLS connections for -t l1: $connections, expected 1..${workers:-?} (one per worker)")
    fi
    check_kamailio_healthy
    finish_checks
    ;;
  wrong_ca)
    make_ca
    start_kamailio
    start_uas 1
    wrong_calls=5
    run_uac uac_wrong ln "$wrong_calls" other-ca
    check_eq "$EXIT_CODE" 1 "uac_wrong exit code ($(tail -n 3 uac_wrong.out | tr '\n' ' '))"
    check_eq "$(csv_value 'SuccessfulCall(C)' uac_wrong.csv)" 0 "uac_wrong SuccessfulCall(C)"
    check_eq "$(csv_value 'FailedCall(C)' uac_wrong.csv)" "$wrong_calls" "uac_wrong FailedCall(C)"
    check_eq "$(csv_value 'FailedTcpConnect(C)' uac_wrong.csv)" "$wrong_calls" "uac_wrong FailedTcpConnect(C)"
    check_grep "TlsVerifyFailures=$wrong_calls" uac_wrong.out "verify failures counted"
    check_grep "first transport error: .*certificate verify failed" uac_wrong.out "the reason is shown"
    kill -0 "$kamailio_PID" 2>/dev/null || PROBLEMS+=("kamailio died: $(tail -n 5 kamailio.out)")
    check_eq "$(relayed INVITE)" 0 "INVITEs relayed by kamailio from the client trusting another CA"
    # kamailio still serves: one call from a client trusting the right CA.
    run_uac uac_right l1 1 ca
    check_uac_passed uac_right 1
    check_uas_passed 1
    check_kamailio_healthy
    # kamailio's side: the client aborted each handshake with an alert.
    check_eq "$(grep -c -E 'TLS accept:.*alert unknown ca' kamailio.out || true)" \
      "$wrong_calls" "kamailio's 'alert unknown ca' handshake errors"
    finish_checks
    ;;
  s_server)
    command -v openssl >/dev/null || fail "the openssl command is not installed"
    make_ca
    # s_server quits at the end of its standard input: give it a FIFO this
    # shell keeps open (read-write, so opening it does not block).
    mkfifo s_server.in
    exec 3<>s_server.in
    # -cert loads only the leaf; the intermediate goes with -cert_chain.
    timeout 30 openssl s_server -accept "$host:$kam_port" -cert pki/server.pem \
      -cert_chain pki/intermediate.pem -key pki/server-key.pem -naccept 1 <&3 >s_server.out 2>&1 &
    s_server_PID=$!
    STARTED_PIDS+=("$s_server_PID")
    wait_tcp_port "$kam_port"
    # One worker: every l1 worker opens its connection when the run starts,
    # and s_server (-naccept 1) serves only the first it accepts; with two,
    # the INVITE went half the time to the connection left in its backlog.
    start_bg uac "$SIPFLEET" "$host:$kam_port" -sn uac -t l1 -i "$host" -m 1 -tls_ca pki/ca.pem \
      -nostdin -trace_stat -stf uac.csv -recv_timeout 4s -workers 1
    wait_exit "$uac_PID" 20
    echo "uac: exit $EXIT_CODE; $(tail -n 1 uac.out)"
    # The client closed its connection on exit; with -naccept 1 s_server ends.
    wait_exit "$s_server_PID" 10
    check_grep '^CIPHER is ' s_server.out "s_server completed a handshake"
    check_grep '1 server accepts that finished' s_server.out "s_server counted the finished handshake"
    check_grep "^INVITE sip:service@$host:$kam_port SIP/2.0" s_server.out "the INVITE arrived over TLS"
    check_grep '^Via: SIP/2.0/TLS ' s_server.out "the INVITE's Via names TLS"
    check_grep '^Call-ID: ' s_server.out "the INVITE's headers arrived"
    check_grep '^a=rtpmap:0 PCMU/8000' s_server.out "the INVITE's body arrived"
    if grep -q -E 'Tls(Verify|Handshake)Failures=[1-9]|certificate verify failed' uac.out; then
      PROBLEMS+=("the client reports TLS failures: $(grep -E 'transport|verify' uac.out)")
    fi
    echo "s_server: $(grep -m 1 '^CIPHER is' s_server.out || echo 'no handshake')"
    finish_checks
    ;;
  *)
    fail "unknown case $case_name"
    ;;
esac
echo "PASS: kamailio_tls $case_name"
