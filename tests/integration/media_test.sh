#!/usr/bin/env bash
# The media plane over real loopback sockets, checked from the outside with
# tshark: play_pcap_audio sends the recording's payloads with its timing (the
# inter-packet gaps within 1 ms of the recorded ones, see
# compare_with_recording), play_dtmf's RFC 4733 events decode to the digits
# sent, and -rtp_echo returns what it receives.
# Usage: media_test.sh CASE BASE_PORT   (SIP on BASE_PORT, RTP echo on BASE_PORT+100)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
case_name=$1
port=$2
media_port=$((port + 100))
# SIPp's pcaps from Debian's sip-tester, laid out as uac_pcap names them
# (pcap/g711a.pcap, pcap/dtmf_2833_1.pcap) in a data folder of our own.
PCAPS=${SIPFLEET_SIP_TESTER_DIR:-/usr/share/sip-tester}
[[ -f $PCAPS/g711a.pcap ]] || fail "no $PCAPS/g711a.pcap: install sip-tester (scripts/install-deps.sh)"
mkdir -p data/pcap data/media
ln -s "$PCAPS"/*.pcap data/pcap/
# rtp_stream's audio (echo_toggle_uac.xml): a second of A-law made here,
# named as SIPp's own media file.
head -c 8000 /dev/zero | tr '\0' '\325' >data/media/beep_1sec_50x160b.alaw
export SIPFLEET_DATA_DIR=$WORKDIR/data
command -v tshark >/dev/null || fail "tshark is not installed (scripts/install-deps.sh)"

host=127.0.0.1
target=127.0.0.1:$port
if [[ $case_name == ipv6_media ]]; then host=::1; target="[::1]:$port"; fi
# A UAS that answers with [media_port] = media_port and echoes the RTP
# (echo_toggle: SIPp's regression #0259 UAS, which turns the echo off and on).
uas=(-sn uas)
if [[ $case_name == echo_toggle ]]; then
  uas_0259=${SIPFLEET_SHARED_DIR:-/nonexistent}/sipp/regress/github-#0259/uas.xml
  [[ -f $uas_0259 ]] || skip "SIPp's regression scenario $uas_0259 is not there (SIPp's corpus, ../shared)"
  uas=(-sf "$uas_0259")
fi
start_bg srv "$SIPFLEET" "${uas[@]}" -i "$host" -p "$port" -m 1 -nostdin -rtp_echo -mp "$media_port"
wait_udp_port "$port"
wait_udp_port "$media_port"

# capture SECONDS: RTP to and from the echo port, until the call is over.
capture() {
  start_bg cap tshark -i lo -f "udp port $media_port" -a "duration:$1" -w cap.pcapng
  # tshark says "Capturing on 'Loopback: lo'" once it listens.
  for _ in $(seq 1 200); do grep -q "Capturing on" cap.out && return 0; sleep 0.05; done
  fail "tshark did not start: $(cat cap.out)"
}

# fields FILE FILTER: "epoch-seconds payload-hex" per UDP packet matching FILTER.
fields() { tshark -r "$1" -Y "$2" -T fields -e frame.time_epoch -e udp.payload 2>/dev/null; }

# Compares captured packets with a recording, matched by payload (RTP
# payloads differ by sequence number and timestamp): every captured packet
# must be one of the recording's, in the recording's order; the gaps between
# packets consecutive in the recording must match the recorded gaps within
# 1 ms for 95 % of them and within 10 ms for all (one late wake-up of the
# sender or of tshark on a loaded 2-core machine is not a replay fault), and
# the last packet's offset from the first within 10 ms of the recording's (no
# drift accumulates). tshark may miss a packet on a loaded machine (the
# engine's own counters are checked separately), so up to 2 may be absent.
# Prints problems.
compare_with_recording() {
  local recording=$1 captured=$2
  awk 'NR == FNR { t[NR] = $1; c[$2]++; at[$2, c[$2]] = NR; n = NR; next }
       { if (!($2 in c)) { print "captured packet " FNR " is not in the recording"; next }
         # The earliest recorded copy after the last match (a DTMF end
         # packet is sent three times with the same bytes).
         i = 0
         for (k = 1; k <= c[$2]; k++) if (at[$2, k] > last) { i = at[$2, k]; break }
         if (i == 0) { print "packet " at[$2, 1] " out of order"; next }
         if (i == last + 1 && last > 0) {
           err = ($1 - prev) - (t[i] - t[last]); if (err < 0) err = -err
           if (err > worst) worst = err
           if (err >= 0.001) over++
           gaps++
         }
         if (seen == 0) { first_i = i; first_t = $1 }
         last = i; prev = $1; seen++ }
       END {
         drift = (prev - first_t) - (t[last] - t[first_i]); if (drift < 0) drift = -drift
         printf "worst gap error %.6f s, %d of %d gaps off by 1 ms or more, drift %.6f s, %d of %d packets captured\n", worst, over, gaps, drift, seen, n > "/dev/stderr"
         if (seen < n - 2) print "captured " seen " of the recording'"'"'s " n " packets"
         if (over > gaps * 0.05) print over " of " gaps " gaps are off by 1 ms or more (limit 5 %)"
         if (worst >= 0.010) print "a gap is off by " worst " s (limit 0.010)"
         if (drift >= 0.010) print "the last packet drifted " drift " s from the recording (limit 0.010)"
       }' "$recording" "$captured"
}

# dtmf_digits FILE FILTER: digits of the RFC 4733 events (payload type
# checked), one per event end, repeated end packets counted once.
dtmf_digits() {
  fields "$1" "$2" | awk '
    function hex(s,   i, n) {
      n = 0
      for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
      return n
    }
    { pt = hex(substr($2, 3, 2)) % 128
      ts = substr($2, 9, 8); ev = hex(substr($2, 25, 2)); e = hex(substr($2, 27, 2)) >= 128
      if (e && !(ts in done)) { done[ts] = 1; d = ev < 10 ? ev : (ev == 10 ? "*" : (ev == 11 ? "#" : "?")); out = out d }
      pts[pt] = 1 }
    END { for (p in pts) printf "pt%s ", p; print out }'
}

case $case_name in
  pcap_timing)
    capture 20
    # The UAC offers media port uac_media (its [media_port]); as SIPp, it
    # sends its RTP from that port.
    uac_media=$((port + 150))
    start_bg cli "$SIPFLEET" "127.0.0.1:$port" -sn uac_pcap -i 127.0.0.1 -m 1 -nostdin -timeout 30 \
      -mp "$uac_media"
    wait_exit "$cli_PID" 40
    check_eq "$EXIT_CODE" 0 "uac_pcap exit code ($(tail -n 2 cli.out | tr '\n' ' '))"
    check_grep "media: 246 RTP packets sent" cli.out "236 G.711 and 10 DTMF packets sent"
    wait_exit "$cap_PID" 30
    fields "$PCAPS/g711a.pcap" udp >rec.txt
    fields cap.pcapng "udp.dstport == $media_port" >sent.txt
    # The G.711 recording, then the DTMF capture (digit 1), each by payload.
    fields "$PCAPS/dtmf_2833_1.pcap" udp >rec_dtmf.txt
    awk 'NR == FNR { want[$2] = 1; next } $2 in want' rec.txt sent.txt >sent_g711.txt
    awk 'NR == FNR { want[$2] = 1; next } $2 in want' rec_dtmf.txt sent.txt >sent_dtmf.txt
    check_eq "$(compare_with_recording rec.txt sent_g711.txt)" "" "pcap replay"
    check_eq "$(compare_with_recording rec_dtmf.txt sent_dtmf.txt)" "" "DTMF pcap replay"
    check_eq "$(( $(wc -l <sent_g711.txt) + $(wc -l <sent_dtmf.txt) ))" "$(wc -l <sent.txt)" \
      "every captured packet is from a recording"
    check_eq "$(tshark -r cap.pcapng -Y "udp.dstport == $media_port" -T fields -e udp.srcport 2>/dev/null |
      sort -u | tr '\n' ' ')" "$uac_media " "RTP source port (the offered one)"
    finish_checks
    ;;
  dtmf)
    capture 10
    start_bg cli "$SIPFLEET" "127.0.0.1:$port" -sf "$here/media/play_dtmf.xml" \
      -i 127.0.0.1 -m 1 -nostdin -timeout 20
    wait_exit "$cli_PID" 30
    check_eq "$EXIT_CODE" 0 "play_dtmf exit code ($(tail -n 2 cli.out | tr '\n' ' '))"
    wait_exit "$cap_PID" 20
    # Our uas's answer has no telephone-event: SIPp's default 96 is used.
    check_eq "$(dtmf_digits cap.pcapng "udp.dstport == $media_port")" "pt96 159#" "DTMF digits"
    finish_checks
    ;;
  rtp_echo)
    capture 20
    start_bg cli "$SIPFLEET" "127.0.0.1:$port" -sn uac_pcap -i 127.0.0.1 -m 1 -nostdin -timeout 30
    wait_exit "$cli_PID" 40
    check_eq "$EXIT_CODE" 0 "uac_pcap exit code"
    wait_exit "$cap_PID" 30
    check_grep "media: 246 RTP packets sent" cli.out "packets sent"
    wait_exit "$srv_PID" 30
    check_grep "rtp echo: 246 packets echoed" srv.out "echo counter"
    # On the wire: what came back is what went out (tshark may miss a
    # packet or two on a loaded machine; the counters above are exact).
    fields cap.pcapng "udp.dstport == $media_port" | cut -f2 >to_echo.txt
    fields cap.pcapng "udp.srcport == $media_port" | cut -f2 >from_echo.txt
    (( $(wc -l <from_echo.txt) >= 244 )) || PROBLEMS+=("only $(wc -l <from_echo.txt) echoed packets captured")
    check_eq "$(awk 'NR == FNR { sent[$1] = 1; next } !($1 in sent)' to_echo.txt from_echo.txt | wc -l)" 0 \
      "echoed payloads that were never sent"
    finish_checks
    ;;
  echo_toggle)
    # 400 packets over 8 s; the UAS mutes its echo for this call from 2 s to
    # 4 s after the ACK: about 100 are dropped (muted), the rest echoed.
    start_bg cli "$SIPFLEET" "127.0.0.1:$port" -sf "$here/media/echo_toggle_uac.xml" -i 127.0.0.1 \
      -m 1 -nostdin -timeout 30
    wait_exit "$cli_PID" 40
    check_eq "$EXIT_CODE" 0 "uac exit code ($(tail -n 2 cli.out | tr '\n' ' '))"
    wait_exit "$srv_PID" 30
    check_eq "$EXIT_CODE" 0 "#0259 uas exit code ($(tail -n 2 srv.out | tr '\n' ' '))"
    read -r echoed muted < <(sed -n 's/.*rtp echo: \([0-9]*\) packets echoed, [0-9]* over -mb dropped, \([0-9]*\) muted.*/\1 \2/p' srv.out)
    (( ${muted:-0} >= 80 && ${muted:-0} <= 120 )) || PROBLEMS+=("muted packets: ${muted:-none}, expected about 100")
    (( ${echoed:-0} + ${muted:-0} >= 300 )) || PROBLEMS+=("echoed ${echoed:-none} + muted ${muted:-none}: too few packets")
    finish_checks
    ;;
  ipv6_media)
    # uac_pcap over IPv6 (SIP, SDP "IN IP6 ::1", RTP and the echo).
    start_bg cli "$SIPFLEET" "$target" -sn uac_pcap -i ::1 -m 1 -nostdin -timeout 30
    wait_exit "$cli_PID" 40
    check_eq "$EXIT_CODE" 0 "uac_pcap exit code ($(tail -n 2 cli.out | tr '\n' ' '))"
    check_grep "media: 246 RTP packets sent (59632 bytes), 0 send errors" cli.out "RTP sent over IPv6"
    wait_exit "$srv_PID" 30
    check_grep "rtp echo: 246 packets echoed" srv.out "RTP echoed over IPv6"
    finish_checks
    ;;
  *) fail "unknown case $case_name" ;;
esac
