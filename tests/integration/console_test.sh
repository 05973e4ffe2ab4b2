#!/usr/bin/env bash
# Operating a run as SIPp users do: keys in a real terminal (tmux), the UDP
# control socket, -bg with SIGUSR1, -timeout, -users and -rate_increase.
# Usage: console_test.sh CASE BASE_PORT   (SIP on BASE_PORT, control on BASE_PORT+1)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
case_name=$1
port=$2
control_port=$((port + 1))

# start_uas [ARGS...]: a sipfleet UAS on $port for the client under test.
start_uas() {
  start_bg uas "$SIPFLEET" -sn uas -i 127.0.0.1 -p "$port" -nostdin -cp $((port + 2)) "$@"
  wait_udp_port "$port"
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds.
wait_for() {
  local limit=$1 what=$2; shift 2
  for _ in $(seq 1 $((limit * 20))); do
    if "$@"; then return 0; fi
    sleep 0.05
  done
  fail "$what: not seen within ${limit}s"
}

# csv_has_value COLUMN VALUE FILE: some data row has VALUE in COLUMN.
csv_has_value() {
  local idx
  idx=$(csv_column_index "$1" "$3")
  [[ -n $idx ]] && tail -n +2 "$3" | cut -d';' -f"$idx" | grep -qx -- "$2"
}

# send_control TEXT: one datagram to the client's control socket.
send_control() { printf '%s\n' "$1" >"/dev/udp/127.0.0.1/$control_port"; }

case $case_name in
tmux_keys)
  # A person at a terminal: screen 2, three '+', pause, resume, quit.
  command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps.sh)"
  start_uas
  session="sipfleet-test-$$"
  export TMUX_TMPDIR=$WORKDIR  # a tmux server of our own, gone with the folder
  tmux -f /dev/null new-session -d -s "$session" -x 100 -y 50 \
    "cd '$WORKDIR' && TERM=xterm-256color '$SIPFLEET' -sn uac 127.0.0.1:$port -r 5 -m 5000 \
       -cp $control_port -trace_stat -stf keys.csv -fd 1; echo \$? >exit_code; sleep 60"
  tmux_pid=$(tmux list-panes -t "$session" -F '#{pane_pid}')
  STARTED_PIDS+=("$tmux_pid")
  trap 'tmux kill-server 2>/dev/null || true; cleanup' EXIT
  screen_has() { tmux capture-pane -p -t "$session" >screen.txt && grep -q -- "$1" screen.txt; }
  wait_for 10 "scenario screen" screen_has "Scenario Screen"
  tmux send-keys -t "$session" 2
  wait_for 5 "statistics screen after '2'" screen_has "Statistics Screen"
  for _ in 1 2 3; do tmux send-keys -t "$session" +; done
  wait_for 5 "rate 8 after three '+'" screen_has "Call rate set to 8"
  tmux send-keys -t "$session" 1
  wait_for 5 "rate 8 on the scenario screen" screen_has "^  8\.0(0 ms)/1\.000s"
  tmux send-keys -t "$session" p
  wait_for 5 "paused banner after 'p'" screen_has "Traffic Paused - Press \[p\] again to resume"
  cp screen.txt paused.txt
  tmux send-keys -t "$session" p
  wait_for 5 "key help back after the second 'p'" screen_has "\[p\]: Pause traffic"
  tmux send-keys -t "$session" q
  wait_for 20 "exit after 'q'" test -s exit_code
  check_eq "$(cat exit_code)" 0 "exit code after q"
  check_eq "$(csv_value FailedCall\(C\) keys.csv)" 0 "failed calls"
  csv_has_value TargetRate 8 keys.csv || PROBLEMS+=("TargetRate 8 not in keys.csv: $(cut -d';' -f6 keys.csv | tr '\n' ' ')")
  # The terminal is given back (no curses screen left behind).
  tmux capture-pane -p -t "$session" >final.txt
  finish_checks
  ;;
control_socket)
  # echo '*' raises the rate by 10, "cset rate 50" sets it, q ends the run.
  start_uas
  start_bg uac "$SIPFLEET" -sn uac 127.0.0.1:$port -r 10 -m 100000 -timeout 60 -nostdin \
    -cp $control_port -trace_stat -stf ctl.csv -fd 1
  wait_udp_port "$control_port"
  wait_for 10 "a row at rate 10" csv_has_value TargetRate 10 ctl.csv
  send_control '*'
  wait_for 10 "a row at rate 20 after '*'" csv_has_value TargetRate 20 ctl.csv
  send_control 'cset rate 50'
  wait_for 10 "a row at rate 50 after 'cset rate 50'" csv_has_value TargetRate 50 ctl.csv
  # Two more full periods at 50 calls/s.
  rows=$(wc -l <ctl.csv)
  wait_for 10 "two more rows" bash -c "(( \$(wc -l <ctl.csv) >= $rows + 2 ))"
  send_control q
  wait_exit "$uac_PID" 20
  check_eq "$EXIT_CODE" 0 "exit code after q"
  check_eq "$(csv_value FailedCall\(C\) ctl.csv)" 0 "failed calls"
  # A whole period at 50 calls/s placed about 50 calls.
  idx=$(csv_column_index 'OutgoingCall(P)' ctl.csv)
  rate_idx=$(csv_column_index TargetRate ctl.csv)
  at50=$(awk -F';' -v r="$rate_idx" -v o="$idx" 'NR > 1 && $r == 50 { n++; if (n == 2) print $o }' ctl.csv)
  ((at50 >= 40 && at50 <= 60)) || PROBLEMS+=("calls in a period at rate 50: '$at50'")
  finish_checks
  ;;
control_garbage)
  # Garbage on the control socket is counted and changes nothing.
  start_uas
  start_bg uac "$SIPFLEET" -sn uac 127.0.0.1:$port -r 20 -m 60 -nostdin -cp $control_port \
    -trace_stat -stf garbage.csv
  wait_udp_port "$control_port"
  for junk in 'x' 'cset rate' 'cset rate -3' 'cfoo bar' 'ctrace nothing on' '' 'cset users 9'; do
    send_control "$junk"
  done
  head -c 1500 /dev/urandom | tr -d 'qQp+*/-' >junk.bin
  cat junk.bin >"/dev/udp/127.0.0.1/$control_port"
  wait_exit "$uac_PID" 30
  check_eq "$EXIT_CODE" 0 "exit code"
  check_eq "$(csv_value SuccessfulCall\(C\) garbage.csv)" 60 "successful calls"
  check_grep "control: .* not understood" uac.out "rejected control input reported"
  finish_checks
  ;;
bg_capture)
  # A user's script: pid=$(sipfleet ... -bg) must return at once, even when
  # stderr is captured too (the child lets go of all three streams, as
  # SIPp's does), then SIGUSR1 drains the -d 500 calls in well under 1 s.
  # Side by side with SIPp. The detached child is not ours to wait for: it
  # has ended when it is gone or a zombie waiting for init to reap it.
  start_uas
  ended() {
    [[ ! -e /proc/$1/stat ]] && return 0
    [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) == Z ]]
  }
  bg_run() {  # NAME BINARY CLIENT_PORT
    local name=$1 binary=$2 t0 t1 out pid rc=0
    t0=$(date +%s%N)
    out=$("$binary" -sn uac 127.0.0.1:$port -i 127.0.0.1 -p "$3" -r 20 -d 500 -m 100000 -bg -cp "$control_port" \
          -trace_stat -stf "$name.csv" -fd 1 2>&1) || rc=$?
    t1=$(date +%s%N)
    check_eq "$rc" 99 "$name: -bg parent's exit code"
    pid=$(sed -n 's/^Background mode - PID=\[\([0-9]*\)\]$/\1/p' <<<"$out")
    [[ -n $pid ]] || fail "$name: no 'Background mode - PID=[n]' line: $out"
    STARTED_PIDS+=("$pid")
    echo "$name: \$(... -bg 2>&1) returned in $(((t1 - t0) / 1000000)) ms: $out"
    (((t1 - t0) < 1000000000)) || PROBLEMS+=("$name: \$(... -bg) took $(((t1 - t0) / 1000000)) ms")
    # Calls in progress: wait for the first whole -fd period with some.
    wait_for 10 "$name: calls running" bash -c "[[ -f $name.csv ]] && (( \$(wc -l <$name.csv) >= 3 ))"
    t0=$(date +%s%N)
    kill -USR1 "$pid"
    for _ in $(seq 1 400); do ended "$pid" && break; sleep 0.01; done
    t1=$(date +%s%N)
    ended "$pid" || fail "$name: still running 4 s after SIGUSR1"
    echo "$name: ended $(((t1 - t0) / 1000000)) ms after SIGUSR1"
    (((t1 - t0) < 1000000000)) || PROBLEMS+=("$name: SIGUSR1 drain took $(((t1 - t0) / 1000000)) ms")
  }
  bg_run sipfleet "$SIPFLEET" $((port + 3))
  if command -v sipp >/dev/null; then
    bg_run sipp sipp $((port + 3))
  fi
  check_eq "$(csv_value FailedCall\(C\) sipfleet.csv)" 0 "failed calls"
  check_eq "$(csv_value CurrentCall sipfleet.csv)" 0 "calls left open"
  finish_checks
  ;;
bg_sigusr1)
  # -bg prints the PID and detaches; SIGUSR1 stops new calls and the process
  # exits once its calls end. The same with real SIPp, for the exit code.
  start_uas
  python3 - "$SIPFLEET" "$port" >bg.txt 2>&1 <<'PY' || fail "bg run: $(cat bg.txt)"
import ctypes, os, re, signal, subprocess, sys, time
# Become the subreaper, so the detached run reports its exit code to us.
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
def run(binary, extra):
    out = subprocess.run([binary, "-sn", "uac", "127.0.0.1:" + sys.argv[2], "-r", "20",
                          "-d", "1500", "-m", "100000", "-bg", "-trace_stat", "-stf",
                          extra + ".csv", "-fd", "1", "-cp", str(int(sys.argv[2]) + 3)],
                         stdout=subprocess.PIPE, stderr=open(extra + ".err", "w"), text=True,
                         timeout=20)
    m = re.search(r"Background mode - PID=\[(\d+)\]", out.stdout)
    assert m, "no PID printed: %r" % out.stdout
    pid = int(m.group(1))
    print(extra, "parent exit", out.returncode)
    time.sleep(1)
    # SIGUSR2 dumps the screens to <scenario>_<pid>_screen.log.
    os.kill(pid, signal.SIGUSR2)
    dump = "uac_%d_screen.log" % pid
    for _ in range(200):
        if os.path.exists(dump) and "Statistics Screen" in open(dump, errors="replace").read():
            break
        time.sleep(0.05)
    else:
        raise SystemExit("%s: no screens in %s after SIGUSR2: %s" % (extra, dump, os.listdir(".")))
    print(extra, "screen dump", dump.replace(str(pid), "PID"))
    time.sleep(1)  # calls in progress (1.5 s each, 20/s)
    os.kill(pid, signal.SIGUSR1)
    sent = time.time()
    deadline = sent + 20
    while True:
        got, status = os.waitpid(pid, os.WNOHANG)
        if got == pid:
            break
        if time.time() > deadline:
            os.kill(pid, signal.SIGKILL)
            raise SystemExit("still running 20 s after SIGUSR1")
        time.sleep(0.05)
    print(extra, "child exit", os.waitstatus_to_exitcode(status), "after %.1f s" % (time.time() - sent))
run(sys.argv[1], "sipfleet")
run("sipp", "sipp")
PY
  cat bg.txt
  check_grep "sipfleet parent exit 99" bg.txt "sipfleet -bg parent exit code"
  check_grep "sipp parent exit 99" bg.txt "sipp -bg parent exit code"
  ours=$(sed -n 's/^sipfleet child exit \([0-9]*\).*/\1/p' bg.txt)
  theirs=$(sed -n 's/^sipp child exit \([0-9]*\).*/\1/p' bg.txt)
  check_eq "$ours" "$theirs" "exit code after SIGUSR1, sipfleet vs SIPp"
  check_eq "$ours" 0 "exit code after SIGUSR1"
  check_grep "sipfleet screen dump uac_PID_screen.log" bg.txt "SIGUSR2 screen dump"
  created=$(csv_value TotalCallCreated sipfleet.csv)
  ok=$(csv_value SuccessfulCall\(C\) sipfleet.csv)
  failed=$(csv_value FailedCall\(C\) sipfleet.csv)
  ((created > 0)) || PROBLEMS+=("no calls before SIGUSR1")
  check_eq "$ok" "$created" "every call created ended successfully"
  check_eq "$failed" 0 "failed calls"
  check_eq "$(csv_value CurrentCall sipfleet.csv)" 0 "calls left open"
  finish_checks
  ;;
timeout_graceful)
  # -timeout stops new calls and waits for the calls in progress (SIPp
  # 3.6.1); -timeout_error ends at once with 255.
  start_uas
  start=$(date +%s%N)
  start_bg uac "$SIPFLEET" -sn uac 127.0.0.1:$port -r 5 -d 2000 -m 1000 -timeout 1 -nostdin \
    -cp $control_port -trace_stat -stf t.csv -trace_screen
  wait_exit "$uac_PID" 20
  # -trace_screen: the final screens, named after the process.
  check_grep "Test Terminated" "uac_${uac_PID}_screen.log" "final screens"
  check_grep "Statistics Screen" "uac_${uac_PID}_screen.log" "final screens"
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  check_eq "$EXIT_CODE" 0 "exit code after -timeout"
  ((elapsed_ms >= 2500)) || PROBLEMS+=("ended after ${elapsed_ms} ms: calls were cut, not finished")
  created=$(csv_value TotalCallCreated t.csv)
  ((created >= 3 && created <= 8)) || PROBLEMS+=("calls created in 1 s at 5/s: $created")
  check_eq "$(csv_value SuccessfulCall\(C\) t.csv)" "$created" "every call finished"
  start_bg uac2 "$SIPFLEET" -sn uac 127.0.0.1:$port -r 5 -d 2000 -m 1000 -timeout 1 \
    -timeout_error -nostdin -cp $control_port
  wait_exit "$uac2_PID" 20
  check_eq "$EXIT_CODE" 255 "exit code with -timeout_error"
  finish_checks
  ;;
users)
  # -users: a closed loop of 4 calls; -r 1 would need 40 s for 40 calls.
  start_uas
  start_bg uac "$SIPFLEET" -sn uac 127.0.0.1:$port -users 4 -r 1 -d 300 -m 40 -nostdin \
    -cp $control_port -trace_stat -stf users.csv -fd 1
  wait_exit "$uac_PID" 20
  check_eq "$EXIT_CODE" 0 "exit code"
  check_eq "$(csv_value SuccessfulCall\(C\) users.csv)" 40 "successful calls"
  max_open=$(awk -F';' -v c="$(csv_column_index CurrentCall users.csv)" 'NR > 1 && $c > m { m = $c } END { print m + 0 }' users.csv)
  ((max_open <= 4)) || PROBLEMS+=("more than 4 calls open: $max_open")
  finish_checks
  ;;
rate_increase)
  # -rate_increase 5 every second from 5 up to -rate_max 15, then quit.
  start_uas
  start_bg uac "$SIPFLEET" -sn uac 127.0.0.1:$port -r 5 -rate_increase 5 -rate_interval 1 \
    -rate_max 15 -m 100000 -nostdin -cp $control_port -trace_stat -stf inc.csv -fd 1
  wait_exit "$uac_PID" 20
  check_eq "$EXIT_CODE" 0 "exit code"
  rates=$(tail -n +2 inc.csv | cut -d';' -f"$(csv_column_index TargetRate inc.csv)" | uniq | tr '\n' ' ')
  [[ $rates == "5 10 15 "* ]] || PROBLEMS+=("TargetRate progression: $rates")
  finish_checks
  ;;
quit_now)
  # Q ends calls in progress at once with BYEs (SIPp 3.6.1 hangs here): the
  # UAS sees every call end well, the client exits within a second.
  start_uas -trace_stat -stf uas.csv
  start_bg uac "$SIPFLEET" -sn uac 127.0.0.1:$port -r 5 -d 5000 -m 100 -nostdin -cp $control_port \
    -trace_stat -stf q.csv -fd 1
  wait_for 10 "three calls open" bash -c "awk -F';' 'NR > 1 { c = \$14 } END { exit !(c >= 3) }' q.csv"
  send_control Q
  wait_exit "$uac_PID" 2
  check_eq "$EXIT_CODE" 0 "exit code after Q"
  created=$(csv_value TotalCallCreated q.csv)
  kill -USR1 "$uas_PID"
  wait_exit "$uas_PID" 10
  check_eq "$(csv_value SuccessfulCall\(C\) uas.csv)" "$created" "calls the UAS saw end with a BYE"
  check_eq "$(csv_value FailedCall\(C\) uas.csv)" 0 "calls failed at the UAS"
  finish_checks
  ;;
sleep_start)
  # -sleep 2: the first call leaves 2 s after the start, not at once.
  # (A -m 1 -d 0 call alone takes milliseconds.)
  start_uas
  start=$(date +%s%N)
  start_bg uac "$SIPFLEET" -sn uac 127.0.0.1:$port -m 1 -sleep 2 -nostdin -cp $control_port
  wait_exit "$uac_PID" 10
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  check_eq "$EXIT_CODE" 0 "exit code"
  ((elapsed_ms >= 2000)) || PROBLEMS+=("ended after ${elapsed_ms} ms, before -sleep 2 was over")
  finish_checks
  ;;
*) fail "unknown case $case_name" ;;
esac
