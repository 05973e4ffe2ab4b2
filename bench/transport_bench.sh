#!/usr/bin/env bash
# Transports: the highest call rate each UAC sustains with 0 failures over TCP (-t t1: one
# connection for all calls; -t tn: one connection per call) against one sipfleet UAS, real SIPp's
# UAC next to sipfleet's; then new TLS connections per second (-t ln, sipfleet UAC and UAS only,
# SIPp 3.6.1 has no TLS here). Each UAC ramps the requested rate in short runs of SECS seconds
# (CALLS = rate * SECS, -d 0) and stops at the first rate it does not sustain.
# Env: TN_RATES ("500 750 1000 2000 5000 10000 15000 20000"), T1_RATES ("5000 10000 20000
#      30000 40000 50000 60000 80000"), TLS_RATES ("500 1000 2000 3000 4000 5000 7000"),
#      SECS (5), PORT (25500; UASs use PORT, PORT+10, PORT+20, UACs the next ports),
#      UAS_WORKERS (2), TLS_WORKERS (1),
#      MAXSOCK (-max_socket, default 3/4 of `ulimit -n`), SKIP_TCP / SKIP_TLS (1 = skip),
#      RESUME_CHECK (1: capture 200 ln connections with tshark and count resumed handshakes),
#      TW_DRAIN (65: seconds to wait at most for TIME-WAIT < 2000 before SIPp's tn ramp),
#      SIPFLEET (binary), TEST_CA (sipfleet_test_ca binary), OUT (work dir, fresh mktemp -d).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TN_RATES=${TN_RATES:-500 750 1000 2000 5000 10000 15000 20000}
T1_RATES=${T1_RATES:-5000 10000 20000 30000 40000 50000 60000 80000}
TLS_RATES=${TLS_RATES:-500 1000 2000 3000 4000 5000 7000}
SECS=${SECS:-5}
PORT=${PORT:-25500}
UAS_WORKERS=${UAS_WORKERS:-2}
TLS_WORKERS=${TLS_WORKERS:-1}
TW_DRAIN=${TW_DRAIN:-65}
SIPFLEET=${SIPFLEET:-$ROOT/build/agent/sipfleet}
TEST_CA=${TEST_CA:-$ROOT/build/common/tls/sipfleet_test_ca}
OUT=${OUT:-$(mktemp -d /tmp/sipfleet-transport.XXXXXX)}
BUF=4194304
LIMIT=$((SECS * 5 + 20))           # seconds allowed per UAC run before timeout kills it
mkdir -p "$OUT"

# One socket per call: raise the open-file limit as far as allowed. SIPp needs -max_socket
# below it, and so does the UAS, which holds one descriptor per connection.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
MAXSOCK=${MAXSOCK:-$((NOFILE * 3 / 4 < 60000 ? NOFILE * 3 / 4 : 60000))}
TCK=$(getconf CLK_TCK)

source "$ROOT/bench/lib.sh"   # PIDS, kill_tree, cleanup on exit

child_of() {                       # PID of the process a `timeout` wrapper runs
    local c=""
    for _ in $(seq 100); do c=$(pgrep -P "$1" | head -n 1 || true); [[ -n $c ]] && break; sleep 0.05; done
    echo "$c"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
listen_overflows() {               # TcpExt ListenOverflows: SYNs dropped on a full accept queue
    awk '/^TcpExt:/ { if (!h) { split($0, H); h = 1 } else for (i = 2; i <= NF; i++)
         if (H[i] == "ListenOverflows") print $i }' /proc/net/netstat
}
time_wait() { ss -tan state time-wait 2>/dev/null | tail -n +2 | wc -l; }

# start_uas NAME PORT ARGS...: a sipfleet UAS under timeout; sets UAS_T (wrapper) and UAS_PID.
start_uas() {
    local name=$1 port=$2; shift 2
    timeout $((LIMIT * 30)) "$SIPFLEET" -sn uas -p "$port" -buff_size $BUF -nostdin \
        -workers "$UAS_WORKERS" "$@" >"$OUT/$name-uas.log" 2>&1 &
    UAS_T=$!; PIDS+=("$UAS_T"); sleep 1
    UAS_PID=$(child_of "$UAS_T")
    [[ -n $UAS_PID ]] && kill -0 "$UAS_PID" || { echo "UAS $name did not start, see $OUT/$name-uas.log" >&2; exit 1; }
}
stop_uas() { kill "$UAS_T" 2>/dev/null || true; wait "$UAS_T" 2>/dev/null || true; }

# run_uac NAME RATE CMD...: one bounded UAC run (CALLS = RATE * SECS, -d 0) against the UAS.
# bash's `times` gives the user+sys CPU of the reaped UAC (as in cpu_per_call.sh); the UAS's
# CPU is the utime+stime delta of its /proc/<pid>/stat over the run.
# Sets ROW: NAME RATE calls ok failed tcpconn tcpclosed retrans wall_s uac_cpu_s uas_cpu_s
#           synovf tw_before rc
run_uac() {
    local name=$1 rate=$2; shift 2
    local calls=$((rate * SECS)) tag="$TRANSPORT-$name-$rate" rc=0
    local stf="$OUT/$tag.csv" tf="$OUT/$tag.times" t0 t1 u0 u1 l0 l1 tw
    rm -f "$stf"
    tw=$(time_wait); u0=$(cpu_ticks "$UAS_PID"); l0=$(listen_overflows); t0=$EPOCHREALTIME
    TF=$tf timeout "$LIMIT" bash -c '"$@"; rc=$?; times >"$TF"; exit $rc' _ "$@" \
        -r "$rate" -m "$calls" -d 0 -nostdin -max_socket "$MAXSOCK" -buff_size $BUF \
        -trace_stat -stf "$stf" >"$OUT/$tag.log" 2>&1 </dev/null &
    local uac_t=$!; PIDS+=("$uac_t")
    wait "$uac_t" || rc=$?
    t1=$EPOCHREALTIME; u1=$(cpu_ticks "$UAS_PID"); l1=$(listen_overflows)
    local cpu counters
    # Second line of `times` = children: "XmY.YYYs XmY.YYYs" (user sys).
    cpu=$(awk 'NR==2 { n=split($0,a,/[ms ]+/); print a[1]*60+a[2]+a[3]*60+a[4] }' "$tf" 2>/dev/null || true)
    # Final CSV row: SuccessfulCall(C)=16, FailedCall(C)=18, FailedTcpConnect(C)=24,
    # FailedTcpClosed(C)=26, Retransmissions(C)=58.
    counters=$(tail -n 1 "$stf" 2>/dev/null | awk -F';' '$16 ~ /^[0-9]+$/ {print $16, $18, $24, $26, $58}' || true)
    ROW="$name $rate $calls ${counters:-? ? ? ? ?} $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')"
    ROW+=" ${cpu:-nan} $(awk -v d=$((u1 - u0)) -v t="$TCK" 'BEGIN{printf "%.2f", d/t}') $((l1 - l0)) $tw $rc"
}

# ramp NAME CMD...: runs RATES in order, appends every row to ROWS, stops after the first rate
# that is not sustained (rc != 0, a failure, fewer successes than calls, or < 95 % of the rate).
ramp() {
    local name=$1; shift
    local rate
    for rate in $RATES; do
        run_uac "$name" "$rate" "$@"
        ROWS+=("$TRANSPORT $ROW"); echo "  $TRANSPORT $ROW" >&2
        awk '{ ok = ($14 == 0 && $5 == 0 && $4 == $3 && $3 / $9 >= 0.95 * $2); exit !ok }' <<<"$ROW" || break
        sleep 2
    done
}

# Detail table (every run) and summary (per UAC: highest sustained rate, vs SIPp's).
report() {
    printf '%s\n' "$@" | awk -v secs="$SECS" '
        BEGIN { printf "%-4s %-12s %6s %7s %7s %6s %7s %7s %7s %7s %8s %8s %8s %7s %6s %3s %s\n",
                "-t", "UAC", "rate", "calls", "ok", "failed", "tcpconn", "tcpclos", "retrans",
                "wall s", "calls/s", "UAC us", "UAS us", "SYNdrop", "TW", "rc", "sustained" }
        { ok = ($15 == 0 && $6 == 0 && $5 == $4 && $4 / $10 >= 0.95 * $3)
          cps = ($10 > 0 ? $4 / $10 : 0)
          printf "%-4s %-12s %6d %7d %7s %6s %7s %7s %7s %7.2f %8.0f %8.1f %8.1f %7d %6d %3d %s\n",
                 $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, cps, $11 * 1e6 / $4, $12 * 1e6 / $4,
                 $13, $14, $15, (ok ? "yes" : "no")
          key = $1 " " $2
          if (!(key in seen)) { seen[key] = 1; order[++n] = key }
          if (ok && $3 > best[key]) { best[key] = $3; bcps[key] = cps
              bus[key] = $11 * 1e6 / $4; buas[key] = $12 * 1e6 / $4 } }
        END { printf "\n%-4s %-12s %14s %10s %12s %12s %14s\n", "-t", "UAC", "sustained c/s",
                "achieved", "UAC us/call", "UAS us/call", "rate vs SIPp"
              for (i = 1; i <= n; i++) { split(order[i], k, " ")
                  sipp = best[k[1] " sipp"]
                  printf "%-4s %-12s %14s %10.0f %12.1f %12.1f %14s\n", k[1], k[2],
                         (best[order[i]] ? best[order[i]] : "none"), bcps[order[i]],
                         bus[order[i]], buas[order[i]],
                         (sipp > 0 && best[order[i]] > 0 ? sprintf("%.1f", best[order[i]] / sipp) : "-") } }'
}

# Speed probe: this VM's single-thread speed drifts (other guests on the host): ~0.8 s when quiet,
# 1.85 s seen during a slow spell.
probe() { local t0=$EPOCHREALTIME i=0; while ((i < 1000000)); do ((i++)) || true; done
          awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f s", b - a }'; }
echo "== transport_bench: $(date -u '+%F %T UTC'), $(nproc) CPUs, SECS=$SECS, ulimit -n $NOFILE," \
     "-max_socket $MAXSOCK, UAS -workers $UAS_WORKERS, tcp_tw_reuse $(cat /proc/sys/net/ipv4/tcp_tw_reuse)" \
     "(logs: $OUT)"
echo "   speed probe (1M bash loop iterations): $(probe) at the start"

if [[ ${SKIP_TCP:-0} != 1 ]]; then
    ROWS=()
    TRANSPORT=tn; RATES=$TN_RATES
    start_uas tn $PORT -t tn
    # SIPp binds each tn socket before connecting, which is slow with many TIME-WAIT sockets
    # on the host: give it a clean start (bounded wait).
    for _ in $(seq "$TW_DRAIN"); do (( $(time_wait) < 2000 )) && break; sleep 1; done
    common=(127.0.0.1:$PORT -sn uac -t tn)
    ramp sipp        sipp        "${common[@]}" -p $((PORT + 1))
    ramp sipfleet-w1 "$SIPFLEET" "${common[@]}" -p $((PORT + 2)) -workers 1
    ramp sipfleet-w2 "$SIPFLEET" "${common[@]}" -p $((PORT + 3)) -workers 2
    stop_uas; echo "  after tn: $(ss -s | grep '^TCP:')" >&2

    TRANSPORT=t1; RATES=$T1_RATES
    start_uas t1 $((PORT + 10)) -t t1
    common=(127.0.0.1:$((PORT + 10)) -sn uac -t t1)
    ramp sipp        sipp        "${common[@]}" -p $((PORT + 11))
    ramp sipfleet-w1 "$SIPFLEET" "${common[@]}" -p $((PORT + 12)) -workers 1
    ramp sipfleet-w2 "$SIPFLEET" "${common[@]}" -p $((PORT + 13)) -workers 2
    stop_uas

    echo
    echo "TCP calls/s: -sn uac -d 0 -r RATE -m RATE*$SECS against one sipfleet UAS (-workers $UAS_WORKERS) per transport."
    echo "Sustained = rc 0, no failed call, ok = calls, calls/s (calls / wall, start-up and drain included) >= 95 % of rate."
    report "${ROWS[@]}"
fi

if [[ ${SKIP_TLS:-0} != 1 ]]; then
    CA="$OUT/ca"
    mkdir -p "$CA"
    "$TEST_CA" "$CA" >"$OUT/test_ca.log" 2>&1
    ROWS=()
    TRANSPORT=ln; RATES=$TLS_RATES
    start_uas ln $((PORT + 20)) -t ln -tls_cert "$CA/server.pem" -tls_key "$CA/server-key.pem"
    ramp "sipfleet-w$TLS_WORKERS" "$SIPFLEET" 127.0.0.1:$((PORT + 20)) -sn uac -t ln -tls_ca "$CA/ca.pem" \
        -p $((PORT + 21)) -workers "$TLS_WORKERS"
    resumed=""
    if [[ ${RESUME_CHECK:-1} == 1 ]] && command -v tshark >/dev/null; then
        # 200 connections at 100/s, captured: a ServerHello with the pre_shared_key extension
        # (41) is a resumed TLS 1.3 handshake.
        timeout 30 tshark -i lo -f "tcp port $((PORT + 20))" -s 2000 -a duration:20 -a filesize:50000 \
            -w "$OUT/ln-resume.pcap" >"$OUT/ln-resume.tshark.log" 2>&1 &
        ts=$!; PIDS+=("$ts"); sleep 2
        timeout 30 "$SIPFLEET" 127.0.0.1:$((PORT + 20)) -sn uac -t ln -tls_ca "$CA/ca.pem" -r 100 -m 200 \
            -d 0 -nostdin -p $((PORT + 22)) -workers 1 >"$OUT/ln-resume.log" 2>&1 </dev/null &
        PIDS+=("$!"); wait "$!" || true
        sleep 0.5; kill -INT "$ts" 2>/dev/null || true; wait "$ts" 2>/dev/null || true
        resumed=$(tshark -r "$OUT/ln-resume.pcap" -Y "tls.handshake.type == 2" -T fields \
            -e tls.handshake.extension.type -e tls.handshake.extensions.supported_version 2>/dev/null |
            awk '{ n++; if ($1 ~ /(^|,)41(,|$)/) r++; v[$2]++ }
                 END { for (k in v) vs = vs " " k; printf "%d of %d handshakes resumed (ServerHello with pre_shared_key), version%s", r, n, vs }')
    fi
    stop_uas
    echo
    echo "TLS (-t ln, one connection and one full TLS handshake or resumption per call; server auth only):"
    echo "calls/s = new TLS connections/s; UAC us / UAS us = CPU per connection; per core = 1e6 / us."
    report "${ROWS[@]}" | awk '{ print } NR == 1 { next }
        /^ln / && NF == 17 && $17 == "yes" { u = $12; s = $13; last = $3 " c/s: UAC " int(1e6 / u) \
            " conn/s per core, UAS " int(1e6 / s) " conn/s per core" }
        END { if (last != "") print "\nAt the highest sustained rate, " last }'
    if [[ -n $resumed ]]; then echo "Resumption check (-r 100 -m 200, same UAS): $resumed"; fi
fi
echo "speed probe (1M bash loop iterations): $(probe) at the end"
