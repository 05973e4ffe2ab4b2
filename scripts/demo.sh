#!/usr/bin/env bash
# Installs what sipfleet needs, builds it, and runs a demo: a sipfleet UAS and
# a sipfleet UAC calling it on loopback (200 calls at 100 calls/s). Ends with
# the UAC's result line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
bin=build/agent/sipfleet
workdir=$(mktemp -d)
port=15060
"$bin" -sn uas -i 127.0.0.1 -p "$port" -m 200 -nostdin >"$workdir/uas.out" 2>&1 &
uas_pid=$!
trap 'kill "$uas_pid" 2>/dev/null || true; rm -rf "$workdir"' EXIT
for _ in $(seq 1 100); do
  ss -H -uln "sport = :$port" | grep -q . && break
  sleep 0.05
done
echo "demo: sipfleet UAS on 127.0.0.1:$port; UAC places 200 calls at 100 calls/s"
rc=0
(cd "$workdir" && timeout 60 "$OLDPWD/$bin" 127.0.0.1:$port -sn uac -i 127.0.0.1 -m 200 -r 100 \
  -nostdin -trace_stat >uac.out 2>&1) || rc=$?
wait "$uas_pid" || true
echo "demo: UAS: $(tail -n 1 "$workdir/uas.out")"
echo "demo: statistics CSV: $(ls "$workdir"/*.csv | xargs -n1 basename) (kept in $workdir only during the demo)"
echo "demo: UAC result line:"
tail -n 1 "$workdir/uac.out"
exit "$rc"
