#!/usr/bin/env bash
# Conformance against SIPp's own XML corpus (GPL data read at test time from
# shared/sipp, never copied into sipfleet).
#
# Usage:
#   conformance_test.sh load
#       Loads every XML under scenarios/{embedded,docs,sipp_scenarios} and
#       regress/ with sipfleet and checks each outcome against
#       conformance_expectations.txt (load | refuse <reason> | invalid <reason>).
#       Fails on any mismatch, on an XML without an expectation line, and on an
#       expectation line whose file no longer exists. When real SIPp is
#       installed, `load` files must load in SIPp too and `invalid` files must
#       be rejected by SIPp (the reference). docs/conformance.md must name
#       every refused file (it is the list the README links to).
#   conformance_test.sh pair NAME BASE_PORT
#       Runs one client/server pair three ways at once, on loopback:
#         ref: sipp client     vs sipp server      (the reference)
#         A:   sipfleet client vs sipp server
#         B:   sipp client     vs sipfleet server
#       and requires A and B to give the reference's exit codes (both sides).
#       Ports BASE_PORT..BASE_PORT+5.
#   conformance_test.sh list-pairs
#
# Environment: SIPFLEET (required: the sipfleet binary), SIPP_DATA (the
# shared/sipp folder), SIPP (real SIPp, default `sipp`), CONFORMANCE_JOBS
# (parallel loads, default 8), CONFORMANCE_EXPECTATIONS / CONFORMANCE_DOC
# (other expectation / doc files), KEEP_WORKDIR=1 keeps the temporary folder.
# Exit codes: 0 pass, 1 fail, 77 skipped (SIPp data, or for pairs real SIPp,
# not available).
set -uo pipefail

SKIP=77
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT="$HERE/$(basename "${BASH_SOURCE[0]}")"
EXPECTATIONS=${CONFORMANCE_EXPECTATIONS:-$HERE/conformance_expectations.txt}
SIPP_DATA=${SIPP_DATA:-$HERE/../../../shared/sipp}
SIPP=${SIPP:-sipp}
JOBS=${CONFORMANCE_JOBS:-8}
# Nothing listens here: loads aim their (at most one) call at it.
DEAD_PORT=17299
# The folders whose XML files are all checked (relative to SIPP_DATA).
CORPUS_DIRS=(scenarios/embedded scenarios/docs scenarios/sipp_scenarios regress)

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit "$SKIP"; }

have_sipp() { command -v "$SIPP" >/dev/null 2>&1; }

# Installed SIPp version as "3.6.1" (empty if none).
sipp_version() {
  have_sipp || return 0
  "$SIPP" -v 2>&1 | sed -n 's/.*SIPp v\([0-9][0-9.]*[0-9]\).*/\1/p' | head -n 1
}

# version_ge A B: A >= B for dotted versions.
version_ge() { [[ $(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1) == "$2" ]]; }

# Extra command-line arguments a file needs to load (the ones SIPp's own
# regression runs pass, SIPP_NOTES §5.2). Printed one per line.
extra_args() {
  case $1 in
    "regress/github-#0192/uas.xml" | "regress/github-#0196/uas.xml")
      printf '%s\n' -key custom_media_port 6000 ;;
    "regress/github-#0364/empty-keyword-allowed.xml")
      printf '%s\n' -key keyword '' ;;
  esac
}

# ---------------------------------------------------------------------------
# load: one file (run by xargs). Prints "FILE<TAB>OUTCOME<TAB>DETAIL" where
# OUTCOME is load | refuse | invalid | crash | hang | noline | noexec, and, when
# real SIPp ran too, a fourth field sipp=load|reject.
probe_one() {
  local rel=$1 check_sipp=$2
  local abs=$SIPP_DATA/$rel dir out err rc outcome detail sipp_result=""
  dir=$(dirname "$abs")
  out=$(mktemp "$WORKDIR/probe.XXXXXX")
  err=$out.err
  local -a extra=()
  mapfile -t extra < <(extra_args "$rel")
  # A load then an immediate end: one call at a dead port, a 300 ms global
  # timeout. Exit 255 means the scenario (or a command-line) was refused.
  (cd "$dir" && timeout -sKILL 20 "$SIPFLEET" -sf "$abs" "127.0.0.1:$DEAD_PORT" -i 127.0.0.1 -p 0 \
     -m 1 -r 1 -timeout 300ms -nr -recv_timeout 200 -nostdin "${extra[@]}" >"$out" 2>"$err" </dev/null)
  rc=$?
  detail=$(grep -v '^$' "$err" | head -n 1 | tr '\t' ' ')
  if ((rc == 255)); then
    if grep -q "not supported yet" "$err"; then outcome=refuse; else outcome=invalid; fi
    # A scenario refusal must name the file and line (file:line: ...).
    grep -qF "$abs:" "$err" || outcome=noline
  elif ((rc == 126 || rc == 127)); then
    outcome=noexec; detail="could not run $SIPFLEET"
  elif ((rc == 137 || rc == 124)); then
    outcome=hang; detail="killed after 20 s"
  elif ((rc > 128)); then
    outcome=crash; detail="signal $((rc - 128)); $detail"
  else
    outcome=load; detail="exit $rc"
  fi
  if [[ $check_sipp == 1 ]]; then
    # SIPp loads the scenario while parsing its command line and prints
    # "Resolving remote host" only after that. An impossible remote host then
    # stops it at once, before it binds any socket (SIPp would otherwise take
    # 5060, 6000 and 8888 whatever -p says).
    (cd "$dir" && timeout -sKILL 10 "$SIPP" -sf "$abs" 999.999.999.999 -i 127.0.0.1 \
       -m 1 -nostdin "${extra[@]}" >"$out.sipp" 2>"$out.sipperr" </dev/null)
    if grep -q "Resolving remote host" "$out.sipperr"; then
      sipp_result="sipp=load"
    else
      sipp_result="sipp=reject: $(grep -v -e '^$' "$out.sipperr" | head -n 1 |
        sed 's/^[^\t]*\t[^\t]*\t[0-9.]*: //' | tr '\t' ' ')"
    fi
  fi
  printf '%s\t%s\t%s\t%s\n' "$rel" "$outcome" "$detail" "$sipp_result"
  rm -f "$out" "$err" "$out.sipp" "$out.sipperr"
}

run_load() {
  [[ -f $EXPECTATIONS ]] || fail "no expectations file $EXPECTATIONS"
  local -A expect note
  local line path verdict rest lineno=0 bad=0
  while IFS= read -r line || [[ -n $line ]]; do
    lineno=$((lineno + 1))
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    # PATH OUTCOME [reason ...]
    read -r path verdict rest <<<"$line"
    case $verdict in
      load) ;;
      refuse | invalid) [[ -n $rest ]] || { echo "expectations:$lineno: '$verdict' needs a reason"; bad=1; } ;;
      *) echo "expectations:$lineno: unknown outcome '$verdict'"; bad=1; continue ;;
    esac
    [[ -z ${expect[$path]+x} ]] || { echo "expectations:$lineno: duplicate line for $path"; bad=1; }
    expect[$path]=$verdict
    note[$path]=$rest
  done <"$EXPECTATIONS"

  local -a files=()
  local d
  for d in "${CORPUS_DIRS[@]}"; do
    [[ -d $SIPP_DATA/$d ]] || fail "missing folder $SIPP_DATA/$d"
  done
  mapfile -t files < <(cd "$SIPP_DATA" && find "${CORPUS_DIRS[@]}" -type f -name '*.xml' | LC_ALL=C sort)
  ((${#files[@]} > 0)) || fail "no XML files under $SIPP_DATA"

  local -A present
  local f
  for f in "${files[@]}"; do
    present[$f]=1
    [[ -n ${expect[$f]+x} ]] || { echo "MISSING expectation line for $f"; bad=1; }
  done
  for f in "${!expect[@]}"; do
    [[ -n ${present[$f]+x} ]] || { echo "STALE expectation line: $f does not exist"; bad=1; }
  done

  # The reference: SIPp must agree that `load` files load and `invalid` ones
  # do not. A `load` line may say "needs SIPp >= X.Y.Z" when the file uses a
  # feature newer than the installed SIPp; then SIPp is not asked.
  local version check_sipp=0
  version=$(sipp_version)
  if [[ -n $version ]]; then
    check_sipp=1
    echo "reference: real SIPp $version"
  else
    echo "NOTE: real SIPp not installed; sipfleet outcomes only"
  fi

  local results=$WORKDIR/results.tsv
  local -a list=()
  for f in "${files[@]}"; do
    local ask=0 min
    if ((check_sipp)) && [[ ${expect[$f]:-} != refuse ]]; then
      ask=1
      min=$(sed -n 's/.*needs SIPp >= \([0-9][0-9.]*[0-9]\).*/\1/p' <<<"${note[$f]:-}")
      if [[ -n $min ]] && ! version_ge "$version" "$min"; then ask=0; fi
    fi
    list+=("$f" "$ask")
  done
  export SIPFLEET SIPP_DATA SIPP WORKDIR
  printf '%s\0' "${list[@]}" | xargs -0 -n 2 -P "$JOBS" bash "$SCRIPT" probe-one >"$results" ||
    fail "probing failed"

  local got detail sipp_result want n=0 nload=0 nrefuse=0 ninvalid=0
  while IFS=$'\t' read -r f got detail sipp_result; do
    n=$((n + 1))
    want=${expect[$f]:-none}
    case $got in load) nload=$((nload + 1)) ;; refuse) nrefuse=$((nrefuse + 1)) ;; invalid) ninvalid=$((ninvalid + 1)) ;; esac
    if [[ $got != "$want" ]]; then
      echo "MISMATCH $f: expected '$want', sipfleet gave '$got' ($detail)"
      bad=1
    else
      printf '  ok %-8s %s\n' "$got" "$f"
    fi
    if [[ $want == load && $sipp_result == sipp=reject* ]]; then
      echo "MISMATCH $f: expected load, but the reference SIPp rejects it (${sipp_result#sipp=reject: })"
      bad=1
    elif [[ $want == invalid && $sipp_result == sipp=load ]]; then
      echo "MISMATCH $f: expected invalid, but the reference SIPp loads it"
      bad=1
    fi
  done < <(LC_ALL=C sort "$results")
  ((n == ${#files[@]})) || { echo "only $n of ${#files[@]} files were probed"; bad=1; }
  # docs/conformance.md is the list of refusals the README links to: it must
  # name every refused (or invalid) file.
  local doc=${CONFORMANCE_DOC:-$HERE/../../docs/conformance.md}
  if [[ -f $doc ]]; then
    for f in "${!expect[@]}"; do
      [[ ${expect[$f]} == load ]] && continue
      grep -qF "\`$f\`" "$doc" || { echo "DOC $doc does not list refused file $f"; bad=1; }
    done
  fi
  echo "$n files: $nload load, $nrefuse refuse, $ninvalid invalid"
  ((bad == 0)) || fail "conformance outcomes differ from $EXPECTATIONS"
  echo "PASS: load ($n files)"
}

# ---------------------------------------------------------------------------
# Pairs. NAME|CLIENT|SERVER|CALLS|CLIENT_ARGS|SERVER_ARGS|OPTIONS
#   OPTIONS: min=X.Y.Z  the files need SIPp >= X.Y.Z; with an older SIPp the
#                       reference run and direction B (SIPp running the
#                       client) are skipped, and ref=C,S below is used.
#            ref=C,S    exit codes expected when the reference cannot run
#                       (taken from SIPp's regress suite).
#            timeout=N  global -timeout of both sides (default 10 s). SIPp's
#                       -timeout is graceful (no new calls, then waits for the
#                       open ones), so a pair must end by itself.
#            server_rc=X/Y  server exit codes accepted instead of the
#                       reference's (when SIPp's own is not deterministic).
PAIRS=(
  "embedded_uac_uas|scenarios/embedded/uac.xml|scenarios/embedded/uas.xml|3|||"
  "docs_uac_uas|scenarios/docs/uac.xml|scenarios/docs/uas.xml|3|||"
  "embedded_regexp_uas|scenarios/embedded/regexp.xml|scenarios/embedded/uas.xml|1|||"
  "embedded_branchc_branchs|scenarios/embedded/branchc.xml|scenarios/embedded/branchs.xml|1|||timeout=20"
  "0085_uac_vs_uas_aa|regress/github-#0085/uac.xml|scenarios/embedded/uas.xml|1||-aa|"
  "0103_uac_vs_uas_modified|scenarios/embedded/uac.xml|regress/github-#0103/uas-modified.xml|1|||"
  # The UAS leaves To out of 50% of its 200s (chance="0.5"): the client fails
  # those calls; whether SIPp's server also counts a failure depends on timing.
  "0152_uac_uas|regress/github-#0152/uac.xml|regress/github-#0152/uas.xml|20|||server_rc=0/1"
  "0207_uac_uas|regress/github-#0207/uac.xml|regress/github-#0207/uas.xml|1|||"
  "0234_uac_uas|regress/github-#0234/uac.xml|regress/github-#0234/uas.xml|1|||"
  "0238_uac_uas|regress/github-#0238/uac.xml|regress/github-#0238/uas.xml|1|||"
  "0262_uac_uas|regress/github-#0262/uac.xml|regress/github-#0262/uas.xml|1|||"
  "0458_uac_uas|regress/github-#0458/uac.xml|regress/github-#0458/uas.xml|1|||"
  "0769_uac_vs_uas|regress/github-#0769/uac.xml|scenarios/embedded/uas.xml|1|||min=3.7.5 ref=0,0"
  # SIPp's regress test aborts the UAC with `Q` on its control port (-cp, which
  # sipfleet does not have); here the UAS's BYE wait ends by -recv_timeout
  # instead, after the UAC's 3 s pause: client 0, server 1 (a failed call).
  "0850_uac_uas|regress/github-#0850/uac.xml|regress/github-#0850/uas.xml|1||-recv_timeout 4000|"
  "0850_uac_uas_no_rrs|regress/github-#0850/uac_no_rrs.xml|regress/github-#0850/uas_no_rrs.xml|1||-recv_timeout 4000|"
)

# list_pairs, wait_udp
source "$(dirname "${BASH_SOURCE[0]}")/pairs_lib.sh"

# run_config TAG CLIENT_BIN SERVER_BIN SERVER_PORT: one client/server run;
# writes "CLIENT_RC SERVER_RC" to TAG.rc. Runs in a subshell of its own.
run_config() {
  local tag=$1 cbin=$2 sbin=$3 sport=$4 cport=$(($4 + 1))
  local -a sargs cargs
  # shellcheck disable=SC2206  # the argument fields are word lists
  sargs=(-sf "$SIPP_DATA/$P_SERVER" -i 127.0.0.1 -p "$sport" -m "$P_CALLS" -nostdin
         -timeout "$P_TIMEOUT" -trace_stat -stf "$tag.server.csv" $P_SERVER_ARGS)
  # shellcheck disable=SC2206
  cargs=(-sf "$SIPP_DATA/$P_CLIENT" "127.0.0.1:$sport" -i 127.0.0.1 -p "$cport" -m "$P_CALLS"
         -r 10 -nostdin -timeout "$P_TIMEOUT" -trace_stat -stf "$tag.client.csv" $P_CLIENT_ARGS)
  run_server_then_client "$tag" "$cbin" "$sbin" "$sport"
}

run_pair() {
  local name=$1 base=$2 spec="" p
  for p in "${PAIRS[@]}"; do [[ ${p%%|*} == "$name" ]] && spec=$p; done
  [[ -n $spec ]] || fail "unknown pair $name (see list-pairs)"
  IFS='|' read -r _ P_CLIENT P_SERVER P_CALLS P_CLIENT_ARGS P_SERVER_ARGS P_OPTIONS <<<"$spec"
  have_sipp || skip "real SIPp ($SIPP) is not installed: no reference to compare with"
  [[ -f $SIPP_DATA/$P_CLIENT && -f $SIPP_DATA/$P_SERVER ]] || fail "pair files missing under $SIPP_DATA"

  local version min="" ref_fixed="" server_rc="" opt
  P_TIMEOUT=10
  for opt in $P_OPTIONS; do
    case $opt in
      min=*) min=${opt#min=} ;;
      ref=*) ref_fixed=${opt#ref=} ;;
      timeout=*) P_TIMEOUT=${opt#timeout=} ;;
      server_rc=*) server_rc=${opt#server_rc=} ;;
    esac
  done
  version=$(sipp_version)
  local run_ref=1
  if [[ -n $min ]] && ! version_ge "$version" "$min"; then
    run_ref=0
    echo "NOTE: SIPp $version < $min: no reference run, no SIPp-client run; expecting exit codes $ref_fixed (SIPp's regress suite)"
  fi

  echo "pair $name: client $P_CLIENT, server $P_SERVER, -m $P_CALLS"
  ((run_ref)) && run_config ref "$SIPP" "$SIPP" "$base" &
  run_config A "$SIPFLEET" "$SIPP" "$((base + 2))" &
  ((run_ref)) && run_config B "$SIPP" "$SIPFLEET" "$((base + 4))" &
  wait

  local ref_c ref_s
  if ((run_ref)); then
    read -r ref_c ref_s <"ref.rc"
    echo "  ref (sipp client, sipp server):         client $ref_c, server $ref_s"
    [[ $ref_c != none ]] || fail "the reference SIPp server did not start: $(tail -n 3 ref.server.out)"
    ((ref_c < 128 && ref_s < 128)) ||
      fail "the reference SIPp run did not end by itself (killed after ${P_TIMEOUT}+10 s)"
  else
    IFS=, read -r ref_c ref_s <<<"$ref_fixed"
    echo "  expected (SIPp's regress suite):        client $ref_c, server $ref_s"
  fi
  [[ -n $server_rc ]] && echo "  (server exit code: any of ${server_rc//\// })"
  local bad=0 tag c s label
  for tag in A B; do
    [[ -f $tag.rc ]] || continue
    read -r c s <"$tag.rc"
    if [[ $tag == A ]]; then label="A   (sipfleet client, sipp server):    "; else label="B   (sipp client, sipfleet server):    "; fi
    echo "  $label client $c, server $s"
    local s_ok=0
    if [[ -n $server_rc ]]; then
      [[ /$server_rc/ == */$s/* ]] && s_ok=1
    elif [[ $s == "$ref_s" ]]; then
      s_ok=1
    fi
    if [[ $c != "$ref_c" || $s_ok == 0 ]]; then
      bad=1
      echo "--- $tag client output:"; tail -n 5 "$tag.client.out" 2>/dev/null
      echo "--- $tag server output:"; tail -n 5 "$tag.server.out" 2>/dev/null
    fi
  done
  ((bad == 0)) || fail "pair $name: exit codes differ from the reference"
  echo "PASS: pair $name"
}

# ---------------------------------------------------------------------------
main() {
  local mode=${1:-}
  case $mode in
    probe-one) probe_one "$2" "$3"; return ;;
    list-pairs) list_pairs; return ;;
  esac
  [[ -d $SIPP_DATA ]] || skip "SIPp data folder $SIPP_DATA is missing"
  SIPP_DATA=$(cd "$SIPP_DATA" && pwd)
  SIPFLEET=${SIPFLEET:?path to the sipfleet binary}
  [[ -x $SIPFLEET ]] || fail "sipfleet binary $SIPFLEET is not executable"
  WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/sipfleet-conformance.XXXXXX")
  # shellcheck disable=SC2064
  trap "[[ \${KEEP_WORKDIR:-0} == 1 ]] || rm -rf '$WORKDIR'; kill \$(jobs -p) 2>/dev/null" EXIT
  cd "$WORKDIR" || fail "cannot enter $WORKDIR"
  case $mode in
    load) run_load ;;
    pair) run_pair "${2:?pair name}" "${3:?base port}" ;;
    *) fail "usage: $0 load | pair NAME BASE_PORT | list-pairs" ;;
  esac
}

main "$@"
