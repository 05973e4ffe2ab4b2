#!/usr/bin/env bash
# The users'-style conformance set: scenario pairs written for sipfleet in the
# styles SIPp users write their own (tests/compat/users/NAME_uac.xml and
# NAME_uas.xml, with their CSV files), each run three ways at once on loopback:
#   ref: sipp client     vs sipp server      (the reference)
#   A:   sipfleet client vs sipp server
#   B:   sipp client     vs sipfleet server
# A and B must give the reference's exit codes on both sides, and each side's
# stat CSV (last row) the reference's counters (COUNTERS below).
#
# Usage: users_test.sh pair NAME BASE_PORT   (ports BASE_PORT..BASE_PORT+5)
#        users_test.sh list-pairs
# Environment: SIPFLEET (the sipfleet binary), SIPP (real SIPp, default
# `sipp`), KEEP_WORKDIR=1 keeps the temporary folder.
# Exit codes: 0 pass, 1 fail, 77 skipped (real SIPp is not installed).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
USERS=$HERE/users
SIPP=${SIPP:-sipp}

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# The counters compared, side by side (the "(C)" cumulative columns).
# Retransmissions(C) is left out: on a loaded machine a 200 may be
# retransmitted before its ACK arrives, in either tool.
COUNTERS=(IncomingCall OutgoingCall SuccessfulCall FailedCall FailedCannotSendMessage
  FailedMaxUDPRetrans FailedUnexpectedMessage FailedCallRejected FailedRegexpDoesntMatch
  FailedRegexpShouldntMatch FailedRegexpHdrNotFound FailedTimeoutOnRecv
  FailedTestDoesntMatch FailedTestShouldntMatch FailedStrcmpDoesntMatch
  FailedStrcmpShouldntMatch OutOfCallMsgs DeadCallMsgs AutoAnswered)

# NAME|CALLS|CLIENT_ARGS|SERVER_ARGS|OPTIONS
#   Arguments name the pair's files with @ (@users.csv = users/users.csv).
#   OPTIONS: ignore=COUNTER,...  counters not compared (with the reason in a
#            comment); timeout=N  global -timeout of both sides (default 10 s);
#            uas=OTHER  the server is OTHER_uas.xml (one registrar, two clients).
PAIRS=(
  "register_auth_literal|3||-inf @alice.csv|uas=registrar"
  "register_auth_injected|3|-inf @accounts_injected.csv|-inf @accounts.csv|uas=registrar"
  "invite_proxy_auth|3||-inf @alice.csv|"
  "auth_retry_loop|3|||"
  "registrar_lookup|3|-inf @accounts_injected.csv|-inf @accounts.csv -infindex accounts.csv 0|"
  "record_route_lines|3|||"
  "record_route_multivalue|3|||"
  "uas_bye_routes|3|||"
  "prack_100rel|3|||"
  "reinvite_hold|3|||"
  "update_session|3|||"
  "register_refresh|3|||"
  "info_dtmf|3|||"
  "subscribe_notify|3|||"
  "message_text|5|||"
  "options_ping|5|||"
  "cancel_after_180|3|||"
  "forked_18x|3|||"
  "forked_200|3|||"
  "redirect_next_url|3|||"
  "redirect_ereg_contact|3|||uas=redirect_next_url"
  "inf_two_files|3|-inf @callers.csv -inf @callees.csv|-inf @callees.csv|"
  "busy_here_rejected|3|||"
  "unexpected_busy|3|||uas=busy_here_rejected"
)

# list_pairs, wait_udp
source "$(dirname "${BASH_SOURCE[0]}")/pairs_lib.sh"

# run_side TAG CLIENT_BIN SERVER_BIN SERVER_PORT: one client/server run, in
# a subshell of its own; writes "CLIENT_RC SERVER_RC" to TAG.rc.
run_side() {
  local tag=$1 cbin=$2 sbin=$3 sport=$4 cport=$(($4 + 1))
  local -a sargs cargs
  sargs=(-sf "$USERS/${P_UAS}_uas.xml" -i 127.0.0.1 -p "$sport" -m "$P_CALLS" -nostdin
         -timeout "$P_TIMEOUT" -trace_stat -stf "$tag.server.csv" "${P_SERVER_ARGS[@]}")
  cargs=(-sf "$USERS/${P_NAME}_uac.xml" "127.0.0.1:$sport" -i 127.0.0.1 -p "$cport"
         -m "$P_CALLS" -r 10 -nostdin -timeout "$P_TIMEOUT" -trace_stat -stf "$tag.client.csv"
         "${P_CLIENT_ARGS[@]}")
  run_server_then_client "$tag" "$cbin" "$sbin" "$sport"
}

# counters FILE: "NAME=VALUE ..." of COUNTERS (minus ignored) in FILE's last row.
counters() {
  local file=$1 name
  [[ -s $file ]] || { echo "(no stat file)"; return; }
  local -a header row
  IFS=';' read -r -a header < <(head -n 1 "$file")
  IFS=';' read -r -a row < <(tail -n 1 "$file")
  local -A at
  local i
  for i in "${!header[@]}"; do at[${header[$i]}]=$i; done
  local out=""
  for name in "${COUNTERS[@]}"; do
    [[ ,$P_IGNORE, == *,$name,* ]] && continue
    i=${at[$name(C)]:-}
    out+="$name=${i:+${row[$i]}} "
  done
  echo "${out% }"
}

run_pair() {
  local name=$1 base=$2 spec="" p
  for p in "${PAIRS[@]}"; do [[ ${p%%|*} == "$name" ]] && spec=$p; done
  [[ -n $spec ]] || fail "unknown pair $name (see list-pairs)"
  command -v "$SIPP" >/dev/null 2>&1 || skip "real SIPp ($SIPP) is not installed: no reference"
  local client_args server_args options opt
  IFS='|' read -r P_NAME P_CALLS client_args server_args options <<<"$spec"
  # shellcheck disable=SC2206  # word lists; @file names a file of the pair
  P_CLIENT_ARGS=(${client_args//@/$USERS/})
  # shellcheck disable=SC2206
  P_SERVER_ARGS=(${server_args//@/$USERS/})
  P_TIMEOUT=10
  P_IGNORE=""
  P_UAS=$P_NAME
  for opt in $options; do
    case $opt in
      uas=*) P_UAS=${opt#uas=} ;;
      ignore=*) P_IGNORE=${opt#ignore=} ;;
      timeout=*) P_TIMEOUT=${opt#timeout=} ;;
    esac
  done
  [[ -f $USERS/${P_NAME}_uac.xml && -f $USERS/${P_UAS}_uas.xml ]] ||
    fail "pair files missing: $USERS/${P_NAME}_uac.xml, $USERS/${P_UAS}_uas.xml"

  echo "pair $P_NAME: -m $P_CALLS, client ${client_args:-(no args)}, server ${server_args:-(no args)}"
  run_side ref "$SIPP" "$SIPP" "$base" &
  run_side A "$SIPFLEET" "$SIPP" "$((base + 2))" &
  run_side B "$SIPP" "$SIPFLEET" "$((base + 4))" &
  wait

  local ref_c ref_s
  read -r ref_c ref_s <ref.rc
  [[ $ref_c != none ]] || fail "the reference SIPp server did not start: $(tail -n 3 ref.server.out)"
  ((ref_c < 128 && ref_s < 128)) || fail "the reference run did not end by itself"
  local ref_cc ref_sc
  ref_cc=$(counters ref.client.csv)
  ref_sc=$(counters ref.server.csv)
  echo "  ref (sipp client, sipp server):      client $ref_c, server $ref_s"
  echo "      client counters: $ref_cc"
  echo "      server counters: $ref_sc"
  local bad=0 tag c s cc sc label
  for tag in A B; do
    read -r c s <"$tag.rc"
    if [[ $tag == A ]]; then label="A   (sipfleet client, sipp server): "; else label="B   (sipp client, sipfleet server): "; fi
    echo "  $label client $c, server $s"
    cc=$(counters "$tag.client.csv")
    sc=$(counters "$tag.server.csv")
    local problems=()
    [[ $c == "$ref_c" ]] || problems+=("client exit $c, reference $ref_c")
    [[ $s == "$ref_s" ]] || problems+=("server exit $s, reference $ref_s")
    [[ $cc == "$ref_cc" ]] || problems+=("client counters: $cc")
    [[ $sc == "$ref_sc" ]] || problems+=("server counters: $sc")
    if ((${#problems[@]} > 0)); then
      bad=1
      printf '      DIFFERS: %s\n' "${problems[@]}"
      echo "--- $tag client output:"; tail -n 5 "$tag.client.out" 2>/dev/null
      echo "--- $tag server output:"; tail -n 5 "$tag.server.out" 2>/dev/null
    fi
  done
  ((bad == 0)) || fail "pair $P_NAME differs from the reference"
  echo "PASS: pair $P_NAME"
}

main() {
  case ${1:-} in
    list-pairs) list_pairs; return ;;
    pair) ;;
    *) fail "usage: $0 pair NAME BASE_PORT | list-pairs" ;;
  esac
  SIPFLEET=${SIPFLEET:?path to the sipfleet binary}
  [[ -x $SIPFLEET ]] || fail "sipfleet binary $SIPFLEET is not executable"
  WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/sipfleet-users.XXXXXX")
  # shellcheck disable=SC2064
  trap "[[ \${KEEP_WORKDIR:-0} == 1 ]] || rm -rf '$WORKDIR'; kill \$(jobs -p) 2>/dev/null" EXIT
  cd "$WORKDIR" || fail "cannot enter $WORKDIR"
  run_pair "${2:?pair name}" "${3:?base port}"
}

main "$@"
