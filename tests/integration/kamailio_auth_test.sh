#!/usr/bin/env bash
# Digest authentication end to end against a real kamailio on loopback.
# Usage: kamailio_auth_test.sh BASE_PORT [CLIENT]
#   BASE_PORT: kamailio listens on BASE_PORT, the client binds BASE_PORT+1,
#              the UAS behind the proxy BASE_PORT+2 (all 127.0.0.1, UDP).
#   CLIENT:    the SIPp-compatible client under test; default $SIPFLEET_CLIENT,
#              else $SIPFLEET (what ctest passes). "sipp" runs real SIPp.
# Env: KAMAILIO_UAS     binary for the UAS behind the proxy (default: CLIENT)
#      KAMAILIO_BIN     kamailio binary (default: kamailio in PATH)
#      KAMAILIO_MODULES kamailio modules dir (default: found under /usr/lib)
#      KAMAILIO_TEST_TIMEOUT whole-test limit in seconds (default 100)
#      KAMAILIO_TRACE=1 adds -trace_msg -trace_err to the clients (use with KEEP_WORKDIR=1)
# Steps (each client run: 5 calls, CSV users from kamailio/*.csv via -inf):
#   1. REGISTER with wrong passwords   -> exit 1, 5 failed calls (403)
#   2. REGISTER with right passwords   -> exit 0, 5 successful calls (401 then 200)
#   3. INVITE with wrong passwords     -> exit 1, 5 failed calls (403), UAS untouched
#   4. INVITE with right passwords     -> exit 0, 5 successful calls (407, then
#      relayed to the UAS, ACK/BYE through the Record-Route); the UAS sees 5 calls
# kamailio only accepts INVITEs from registered callers, so step 4 also checks step 2.

# The whole test runs under timeout(1): on expiry the test's process group gets
# SIGTERM (kamailio and the clients included) and the EXIT trap still cleans up.
if [[ -z ${KAMAILIO_AUTH_TEST_INNER:-} ]]; then
  export KAMAILIO_AUTH_TEST_INNER=1
  exec timeout -k 5 "${KAMAILIO_TEST_TIMEOUT:-100}" bash "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/kamailio
base_port=${1:?usage: kamailio_auth_test.sh BASE_PORT [CLIENT]}
client=${2:-${SIPFLEET_CLIENT:-${SIPFLEET:-}}}
[[ -n $client ]] || { echo "FAIL: no client: pass CLIENT, SIPFLEET_CLIENT or SIPFLEET" >&2; exit 1; }

resolve_bin() {  # resolve_bin NAME_OR_PATH: absolute path (lib.sh changes directory)
  if [[ $1 == */* ]]; then
    [[ -x $1 ]] || { echo "FAIL: $1 is not an executable" >&2; exit 1; }
    echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  else
    command -v "$1" || { echo "FAIL: $1 not found in PATH" >&2; exit 1; }
  fi
}
CLIENT=$(resolve_bin "$client") || exit 1
UAS=$(resolve_bin "${KAMAILIO_UAS:-$client}") || exit 1
export SIPFLEET=${SIPFLEET:-$CLIENT}

source "$HERE/lib.sh"
trap 'exit 143' TERM
trap 'exit 130' INT

kam_port=$base_port
client_port=$((base_port + 1))
uas_port=$((base_port + 2))
calls=5
KAMAILIO=${KAMAILIO_BIN:-kamailio}
command -v "$KAMAILIO" >/dev/null || fail "kamailio is not installed (scripts/install-deps.sh installs it)"

source "$HERE/kamailio_lib.sh"
MODULES=$(find_modules)
on_exit() {
  local rc=$?
  stop_kamailio
  if ((rc != 0)); then
    for f in kamailio.out uas.out *_client.out; do
      [[ -f $f ]] || continue
      echo "----- $f (last 40 lines) -----" >&2
      tail -n 40 "$f" >&2
    done
  fi
  cleanup
  exit "$rc"
}
trap on_exit EXIT

# --- kamailio -----------------------------------------------------------------
cp "$DATA/kamailio.cfg" kamailio.cfg
# The user table: users.csv (user;password;) becomes htable entries.
awk -F';' 'NR > 1 && $1 != "" {
    if ($1 ~ /[^A-Za-z0-9._-]/ || $2 ~ /["\\$]/) { print "bad user line " NR > "/dev/stderr"; exit 1 }
    printf "\t$sht(users=>%s) = \"%s\";\n", $1, $2
  }
  BEGIN { print "event_route[htable:mod-init] {" }
  END { print "}" }' "$DATA/users.csv" >users.cfg || fail "cannot build users.cfg from users.csv"
mkdir -p run
start_bg kamailio "$KAMAILIO" -DD -E -f "$WORKDIR/kamailio.cfg" -L "$MODULES" -Y "$WORKDIR/run" \
  -P "$WORKDIR/run/kamailio.pid" -w "$WORKDIR" -m 32 -M 4 -n 2 \
  -l "udp:127.0.0.1:$kam_port" -A "UAS_URI=\"sip:127.0.0.1:$uas_port\""

# Ready when its UDP socket is bound and its pid file written (both happen
# before it serves); gives up early if kamailio exits (bad config, port in use).
for _ in $(seq 1 200); do
  kill -0 "$kamailio_PID" 2>/dev/null || fail "kamailio exited during startup"
  if [[ -s run/kamailio.pid ]] && ss -H -uln "sport = :$kam_port" | grep -q "127.0.0.1:$kam_port"; then
    break
  fi
  sleep 0.05
done
ss -H -uln "sport = :$kam_port" | grep -q "127.0.0.1:$kam_port" || fail "kamailio does not listen on 127.0.0.1:$kam_port"
echo "$("$KAMAILIO" -v | head -n 1 | cut -d' ' -f2- | sed 's/ *$//') ready on 127.0.0.1:$kam_port (pid $kamailio_PID)"

# --- clients ------------------------------------------------------------------
trace_args=()
[[ ${KAMAILIO_TRACE:-0} == 1 ]] && trace_args=(-trace_msg -trace_err)

# run_client NAME SCENARIO CSV: one bounded client run; sets EXIT_CODE; stats in NAME.csv.
run_client() {
  local name=$1 scenario=$2 csv=$3
  rm -f "$name.csv"
  start_bg "${name}_client" "$CLIENT" "127.0.0.1:$kam_port" -sf "$DATA/$scenario" -inf "$DATA/$csv" \
    -i 127.0.0.1 -p "$client_port" -m "$calls" -r 10 -l "$calls" -nostdin \
    -timeout 20s -timeout_error -trace_stat -stf "$name.csv" "${trace_args[@]}"
  local pid_var="${name}_client_PID"
  wait_exit "${!pid_var}" 30
  [[ -s $name.csv ]] || fail "$name: no statistics file $name.csv (exit code $EXIT_CODE)"
  echo "$name: exit $EXIT_CODE, SuccessfulCall(C)=$(csv_value 'SuccessfulCall(C)' "$name.csv")," \
    "FailedCall(C)=$(csv_value 'FailedCall(C)' "$name.csv")"
}

expect_all_failed() {  # expect_all_failed NAME
  expect_eq "$EXIT_CODE" 1 "$1: client exit code"
  expect_eq "$(csv_value 'SuccessfulCall(C)' "$1.csv")" 0 "$1: SuccessfulCall(C)"
  expect_eq "$(csv_value 'FailedCall(C)' "$1.csv")" "$calls" "$1: FailedCall(C)"
}

expect_all_passed() {  # expect_all_passed NAME
  expect_eq "$EXIT_CODE" 0 "$1: client exit code"
  expect_eq "$(csv_value 'SuccessfulCall(C)' "$1.csv")" "$calls" "$1: SuccessfulCall(C)"
  expect_eq "$(csv_value 'FailedCall(C)' "$1.csv")" 0 "$1: FailedCall(C)"
}

echo "client: $CLIENT; UAS: $UAS"

run_client register_wrong register_auth.xml wrong_users.csv
expect_all_failed register_wrong

run_client register_right register_auth.xml users.csv
expect_all_passed register_right

start_bg uas "$UAS" -sf "$DATA/uas.xml" -i 127.0.0.1 -p "$uas_port" -m "$calls" -nostdin \
  -timeout 40s -timeout_error -trace_stat -stf uas.csv
wait_udp_port "$uas_port"

run_client call_wrong call_auth.xml wrong_users.csv
expect_all_failed call_wrong

run_client call_right call_auth.xml users.csv
expect_all_passed call_right

wait_exit "$uas_PID" 30
expect_eq "$EXIT_CODE" 0 "UAS exit code"
expect_eq "$(csv_value 'SuccessfulCall(C)' uas.csv)" "$calls" "UAS SuccessfulCall(C)"
expect_eq "$(csv_value 'IncomingCall(C)' uas.csv)" "$calls" "UAS IncomingCall(C)"

# kamailio's side of the story: every call was challenged once, every right
# password accepted, every wrong one rejected as such. (At least: a request
# retransmitted on a stalled machine is checked, and logged, again.)
stop_kamailio
count() { grep -c -F "$1" kamailio.out || true; }
expected_wrong=$(awk -F';' 'NR == FNR { if (FNR > 1) pw[$1] = $2; next }
  FNR > 1 && $1 != "" && ($1 in pw) && pw[$1] != $2 { n++ } END { print n + 0 }' \
  "$DATA/users.csv" "$DATA/wrong_users.csv")
expected_unknown=$(awk -F';' 'NR == FNR { if (FNR > 1) pw[$1] = $2; next }
  FNR > 1 && $1 != "" && !($1 in pw) { n++ } END { print n + 0 }' \
  "$DATA/users.csv" "$DATA/wrong_users.csv")
expect_at_least() {  # expect_at_least VALUE MIN WHAT
  (($1 >= $2)) || fail "$3: expected at least $2, got $1"
}
challenges=$(count "AUTH challenge"); accepted=$(count "AUTH ok for")
wrong=$(count "AUTH wrong password"); unknown=$(count "AUTH unknown user")
echo "kamailio: $challenges challenges, $accepted accepted, $wrong wrong passwords, $unknown unknown users"
expect_at_least "$challenges" $((4 * calls)) "kamailio challenges (401 + 407)"
expect_at_least "$accepted" $((2 * calls)) "kamailio accepted credentials"
expect_at_least "$wrong" $((2 * expected_wrong)) "kamailio wrong-password rejections"
expect_at_least "$unknown" $((2 * expected_unknown)) "kamailio unknown-user rejections"
((expected_wrong + expected_unknown == calls)) || fail "wrong_users.csv must have $calls rows, all wrong"
echo "PASS: kamailio_auth"
