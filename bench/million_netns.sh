#!/usr/bin/env bash
# The million-call cluster run (issue 15): UAC_AGENTS UAC agents and UAS_AGENTS
# UAS agents, each in its own network-namespace host, the master in its own,
# all on a private /24 bridged in a hub namespace (as tests/cluster/netns_test.sh
# makes them; the host's own network is never touched). The UACs call one SIP
# address, the first UAS host's; in the namespaces of the UAC hosts assigned to
# another UAS host, an nft DNAT rule sends that traffic there (a stand-in for
# a SUT spreading the load; replies are translated back by conntrack).
#
# The run: CALLS calls at RATE calls/s, each held HOLD_MS (-d), so up to CALLS
# are up at once when RATE * HOLD_MS / 1000 >= CALLS. Every second it samples
# the master's merged CurrentCall (its -trace_stat file) and each process's
# RSS and CPU (/proc). At the end it prints the peak of concurrent calls, the
# merged verdict, every agent's RSS (at the peak and max) and CPU, and the
# master's CPU; it fails (exit 1) unless the master exits 0 with exactly CALLS
# successful calls, 0 failed, and the peak reached PEAK_MIN (default CALLS).
# Exit 77 when namespaces cannot be created (not root).
#
# Env: CALLS (1000000), RATE (20000), HOLD_MS (80000), UAC_AGENTS (4),
#      UAS_AGENTS (2), BASE (control port; SIP on BASE+1; 27600), BUILD (the
#      build directory with master/, agent/ and common/tls/; ../build), OUT
#      (logs; a fresh mktemp -d, removed if the run passes), PEAK_MIN (CALLS), NET (10.214.33);
#      MASTER, AGENT, TEST_CA (binaries; default under BUILD).
# Bounded: every process runs under timeout (ramp + hold + 120 s); only the
# PIDs and namespaces this script created are removed, also on failure.
set -u
CALLS=${CALLS:-1000000}
RATE=${RATE:-20000}
HOLD_MS=${HOLD_MS:-80000}
UAC_AGENTS=${UAC_AGENTS:-4}
UAS_AGENTS=${UAS_AGENTS:-2}
BASE=${BASE:-27600}
BUILD=${BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build}
OWN_OUT=""; [ -z "${OUT:-}" ] && OWN_OUT=1
OUT=${OUT:-$(mktemp -d /tmp/sipfleet-million.XXXXXX)}
PEAK_MIN=${PEAK_MIN:-$CALLS}
NET=${NET:-10.214.33}
MASTER=${MASTER:-$BUILD/master/sipfleet-master}
AGENT=${AGENT:-$BUILD/agent/sipfleet-agent}
TEST_CA=${TEST_CA:-$BUILD/common/tls/sipfleet_test_ca}
NS=sfm$$                       # namespace prefix, unique per run
LIMIT=$(( CALLS / RATE + HOLD_MS / 1000 + 120 ))
mkdir -p "$OUT"

PIDS=()
CREATED=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  for ns in "${CREATED[@]}"; do ip netns del "$ns" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP
fail() {
  echo "FAIL: $*"
  for f in "$OUT"/*.err; do [ -s "$f" ] && { echo "== $f"; tail -5 "$f"; }; done
  exit 1
}

# ---- Hosts --------------------------------------------------------------
HOSTS=(m)
declare -A ADDR=([m]=$NET.1)
for i in $(seq 1 "$UAC_AGENTS"); do HOSTS+=("a$i"); ADDR[a$i]=$NET.$((10 + i)); done
for j in $(seq 1 "$UAS_AGENTS"); do HOSTS+=("s$j"); ADDR[s$j]=$NET.$((100 + j)); done
for b in "$MASTER" "$AGENT" "$TEST_CA"; do [ -x "$b" ] || fail "missing $b (build first)"; done
command -v ip >/dev/null || { echo "SKIP: no 'ip' command"; exit 77; }
if ! ip netns add "${NS}hub" 2>"$OUT/netns.err"; then
  echo "SKIP: cannot create network namespaces ($(head -1 "$OUT/netns.err"))"; exit 77
fi
CREATED+=("${NS}hub")
source "$(dirname "$0")/../tests/cluster/netns_lib.sh"
connect_hosts
SUT=${ADDR[s1]}:$((BASE + 1))
UAS_BIND=""
for j in $(seq 2 "$UAS_AGENTS"); do UAS_BIND+="${UAS_BIND:+,}uas$j=${ADDR[s$j]}:$((BASE + 1))"; done
for i in $(seq 1 "$UAC_AGENTS"); do
  j=$(( (i - 1) % UAS_AGENTS + 1 ))
  [ "$j" -eq 1 ] && continue
  ip netns exec "${NS}a$i" nft -f - <<EOF || fail "nft DNAT on a$i"
table ip sfm {
  chain out { type nat hook output priority -100; ip daddr ${ADDR[s1]} udp dport $((BASE + 1)) dnat to ${ADDR[s$j]}; }
}
EOF
done
"$TEST_CA" "$OUT/pki" >/dev/null || fail "sipfleet_test_ca"
P=$OUT/pki
CONTROL=${ADDR[m]}:$BASE
AGENT_TLS=(-ctl_tls_ca "$P/ca.pem" -ctl_tls_cert "$P/client.pem" -ctl_tls_key "$P/client-key.pem"
           -ctl_tls_server_name localhost)
echo "hosts: ${HOSTS[*]} on $NET.0/24 (namespaces $NS*); SUT $SUT; logs $OUT"

# ---- The run -------------------------------------------------------------
NAMES=()
for j in $(seq 1 "$UAS_AGENTS"); do NAMES+=("uas$j"); done
UAS_NAMES=$(IFS=,; echo "${NAMES[*]}")
for i in $(seq 1 "$UAC_AGENTS"); do NAMES+=("uac$i"); done
ALL=$(IFS=,; echo "${NAMES[*]}")
CSV=$OUT/master.csv
ip netns exec "${NS}m" timeout "$LIMIT" "$MASTER" -listen "$CONTROL" \
  -ctl_tls_ca "$P/ca.pem" -ctl_tls_cert "$P/server.pem" -ctl_tls_key "$P/server-key.pem" \
  -agents "$ALL" -uas_agents "$UAS_NAMES" ${UAS_BIND:+-uas_bind "$UAS_BIND"} \
  -sn uac -r "$RATE" -m "$CALLS" -l $((CALLS * 2)) -d "$HOLD_MS" -buff_size 8388608 "$SUT" \
  -trace_stat -fd 1 -stf "$CSV" >"$OUT/master.out" 2>"$OUT/master.err" &
M=$!; PIDS+=($M)
for _ in $(seq 1 200); do grep -q "listening on port" "$OUT/master.err" 2>/dev/null && break; sleep 0.05; done
declare -A PID
for n in "${NAMES[@]}"; do
  h=${n/uas/s}; h=${h/uac/a}
  ip netns exec "$NS$h" timeout "$LIMIT" "$AGENT" -master "$CONTROL" -name "$n" "${AGENT_TLS[@]}" \
    >"$OUT/$n.out" 2>"$OUT/$n.err" &
  PIDS+=($!)
done
# The real processes (timeout's children), for /proc.
child() { local c; for _ in $(seq 1 100); do c=$(cat "/proc/$1/task/$1/children" 2>/dev/null); [ -n "$c" ] && break; sleep 0.05; done; echo "${c%% *}"; }
MPID=$(child "$M")
i=1
for n in "${NAMES[@]}"; do PID[$n]=$(child "${PIDS[$i]}"); i=$((i + 1)); done

tck=$(getconf CLK_TCK)
cpu_s() { awk -v t="$tck" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat" 2>/dev/null; }
rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
declare -A CPU RSS_PEAK RSS_MAX
PEAK=0
COL=""
while kill -0 "$M" 2>/dev/null; do
  [ -z "$COL" ] && [ -s "$CSV" ] && COL=$(head -1 "$CSV" | tr ';' '\n' | grep -n '^CurrentCall$' | cut -d: -f1)
  cc=0; [ -n "$COL" ] && cc=$(tail -1 "$CSV" | cut -d';' -f"$COL"); [[ $cc =~ ^[0-9]+$ ]] || cc=0
  new_peak=0; ((cc > PEAK)) && { PEAK=$cc; new_peak=1; }
  for n in "${NAMES[@]}"; do
    p=${PID[$n]}; c=$(cpu_s "$p"); r=$(rss_mib "$p")
    [ -n "$c" ] && CPU[$n]=$c
    [ -n "$r" ] || continue
    awk -v a="$r" -v b="${RSS_MAX[$n]:-0}" 'BEGIN { exit !(a > b) }' && RSS_MAX[$n]=$r
    ((new_peak)) && RSS_PEAK[$n]=$r
  done
  c=$(cpu_s "$MPID"); [ -n "$c" ] && MCPU=$c
  sleep 1
done
wait "$M"; RC=$?

# ---- Report ----------------------------------------------------------------
echo "Million-call cluster run: $(date -u '+%F %T UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
echo "  -r $RATE -m $CALLS -d $HOLD_MS, $UAC_AGENTS UAC agents, $UAS_AGENTS UAS agents, each on its own host"
echo "  master: exit $RC; $(grep -h "calls, .* successful" "$OUT/master.out" | tail -1)"
echo "  peak of concurrent calls (merged CurrentCall): $PEAK"
printf '  %-6s %12s %12s %10s\n' agent "RSS@peak MiB" "RSS max MiB" "CPU s"
for n in "${NAMES[@]}"; do printf '  %-6s %12s %12s %10s\n' "$n" "${RSS_PEAK[$n]:-?}" "${RSS_MAX[$n]:-?}" "${CPU[$n]:-?}"; done
printf '  %-6s %12s %12s %10s\n' master "" "" "${MCPU:-?}"
[ "$RC" -eq 0 ] || fail "master exit $RC"
grep -q "$CALLS calls, $CALLS successful, 0 failed" "$OUT/master.out" || fail "merged verdict is not $CALLS successful, 0 failed"
[ "$PEAK" -ge "$PEAK_MIN" ] || fail "peak of concurrent calls $PEAK < $PEAK_MIN"
echo "ok: $CALLS calls merged exactly, peak $PEAK concurrent"
[ -n "$OWN_OUT" ] && rm -rf "$OUT"   # logs are kept when the run fails or OUT is given
exit 0
