#!/usr/bin/env bash
# Media: how many concurrent play_pcap_audio calls one sipfleet worker (one core) sends with a
# send-timing error p99 < 1 ms and no send error, and the same scenario with real SIPp at small
# concurrency. Scenario bench/pcap_hold.xml (INVITE/200/ACK, pcap/g711a.pcap = 236 RTP packets
# ~30 ms apart over 7.05 s, 7.5 s pause, BYE/200) against one sipfleet UAS running
# bench/pcap_uas.xml, which answers each call with its own RTP port ([auto_media_port]).
# Level C: -r round(C / HOLD) -m 2C, so about C calls are up at once for HOLD seconds.
# Timing error, two yardsticks:
#  * internal (sipfleet only): the UAC's "sipfleet: media: ... lateness p50/p99/max" line: for
#    every packet, start of the send pass that emits it minus its scheduled time (the pass then
#    sends its whole batch with sendmmsg, which this does not include);
#  * external (both tools): a capture on lo (tshark, BPF-sampled calls, snaplen 64) split per
#    call by destination port; per call, |inter-packet delta - the recording's delta| for
#    consecutive RTP sequence numbers.
# Env: LEVELS (sipfleet, "100 500 1000 2000 3000 4000 5000 7000 10000"; stops after the first
#      level that fails), EXT_LEVELS (sipfleet levels also captured, "1000 2000 4000"),
#      SIPP_LEVELS ("50 100 200 400 1000 2000", all run, all captured), SKIP_SIPP (1 = skip),
#      HOLD (7.6 s), PORT (25700: UAS; UACs PORT+1, PORT+2; media PORT+100, PORT+200), MPORT
#      (40000: UAS RTP ports MPORT..MPORT+9996), DATA (/work/shared/sipp, holds
#      pcap/g711a.pcap), SIPFLEET, OUT.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LEVELS=${LEVELS:-100 500 1000 2000 3000 4000 5000 7000 10000}
EXT_LEVELS=${EXT_LEVELS:-1000 2000 4000}
SIPP_LEVELS=${SIPP_LEVELS:-50 100 200 400 1000 2000}
HOLD=${HOLD:-7.6}
PORT=${PORT:-25700}
MPORT=${MPORT:-40000}
DATA=${DATA:-/work/shared/sipp}
SIPFLEET=${SIPFLEET:-$ROOT/build/agent/sipfleet}
OUT=${OUT:-$(mktemp -d /tmp/sipfleet-media.XXXXXX)}
BUF=4194304
REF=$DATA/pcap/g711a.pcap
mkdir -p "$OUT"
[[ -r $REF ]] || { echo "no $REF" >&2; exit 1; }
(( MPORT % 10000 == 0 )) || { echo "MPORT must be a multiple of 10000 (call sampling)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
export SIPFLEET_DATA_DIR=$DATA
cd "$OUT"
ln -sfn "$DATA/pcap" pcap                  # SIPp reads pcap/g711a.pcap from the working folder

source "$ROOT/bench/lib.sh"   # PIDS, kill_tree, cleanup on exit

# UAS: SIP only (one worker). Nothing listens on the RTP ports it announces, so the kernel
# drops the RTP after the capture point.
# -m: a bound, and it also keeps the UAS's [call_number] (hence [auto_media_port]) increasing:
# without -m, sipfleet's UAS numbers calls by their reused table slot (see RESULTS.md).
UAS_CALLS=1000
for c in $LEVELS $SIPP_LEVELS; do UAS_CALLS=$((UAS_CALLS + 2 * c)); done
timeout 1800 "$SIPFLEET" -sf "$ROOT/bench/pcap_uas.xml" -p "$PORT" -mp "$MPORT" -buff_size $BUF \
    -nostdin -workers 1 -m "$UAS_CALLS" >"$OUT/uas.log" 2>&1 &
UAS_T=$!; PIDS+=("$UAS_T"); sleep 1
kill -0 "$UAS_T" || { echo "UAS failed to start, see $OUT/uas.log" >&2; exit 1; }

# The recording's inter-packet delta per RTP sequence number.
tshark -r "$REF" -o rtp.heuristic_rtp:TRUE -T fields -e frame.time_epoch -e rtp.seq 2>/dev/null |
    awk '{ if (ps != "") printf "%s %.9f\n", ps, $1 - pt; pt = $1; ps = $2 }' >"$OUT/ref_deltas.txt"

# ext_error CAPTURE: "pairs p50 p99 max" (µs) of |delta - recorded delta| over the consecutive
# packets (seq n, n+1) of each destination port, i.e. of each call. A pair must be less than
# 0.5 s apart, so two calls that used the same port at different times are never mixed.
ext_error() {
    tshark -r "$1" -o rtp.heuristic_rtp:TRUE -T fields -e frame.time_epoch -e udp.dstport -e rtp.seq \
        2>/dev/null | awk -v ref="$OUT/ref_deltas.txt" '
        BEGIN { while ((getline l < ref) > 0) { split(l, f, " "); D[f[1]] = f[2] } }
        NF == 3 { k = $2 SUBSEP ($3 - 1)
                  if ((k in T) && $1 - T[k] < 0.5 && (($3 - 1) in D)) {
                      e = ($1 - T[k]) - D[$3 - 1]; if (e < 0) e = -e; printf "%.1f\n", e * 1e6 }
                  T[$2 SUBSEP $3] = $1 }' |
    sort -n | awk 'function q(f,  i) { i = int(NR * f) + 1; if (i > NR) i = NR; return a[i] }
        { a[NR] = $1 } END { if (NR == 0) { print "0 - - -"; exit }
          printf "%d %.0f %.0f %.0f\n", NR, q(0.5), q(0.99), a[NR] }'
}

# Sample about 100 calls per capture: calls whose number n has (n - 1) % K == 0, i.e. RTP port
# (MPORT + 4 * ((n - 1) % 2500)) with (port - MPORT) % 4K == 0; K divides 2500.
sample_step() { local k; for k in 1 2 4 5 10 20 25 50 100; do (( k * 100 >= $1 )) && break; done; echo "$k"; }

# level TOOL C CAPTURE(0/1) CMD...: one UAC run. Appends to ROWS:
# tool C rate calls peak ok failed retrans packets senderr ip50 ip99 imax pairs ep50 ep99 emax
# cpu_s wall_s rc
level() {
    local tool=$1 c=$2 cap=$3; shift 3
    local rate calls tag stf tf rc=0 t0 t1 ts="" step
    tag="$tool-$c"; stf="$OUT/$tag.csv"; tf="$OUT/$tag.times"
    rate=$(awk -v c="$c" -v h="$HOLD" 'BEGIN { r = int(c / h + 0.5); print (r < 1 ? 1 : r) }')
    calls=$((2 * c))
    local limit; limit=$(awk -v c="$calls" -v r="$rate" -v h="$HOLD" 'BEGIN { printf "%d", c / r + 3 * h + 30 }')
    if [[ $cap == 1 ]]; then
        step=$(sample_step "$c")
        timeout $((limit + 10)) tshark -i lo -s 64 -B 64 -a duration:$((limit + 5)) -a filesize:200000 \
            -f "udp dst portrange $MPORT-$((MPORT + 9999)) and (udp[2:2] - $MPORT) % $((4 * step)) = 0" \
            -w "$OUT/$tag.pcap" >"$OUT/$tag.tshark.log" 2>&1 &
        ts=$!; PIDS+=("$ts"); sleep 2
    fi
    rm -f "$stf"; t0=$EPOCHREALTIME
    TF=$tf timeout "$limit" bash -c '"$@"; rc=$?; times >"$TF"; exit $rc' _ "$@" \
        -sf "$ROOT/bench/pcap_hold.xml" -r "$rate" -m "$calls" -nostdin -buff_size $BUF \
        -trace_stat -fd 1 -stf "$stf" >"$OUT/$tag.log" 2>&1 </dev/null &
    local uac_t=$!; PIDS+=("$uac_t")
    wait "$uac_t" || rc=$?
    t1=$EPOCHREALTIME
    local ext="- - - -"
    if [[ -n $ts ]]; then
        kill -INT "$ts" 2>/dev/null || true; wait "$ts" 2>/dev/null || true
        ext="$(ext_error "$OUT/$tag.pcap") 1/$step"
    else
        ext="$ext -"
    fi
    local cpu peak counters media
    cpu=$(awk 'NR==2 { n=split($0,a,/[ms ]+/); print a[1]*60+a[2]+a[3]*60+a[4] }' "$tf" 2>/dev/null || true)
    peak=$(awk -F';' 'NR > 1 && $14 + 0 > m { m = $14 + 0 } END { print m + 0 }' "$stf" 2>/dev/null || echo "?")
    counters=$(tail -n 1 "$stf" 2>/dev/null | awk -F';' '$16 ~ /^[0-9]+$/ {print $16, $18, $58}' || true)
    # sipfleet: media: N RTP packets sent (B bytes), E send errors, lateness p50 X us, p99 Y us, max Z us
    media=$(sed -n 's/^sipfleet: media: \([0-9]*\) RTP packets sent ([0-9]* bytes), \([0-9]*\) send errors, lateness p50 \([0-9]*\) us, p99 \([0-9]*\) us, max \([0-9]*\) us.*/\1 \2 \3 \4 \5/p' \
        "$OUT/$tag.log" | tail -n 1)
    local wall; wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
    ROWS+=("$tool $c $rate $calls $peak ${counters:-? ? ?} ${media:-- - - - -} $ext ${cpu:-nan} $wall $rc")
    echo "  ${ROWS[-1]}" >&2
}

# sipfleet passes a level with rc 0, no failed call, no send error and internal p99 < 1000 µs.
passed() { awk '{ exit !($21 == 0 && $7 == 0 && $6 == $4 && $10 == 0 && $12 + 0 < 1000) }' <<<"$1"; }

# Speed probe: this VM's single-thread speed drifts (other guests on the host): ~0.8 s when quiet,
# 1.85 s seen during a slow spell.
probe() { local t0=$EPOCHREALTIME i=0; while ((i < 1000000)); do ((i++)) || true; done
          awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f s", b - a }'; }
echo "== media_bench: $(date -u '+%F %T UTC'), $(nproc) CPUs, HOLD=$HOLD s, UAS sipfleet -sf pcap_uas.xml" \
     "-workers 1 on 127.0.0.1:$PORT (logs: $OUT)"
echo "   speed probe (1M bash loop iterations): $(probe) at the start"
ROWS=()
for c in $LEVELS; do
    cap=0; [[ " $EXT_LEVELS " == *" $c "* ]] && cap=1
    level sipfleet-w1 "$c" "$cap" "$SIPFLEET" 127.0.0.1:"$PORT" -p $((PORT + 1)) -mp $((PORT + 100)) -workers 1
    passed "${ROWS[-1]}" || break
    sleep 2
done
if [[ ${SKIP_SIPP:-0} != 1 ]]; then
    for c in $SIPP_LEVELS; do
        sleep 2
        level sipp "$c" 1 sipp 127.0.0.1:"$PORT" -p $((PORT + 2)) -mp $((PORT + 200))
    done
fi

echo
echo "play_pcap_audio g711a.pcap (236 pkts, 7.05 s) per call; UAC -r C/$HOLD -m 2C; peak = max CurrentCall."
echo "int = sipfleet's own lateness (start of its send pass - scheduled), ext = capture on lo, |delta - recorded delta|"
echo "per call (sample = share of the calls captured). Times in µs. CPU = UAC user+sys, core% = CPU / wall."
printf '%s\n' "${ROWS[@]}" | awk '
    BEGIN { printf "%-12s %6s %5s %6s %6s %6s %6s %7s %8s %6s %6s %6s %6s %7s %6s %6s %6s %6s %7s %6s %3s %s\n",
            "UAC", "C", "rate", "calls", "peak", "ok", "failed", "retrans", "packets", "senderr",
            "int50", "int99", "intmax", "pairs", "ext50", "ext99", "extmax", "sample", "CPU s",
            "core%", "rc", "p99<1ms" }
    { ok = ($21 == 0 && $7 == 0 && $6 == $4 && ($1 == "sipp" || $10 == 0))
      p99 = ($1 == "sipp" ? $16 : $12); good = ok && p99 != "-" && p99 + 0 < 1000
      printf "%-12s %6d %5d %6d %6s %6s %6s %7s %8s %6s %6s %6s %6s %7s %6s %6s %6s %6s %7.2f %6.0f %3d %s\n",
             $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
             $19, ($20 > 0 ? 100 * $19 / $20 : 0), $21, (good ? "yes" : "no")
      if (good && $2 > best[$1]) best[$1] = $2
      if (ok && $16 != "-" && $16 + 0 < 1000 && $2 > ext[$1]) ext[$1] = $2 }
    function v(x) { return x > 0 ? x : "none" }
    END { printf "\nLargest level with p99 < 1 ms and no failed call (sipfleet also 0 send errors):\n"
          printf "  own yardstick (sipfleet: int; SIPp: ext):  sipfleet -workers 1 %s, sipp %s", v(best["sipfleet-w1"]), v(best["sipp"])
          if (best["sipp"] > 0 && best["sipfleet-w1"] > 0) printf "  (ratio %.1f)", best["sipfleet-w1"] / best["sipp"]
          printf "\n  ext on both (captured levels only):        sipfleet -workers 1 %s, sipp %s", v(ext["sipfleet-w1"]), v(ext["sipp"])
          if (ext["sipp"] > 0 && ext["sipfleet-w1"] > 0) printf "  (ratio %.1f)", ext["sipfleet-w1"] / ext["sipp"]
          printf "\n" }'
echo "speed probe (1M bash loop iterations): $(probe) at the end"
