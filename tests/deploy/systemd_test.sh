#!/bin/bash
# deploy/systemd's units pass `systemd-analyze verify` with no message at all
# (it exits 0 on unknown keys and bad values, so any output is a failure),
# for the template instantiated as an agent name and for the master example;
# then `systemd-analyze security` rates their sandboxes (exposure at most
# 2.5, "OK") while the agent keeps CAP_NET_RAW (raw sockets and
# SO_BINDTODEVICE for pcap play) and the master no capability at all.
# verify needs the ExecStart programs to exist: the units are checked with
# /usr/local/bin/ pointed at this build's programs, nothing else changed.
# Usage: systemd_test.sh <sipfleet-agent> <sipfleet-master>
set -u
AGENT=$1 MASTER=$2
source "$(dirname "$0")/lib.sh"
command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed (Debian package systemd)"
echo "$(systemd-analyze --version | head -1)"
UNITS=$ROOT/deploy/systemd
sed "s#/usr/local/bin/sipfleet-agent#$AGENT#" "$UNITS/sipfleet-agent@.service" >"$DIR/sipfleet-agent@.service"
sed "s#/usr/local/bin/sipfleet-master#$MASTER#" "$UNITS/sipfleet-master.service" >"$DIR/sipfleet-master.service"
cd "$DIR" || fail "cd"
check() {
  systemd-analyze verify "$1" >"$DIR/verify.out" 2>&1 || { cat "$DIR/verify.out"; fail "verify $1"; }
  [ -s "$DIR/verify.out" ] && { cat "$DIR/verify.out"; fail "verify $1 is not clean"; }
  systemd-analyze security --offline=yes --threshold=25 "$1" >"$DIR/sec.out" 2>&1 ||
    { tail -3 "$DIR/sec.out"; fail "security $1: exposure above 2.5"; }
  echo "ok: $1 verifies; $(grep -o 'Overall exposure level.*' "$DIR/sec.out")"
}
check ./sipfleet-agent@uac1.service
check ./sipfleet-master.service
# The capabilities the units leave: CAP_NET_RAW for the agent, none for the master.
systemd-analyze security --offline=yes ./sipfleet-agent@uac1.service | grep -q '✗ CapabilityBoundingSet=~CAP_NET_' ||
  fail "the agent unit should keep CAP_NET_RAW"
systemd-analyze security --offline=yes ./sipfleet-master.service | grep -q '✗ CapabilityBoundingSet' &&
  fail "the master unit keeps a capability"
echo "ok: the agent keeps CAP_NET_RAW, the master no capability"
# A mistake is caught: an unknown key and a bad value.
sed 's/^ProtectHome=yes/ProtectHome=bogus\nFooBar=1/' "$DIR/sipfleet-agent@.service" >"$DIR/broken@.service"
systemd-analyze verify ./broken@x.service >"$DIR/verify.out" 2>&1
[ -s "$DIR/verify.out" ] || fail "a broken unit verified clean"
echo "ok: a broken unit is reported: $(head -1 "$DIR/verify.out" | sed 's#.*/##')"
