#!/usr/bin/env bash
# Trace files (-trace_msg, -trace_shortmsg, -trace_counts, -trace_err,
# -trace_error_codes, -trace_calldebug, -trace_logs, ring buffers): the same
# scenario with the same calls through sipfleet and through real SIPp 3.6.1,
# then each file's LAYOUT is compared: same entries and line structure once
# timestamps and every number (Call-IDs, branches, tags, ports, pids, sizes,
# hashes) are masked. Lines are compared as sorted multisets, since calls may
# interleave differently.
# Deliberate differences from 3.6.1, filtered before comparing:
#  - calldebug.log: SIPp also logs its scheduler's internals ("Processing
#    message N of type T", "Set Last Recv Hash", "Set Retransmission Hash",
#    "Pausing call", "Pause complete", "Retransmisison required", "Executing
#    NOP"); sipfleet keeps starts, messages sent/received, unexpected messages
#    and aborts.
# Usage: trace_test.sh CASE BASE_PORT   (ports BASE_PORT and BASE_PORT+1)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
case_name=$1
port=$2
cport=$((port + 1))
host=127.0.0.1
command -v sipp >/dev/null || fail "real SIPp (sip-tester) is not installed"

bin_of() { if [[ $1 == sipp ]]; then echo sipp; else echo "$SIPFLEET"; fi; }
own_args() { if [[ $1 == sipfleet ]]; then echo -workers 1; fi; }

# norm FILE: the file's layout: runs of SIP header (and SDP) lines -> one H
# line (header contents are the message builders' business, not the
# traces'), timestamps -> TS, numbers -> N, no CRs.
norm() {
  tr -d '\r' <"$1" |
    awk '{ if ($0 ~ /^[A-Za-z][A-Za-z0-9-]*:/ || $0 ~ /^[a-z]=/) { if (!h) print "H"; h = 1 }
           else { h = 0; print } }' |
    sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[ T\t][0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z?/TS/g;
          s/[0-9]+/N/g'
}
# One file of a run: run DIR SUFFIX -> path (the single match).
file_of() {
  local matches=("$1"/*"$2")
  [[ -e ${matches[0]} ]] && echo "${matches[0]}"
}
# Also: SIPp numbers the default messages (ACK of a failure, BYE/CANCEL of an
# abort) index -1, sipfleet gives the call's current index.
calldebug_filter() {
  sed -E 's/\(index -1,/(index 0,/' | grep -v -E ' (Processing message [0-9]+ of type|Set Last Recv Hash|Set Retransmission Hash|Pausing call|Pause complete|Retransmisison required|Executing NOP)'
}
# same_layout SUFFIX [FILTER]: sipfleet's and SIPp's SUFFIX files have the
# same layout.
same_layout() {
  local suffix=$1 filter=${2:-cat} ours theirs
  ours=$(file_of sf "$suffix") || { PROBLEMS+=("sipfleet wrote no *$suffix"); return; }
  theirs=$(file_of sp "$suffix") || { PROBLEMS+=("SIPp wrote no *$suffix"); return; }
  if ! diff <($filter <"$ours" | norm /dev/stdin | sort) <($filter <"$theirs" | norm /dev/stdin | sort) \
      >"layout$suffix.diff"; then
    PROBLEMS+=("$suffix layout differs from SIPp's: $(head -n 8 "layout$suffix.diff" | tr '\n' '|')")
  fi
  [[ -s $ours ]] || PROBLEMS+=("$suffix is empty")
}
# same_counts: counts.csv headers equal, same number of rows, same final values.
same_counts() {
  local ours theirs
  ours=$(file_of sf _counts.csv) && theirs=$(file_of sp _counts.csv) ||
    { PROBLEMS+=("missing counts.csv"); return; }
  check_eq "$(head -n 1 "$ours")" "$(head -n 1 "$theirs")" "counts.csv header"
  check_eq "$(wc -l <"$ours")" "$(wc -l <"$theirs")" "counts.csv rows"
  check_eq "$(tail -n 1 "$ours" | cut -d';' -f3-)" "$(tail -n 1 "$theirs" | cut -d';' -f3-)" \
    "counts.csv final values"
}

# side WHO DIR ARGS...: runs WHO (sipp|sipfleet) in DIR, output in DIR.out,
# waits for it; sets EXIT_CODE. Runs in the background so it can be a server.
side_bg() {
  local who=$1 dir=$2; shift 2
  mkdir -p "$dir"
  # shellcheck disable=SC2046
  (cd "$dir" && exec "$(bin_of "$who")" "$@" -nostdin $(own_args "$who")) >"$dir.out" 2>&1 &
  STARTED_PIDS+=("$!")
  eval "${dir//\//_}_PID=$!"
}

# pair SERVER_KIND SERVER_ARGS -- CLIENT_KIND CLIENT_ARGS: one server and one
# client run, each in its own directory (srv_<tag>, <tag>). The client's
# traces go to DIR ($2 of the client spec).
pair_run() {
  local tag=$1 srv_kind=$2 srv_args=$3 cli_kind=$4 cli_args=$5
  # shellcheck disable=SC2086
  side_bg "$srv_kind" "srv_$tag" $srv_args -i "$host" -p "$port"
  wait_udp_port "$port"
  # shellcheck disable=SC2086
  side_bg "$cli_kind" "$tag" "$host:$port" $cli_args -i "$host" -p "$cport"
  eval "wait_exit \$${tag}_PID 60"
  CLIENT_EXIT=$EXIT_CODE
  eval "wait_exit \$srv_${tag}_PID 30"
}

write_scenarios() {
  cat >busy.xml <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="busy">
  <recv request="INVITE" />
  <send><![CDATA[
      SIP/2.0 486 Busy Here
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]></send>
  <recv request="ACK" />
</scenario>
XML
  cat >nobye.xml <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="nobye">
  <recv request="INVITE" />
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]></send>
  <recv request="ACK" />
  <recv request="BYE" />
</scenario>
XML
  cat >logger.xml <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="logger">
  <send><![CDATA[
      MESSAGE sip:x@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:a@[local_ip]>;tag=[call_number]
      To: <sip:x@[remote_ip]>
      Call-ID: [call_id]
      CSeq: 1 MESSAGE
      Content-Length: 0

    ]]></send>
  <nop><action><log message="hello [call_number] from [call_id]"/></action></nop>
  <pause milliseconds="10"/>
  <nop><action><log message="second line"/></action></nop>
  <recv response="200" timeout="300"/>
</scenario>
XML
}
write_scenarios
all_traces="-trace_msg -trace_shortmsg -trace_counts -trace_err -trace_error_codes -trace_calldebug"

case $case_name in
  uac_vs_sipp_uas)
    # 20 good calls from each uac against a SIPp uas.
    for who in sipfleet:sf sipp:sp; do
      pair_run "${who#*:}" sipp "-sn uas -m 20" "${who%:*}" "-sn uac -m 20 -r 20 $all_traces"
      check_eq "$CLIENT_EXIT" 0 "${who%:*} uac exit code"
    done
    same_layout _messages.log
    same_layout _shortmessages.log
    same_layout _error_codes.csv
    same_counts
    check_eq "$(grep -c '^-----' "$(file_of sf _messages.log)")" 120 "messages.log entries"
    check_eq "$(wc -l <"$(file_of sf _shortmessages.log)")" 120 "shortmessages.log lines"
    check_eq "$(wc -c <"$(file_of sf _calldebug.log)")" 0 "calldebug.log of successful calls"
    # SIPp creates errors.log only at the first error.
    [[ ! -s $(file_of sf _errors.log || true) ]] || PROBLEMS+=("errors.log written without errors")
    ;;
  uas_vs_sipp_uac)
    # The server side: each uas against a SIPp uac, 20 calls.
    for who in sipfleet:sf sipp:sp; do
      side_bg "${who%:*}" "${who#*:}" -sn uas -m 20 -i "$host" -p "$port" -trace_msg \
        -trace_shortmsg -trace_counts
      wait_udp_port "$port"
      side_bg sipp "cli_${who#*:}" "$host:$port" -sn uac -m 20 -r 20 -i "$host" -p "$cport"
      eval "wait_exit \$cli_${who#*:}_PID 60"
      eval "wait_exit \$${who#*:}_PID 30"
      check_eq "$EXIT_CODE" 0 "${who%:*} uas exit code"
    done
    same_layout _messages.log
    same_layout _shortmessages.log
    same_counts
    ;;
  unexpected)
    # 486 where the uac waits for 1xx/200: errors.log, error codes, calldebug.
    for who in sipfleet:sf sipp:sp; do
      pair_run "${who#*:}" sipp "-sf ../busy.xml -m 3" "${who%:*}" "-sn uac -m 3 -r 10 $all_traces"
      check_eq "$CLIENT_EXIT" 1 "${who%:*} uac exit code"
    done
    same_layout _errors.log
    same_layout _error_codes.csv
    same_layout _calldebug.log calldebug_filter
    same_layout _messages.log
    same_counts
    check_grep "486,486,486,$" "$(file_of sf _error_codes.csv)" "error codes of the period"
    ;;
  timeouts)
    # The BYE is never answered: retransmissions, then a timeout abort.
    for who in sipfleet:sf sipp:sp; do
      pair_run "${who#*:}" sipp "-sf ../nobye.xml -m 2" "${who%:*}" \
        "-sn uac -m 2 -r 10 -max_non_invite_retrans 1 $all_traces"
      check_eq "$CLIENT_EXIT" 1 "${who%:*} uac exit code"
    done
    same_layout _errors.log
    same_layout _calldebug.log calldebug_filter
    same_layout _messages.log
    same_layout _shortmessages.log
    same_counts
    ;;
  logs)
    # <log> actions, and a receive timeout (nobody answers the MESSAGE).
    for who in sipfleet:sf sipp:sp; do
      side_bg "${who%:*}" "${who#*:}" -sf ../logger.xml "$host:$port" -m 2 -r 10 -i "$host" \
        -p "$cport" -trace_logs -trace_err -trace_calldebug -trace_counts
      eval "wait_exit \$${who#*:}_PID 30"
      check_eq "$EXIT_CODE" 1 "${who%:*} exit code"
    done
    same_layout _logs.log
    same_layout _errors.log
    same_layout _calldebug.log calldebug_filter
    same_counts
    ;;
  ringbuffer)
    # -ringbuffer_size/-ringbuffer_files: same rotated file names and count.
    for who in sipfleet:sf sipp:sp; do
      pair_run "${who#*:}" sipp "-sn uas -m 10" "${who%:*}" \
        "-sn uac -m 10 -r 50 -trace_msg -trace_shortmsg -ringbuffer_size 3000 -ringbuffer_files 2"
      check_eq "$CLIENT_EXIT" 0 "${who%:*} uac exit code"
    done
    rotated() { (cd "$1" && ls | grep -E '_(short)?messages' | sed -E 's/_[0-9]+_/_PID_/; s/_[0-9]{10}(\.[0-9]+)?\./_EPOCH./' | sort); }
    check_eq "$(rotated sf | tr '\n' ' ')" "$(rotated sp | tr '\n' ' ')" "rotated file names"
    for f in sf/*messages_*.log; do
      size=$(wc -c <"$f")
      ((size >= 3000 && size < 3000 + 700)) || PROBLEMS+=("$f: $size bytes, not just past 3000")
    done
    ;;
  rfc3339)
    # -rfc3339 (not in 3.6.1): every timestamp is one RFC 3339 UTC token.
    pair_run sf sipp "-sn uas -m 3" sipfleet "-sn uac -m 3 -r 20 -trace_msg -trace_shortmsg -trace_counts -rfc3339"
    check_eq "$CLIENT_EXIT" 0 "sipfleet uac exit code"
    rfc='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z'
    check_eq "$(grep -c -E "^-{47} $rfc\$" "$(file_of sf _messages.log)")" 18 "rfc3339 separators"
    check_eq "$(grep -c -E "^$rfc	[SR]	" "$(file_of sf _shortmessages.log)")" 18 "rfc3339 short lines"
    check_eq "$(grep -c -E "^$rfc;" "$(file_of sf _counts.csv)")" 3 "rfc3339 counts rows"
    ;;
  *) fail "unknown case $case_name" ;;
esac
finish_checks
