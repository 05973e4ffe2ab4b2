#!/bin/bash
# An agent whose remote host is a name DNS publishes late (a Kubernetes
# headless Service once the pod is ready, podman's resolver once the
# container runs): prepare keeps trying for -resolve_wait, heartbeats going
# on, instead of failing the run at once.
#  1. The UAC agent's name appears 1 s into its wait: the run completes, 20
#     calls, exit 0, and the agent says it waited and that the name resolves.
#  2. A name that never appears, -resolve_wait 1: the master fails the run
#     at prepare with the resolver's answer (exit 255) within a few seconds.
#  3. A DNS server that never answers (podman's resolver forwarding an
#     unknown name to an upstream that is not there: 40 s of timeouts in a
#     CI run; here 2 x 30 s). The first lookup hangs; the name appears in /etc/hosts once
#     the server has seen the query; a second lookup, started beside the
#     hung one, finds it, and the run completes with the heartbeats having
#     gone on (before, the agent's session blocked in getaddrinfo past its
#     lease and the master lost it).
# The UAC agent runs in a mount namespace of its own whose /etc/hosts,
# nsswitch.conf and resolv.conf the test writes: `hosts: files`, or for 3
# `files dns` with the test's silent server on 127.0.0.153, so no DNS query
# leaves the machine. Needs root (unshare -m, port 53); skips with 77
# otherwise.
# Usage: resolve_wait_test.sh <sipfleet-master> <sipfleet-agent> <port base> (6 ports)
set -u
MASTER=$1 AGENT=$2 BASE=$3
source "$(dirname "$0")/lib.sh"
unshare -m true 2>/dev/null || { echo "SKIP: unshare -m needs root or CAP_SYS_ADMIN"; exit 77; }

printf '127.0.0.1 localhost\n' >"$DIR/hosts"
printf 'hosts: files\n' >"$DIR/nsswitch.conf"
printf 'nameserver 127.0.0.153\noptions timeout:30 attempts:2\n' >"$DIR/resolv.conf"
# uac_agent NAME ARGS...: the agent in its own mount namespace (private
# /etc/hosts, nsswitch.conf and resolv.conf).
uac_agent() {
  local name=$1; shift
  unshare -m --propagation private sh -c \
    'for f in hosts nsswitch.conf resolv.conf; do mount --bind "$1/$f" /etc/$f || exit 1; done &&
     shift && exec "$@"' _ "$DIR" "$AGENT" -name "$name" "$@" >"$DIR/$name.out" 2>"$DIR/$name.err" &
  PIDS+=($!); LAST=$!
}

# cluster PORT HOST N: master N on PORT, whose run calls HOST:PORT+1 where
# its UAS agent uas1 listens, and that agent; the master's PID in M.
cluster() {
  local port=$1 host=$2 n=$3
  "$MASTER" -listen 127.0.0.1:$port -agents uas1,uac1 -uas_agents uas1 \
    -uas_bind uas1=127.0.0.1:$((port + 1)) -sn uac -r 50 -m 20 -d 0 "$host:$((port + 1))" \
    -nostdin >"$DIR/m$n.out" 2>"$DIR/m$n.err" &
  M=$!; PIDS+=($M)
  wait_for "$DIR/m$n.err" "listening on port"
  "$AGENT" -master 127.0.0.1:$port -name uas1 >"$DIR/uas1-$n.out" 2>"$DIR/uas1-$n.err" &
  PIDS+=($!)
}

# 1. The name appears while the agent waits.
cluster $BASE sf-uas-later.test 1
uac_agent uac1 -master 127.0.0.1:$BASE -resolve_wait 20
wait_for "$DIR/uac1.err" "cannot resolve host 'sf-uas-later.test'.*trying again for up to 20 s"
T0=$(now_ms)
echo "127.0.0.1 sf-uas-later.test" >>"$DIR/hosts"   # same inode: the bind mount sees it
wait_pid "$M" 30
[ "$RC" = 0 ] || fail "run: master exit $RC, expected 0"
grep -q "20 calls, 20 successful, 0 failed" "$DIR/m1.err" "$DIR/m1.out" || fail "run: verdict"
grep -q "'sf-uas-later.test:$((BASE + 1))' resolves now" "$DIR/uac1.err" || fail "no 'resolves now'"
echo "ok: the name appeared during the wait; the run completed in $(( $(now_ms) - T0 )) ms after it"

# 2. A name that never appears.
cluster $((BASE + 2)) sf-never.test 2
uac_agent uac1 -master 127.0.0.1:$((BASE + 2)) -resolve_wait 1
T0=$(now_ms)
wait_pid "$M" 20
T=$(( $(now_ms) - T0 ))
[ "$RC" = 255 ] || fail "never: master exit $RC, expected 255"
grep -q "agent 'uac1' failed to prepare: cannot resolve host 'sf-never.test'" "$DIR/m2.err" ||
  fail "never: the master does not name the agent and the name"
grep -q "trying again for up to 1 s" "$DIR/uac1.err" || fail "never: the agent did not wait"
echo "ok: a name that never resolves fails prepare after the 1 s wait ($T ms), exit 255"

# 3. A DNS server that never answers. It logs each query's name, so the test
# adds the name to /etc/hosts once the agent's first lookup is stuck on it.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.153", 53))
log = open(sys.argv[1], "a", buffering=1)
print("ready", file=log)
while True:
    d, _ = s.recvfrom(4096)
    i, labels = 12, []
    while i < len(d) and d[i]:
        labels.append(d[i + 1:i + 1 + d[i]].decode("ascii", "replace"))
        i += 1 + d[i]
    print("query", ".".join(labels), file=log)
' "$DIR/dns.log" 2>"$DIR/dns.err" &
PIDS+=($!); disown
wait_for "$DIR/dns.log" "ready"
printf 'hosts: files dns\n' >"$DIR/nsswitch.conf"   # same inode, as above
cluster $((BASE + 4)) sf-uas-slow.test 3
uac_agent uac1 -master 127.0.0.1:$((BASE + 4)) -resolve_wait 20
wait_for "$DIR/dns.log" "query sf-uas-slow.test"
T0=$(now_ms)
echo "127.0.0.1 sf-uas-slow.test" >>"$DIR/hosts"
wait_pid "$M" 30
[ "$RC" = 0 ] || fail "silent DNS: master exit $RC, expected 0"
grep -q "20 calls, 20 successful, 0 failed" "$DIR/m3.err" "$DIR/m3.out" || fail "silent DNS: verdict"
grep -q "master silent" "$DIR/uac1.err" && fail "silent DNS: the agent's lease expired"
echo "ok: a lookup hung on a silent DNS server; another found the name and the run completed" \
  "$(( $(now_ms) - T0 )) ms after it appeared"
