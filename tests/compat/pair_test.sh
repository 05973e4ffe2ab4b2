#!/usr/bin/env bash
# A client/server scenario pair of ours against real SIPp. tests/compat/NAME/
# holds uac.xml and uas.xml and, optionally, uac.csv / uas.csv (passed with
# -inf), uac.args / uas.args (more options, one per line), calls (the -m
# count, default 1) and check.sh (more checks, sourced in the run folder after
# the run; the sides' folders are ref_uac, ref_uas, uac, uas).
#
# Usage: pair_test.sh NAME CASE BASE_PORT [VARIANT] (ports BASE..BASE+3)
#   CASE sipfleet_uac_vs_sipp_uas | sipp_uac_vs_sipfleet_uas, with the files as
#   they are, or with a _crlf suffix: the XML files with CRLF line ends, then a
#   NUL byte and junk after it. With VARIANT, the options files are
#   uac.VARIANT.args / uas.VARIANT.args (the same scenarios run with other -key
#   values, say).
# Each case runs the mixed pair and, at the same time, SIPp against SIPp (the
# reference). Every process must exit 0 with all its calls successful, each
# side's -trace_msg file must hold the reference's requests and responses in
# the same order (start lines, and the headers listed in NAME/compare_headers),
# and each side's <log> file (when the scenario logs) must be the reference's,
# byte for byte.
# Exit 77 (skipped) when real SIPp is not installed.
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../integration/lib.sh"
name=$1
case_name=$2
base=$3
args_suffix=${4:+.$4}.args
DIR=$HERE/$name
SIPP=${SIPP:-sipp}
command -v "$SIPP" >/dev/null || { echo "SKIP: real SIPp ($SIPP) is not installed" >&2; exit 77; }
[[ -f $DIR/uac.xml && -f $DIR/uas.xml ]] || fail "$DIR has no uac.xml/uas.xml"

for role in uac uas; do
  if [[ $case_name == *_crlf ]]; then
    LC_ALL=C sed 's/$/\r/' "$DIR/$role.xml" >"$role.xml"
    printf '\0<junk that SIPp never reads' >>"$role.xml"
  else
    cp "$DIR/$role.xml" "$role.xml"
  fi
done
calls=1
[[ -f $DIR/calls ]] && calls=$(cat "$DIR/calls")

case $case_name in
  sipfleet_uac_vs_sipp_uas*) client=$SIPFLEET server=$SIPP ;;
  sipp_uac_vs_sipfleet_uas*) client=$SIPP server=$SIPFLEET ;;
  *) fail "unknown case $case_name" ;;
esac

# start_side NAME BINARY ROLE PORT [REMOTE]: one process in its own folder.
start_side() {
  local side=$1 bin=$2 role=$3 port=$4 remote=${5:-}
  local -a extra=()
  [[ -f $DIR/$role.csv ]] && extra+=(-inf "$DIR/$role.csv")
  [[ -f $DIR/$role$args_suffix ]] && mapfile -t -O "${#extra[@]}" extra <"$DIR/$role$args_suffix"
  mkdir -p "$side"
  pushd "$side" >/dev/null
  start_bg "$side" "$bin" ${remote:+"$remote"} -sf "../$role.xml" -i 127.0.0.1 -p "$port" \
    -m "$calls" -timeout 20s -nostdin -trace_logs -trace_msg -trace_stat -stf stat.csv "${extra[@]}"
  popd >/dev/null
}

# flow DIR: one line per message a side sent or received: its start line,
# its CSeq and the headers named in NAME/compare_headers (one per line), with
# the test's port numbers written PORT. A retransmission (the same line again)
# is left out: timing decides whether there is one.
compare_headers=""
[[ -f $DIR/compare_headers ]] && compare_headers=$(tr '\n' ' ' <"$DIR/compare_headers")
flow() {
  tr -d '\r' <"$(ls "$1"/*_messages.log | head -n 1)" |
    awk -v names="cseq $compare_headers" '
      BEGIN { n = split(tolower(names), want, " ") }
      function flush() { if (line != "") print line; line = "" }
      /^(UDP|TCP|TLS) message (sent|received)/ {
        flush(); dir = $3; getline; getline; line = dir " " $0; head = 1; next }
      head && /^$/ { head = 0 }
      head { h = tolower($0); sub(/:.*/, "", h); for (i = 1; i <= n; i++) if (h == want[i]) line = line " | " $0 }
      END { flush() }' |
    sed -E "s/\b($base|$((base + 1))|$((base + 2))|$((base + 3)))\b/PORT/g" | awk '!seen[$0]++'
}

start_side ref_uas "$SIPP" uas "$base"
start_side uas "$server" uas "$((base + 2))"
wait_udp_port "$base"
wait_udp_port "$((base + 2))"
start_side ref_uac "$SIPP" uac "$((base + 1))" "127.0.0.1:$base"
start_side uac "$client" uac "$((base + 3))" "127.0.0.1:$((base + 2))"
for side in ref_uac uac ref_uas uas; do
  pid_var=${side}_PID
  wait_exit "${!pid_var}" 30
  check_eq "$EXIT_CODE" 0 "$side exit code ($(tail -n 3 "$side/$side.out" | tr '\n' ' '))"
  [[ -f $side/stat.csv ]] || { PROBLEMS+=("$side wrote no stat file"); continue; }
  check_eq "$(csv_value 'SuccessfulCall(C)' "$side/stat.csv")" "$calls" "$side SuccessfulCall(C)"
done
for role in uac uas; do
  ref_flow=$(flow "ref_$role")
  [[ -n $ref_flow ]] || PROBLEMS+=("ref_$role traced no message")
  check_eq "$(flow "$role")" "$ref_flow" "$role message flow"
  ref=$(ls ref_$role/*_logs.log 2>/dev/null | head -n 1)
  got=$(ls $role/*_logs.log 2>/dev/null | head -n 1)
  if [[ -n $ref$got ]] && { [[ -z $ref || -z $got ]] || ! cmp -s "$ref" "$got"; }; then
    PROBLEMS+=("$role log differs from SIPp's: $(diff <(od -c "$ref" 2>&1) <(od -c "$got" 2>&1) | head -n 8)")
  fi
done
if [[ -f $DIR/check.sh ]]; then source "$DIR/check.sh"; fi
finish_checks
