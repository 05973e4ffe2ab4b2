#!/usr/bin/env bash
# SIPp's scenario dialect against real SIPp (docs/conformance.md, "The scenario
# dialect"). dialect/uac.xml and dialect/uas.xml use what SIPp 3.6's parser
# reads and strict XML refuses or reads differently: backslash escapes, entities
# decoded only where SIPp decodes them (with its prefix rule), attributes
# without a value, comments with "--" and inside a tag, DOCTYPE with an
# internal subset, xml-model, text outside elements and before CDATA, a second
# CDATA, a commented-out CDATA that SIPp sends, a raw newline and tab in a
# value, a Latin-1 byte, a missing </scenario>. A misread either stops the load
# or fails the call (ereg check_it on both sides).
#
# Usage: dialect_test.sh CASE BASE_PORT (ports BASE..BASE+3)
#   sipfleet_uac_vs_sipp_uas | sipp_uac_vs_sipfleet_uas: the files as they are;
#   ..._crlf: the files with CRLF line ends, then a NUL byte and junk after it.
# Each case runs the mixed pair and, at the same time, SIPp against SIPp (the
# reference): every process must exit 0 with its call successful, and each
# side's <log> file must be the reference's, byte for byte.
# Exit 77 (skipped) when real SIPp is not installed.
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../integration/lib.sh"
case_name=$1
base=$2
SIPP=${SIPP:-sipp}
command -v "$SIPP" >/dev/null || { echo "SKIP: real SIPp ($SIPP) is not installed" >&2; exit 77; }

variant=plain
[[ $case_name == *_crlf ]] && variant=crlf
for role in uac uas; do
  if [[ $variant == crlf ]]; then
    LC_ALL=C sed 's/$/\r/' "$HERE/dialect/$role.xml" >"$role.xml"
    printf '\0<junk that SIPp never reads' >>"$role.xml"
  else
    cp "$HERE/dialect/$role.xml" "$role.xml"
  fi
done

case $case_name in
  sipfleet_uac_vs_sipp_uas*) client=$SIPFLEET server=$SIPP ;;
  sipp_uac_vs_sipfleet_uas*) client=$SIPP server=$SIPFLEET ;;
  *) fail "unknown case $case_name" ;;
esac

# start_side NAME BINARY ROLE PORT [REMOTE]: one process in its own folder.
start_side() {
  local name=$1 bin=$2 role=$3 port=$4 remote=${5:-}
  mkdir -p "$name"
  pushd "$name" >/dev/null
  start_bg "$name" "$bin" ${remote:+"$remote"} -sf "../$role.xml" -i 127.0.0.1 -p "$port" -m 1 \
    -timeout 20s -nostdin -trace_logs -trace_stat -stf stat.csv
  popd >/dev/null
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
  check_eq "$(csv_value 'SuccessfulCall(C)' "$side/stat.csv")" 1 "$side SuccessfulCall(C)"
done
for role in uac uas; do
  ref=$(ls ref_$role/*_logs.log 2>/dev/null | head -n 1)
  got=$(ls $role/*_logs.log 2>/dev/null | head -n 1)
  if [[ -z $ref || -z $got ]]; then
    PROBLEMS+=("$role: log file missing (reference '$ref', tested '$got')")
  elif ! cmp -s "$ref" "$got"; then
    PROBLEMS+=("$role log differs from SIPp's: $(diff <(od -c "$ref") <(od -c "$got") | head -n 8)")
  fi
done
# The reference must have logged what the scenarios extract (not an empty run).
check_grep 'user=alice cuser=uas v=a"b&c' ref_uac/uac_*_logs.log "reference client log"
check_grep "got=alice-uas-a\"b&c-1.5" ref_uas/uas_*_logs.log "reference server log"
finish_checks
