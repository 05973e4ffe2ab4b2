#!/bin/bash
# Builds the image from deploy/Containerfile with podman (BASE = the local
# debootstrap image: there is no registry), then checks it: non-root user,
# the three programs on PATH with every shared library found, the
# scenarios in /usr/local/share/sipfleet, and a 20-call UAC/UAS run inside
# it. Prints the build time and the image size. The image stays for
# deploy_kube_play_test (ctest fixture); deploy_image_cleanup removes it.
# A ccache directory ($CCACHE_DIR, else one beside the tools) is lent to
# the build.
set -u
source "$(dirname "$0")/lib.sh"
need_podman
IMAGE=localhost/sipfleet-test:deploy
echo "$(podman --version); base $BASE_IMAGE"
# The compile cache lent to the build: $CCACHE_DIR (a host's cache of these
# sources hits), else one kept with the deploy tools for the next run.
cache_dir=${CCACHE_DIR:-$SIPFLEET_TOOLS/ccache}
mkdir -p "$cache_dir" 2>/dev/null
cache=()
[ -w "$cache_dir" ] && cache=(-v "$cache_dir:/ccache")
# The host's CA bundle, for npm (uPlot) behind an intercepting proxy.
host_ca=/etc/ssl/certs/ca-certificates.crt
ca=()
[ -r "$host_ca" ] && ca=(-v "$host_ca:/run/host-ca.crt:ro")
# An image left by an interrupted run would only lose its tag: remove it.
podman image exists "$IMAGE" && podman rmi -f "$IMAGE" >/dev/null
start=$(date +%s)
# --layers=false: no intermediate images are left behind.
podman build --layers=false --network host "${cache[@]}" "${ca[@]}" --build-arg BASE="$BASE_IMAGE" \
  --build-arg JOBS="$(nproc)" -f "$ROOT/deploy/Containerfile" -t "$IMAGE" "$ROOT" \
  >"$DIR/build.log" 2>&1 || { tail -30 "$DIR/build.log"; fail "podman build"; }
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "ok: built $IMAGE in $(($(date +%s) - start)) s ($([ ${#cache[@]} -gt 0 ] && echo "with" || echo "without") ccache): $((size / 1000000)) MB"
grep '^runtime packages:' "$DIR/build.log" | head -1

run() { podman run --rm --network none "$IMAGE" "$@"; }
[ "$(run id -u)" = 10001 ] || fail "the image does not run as uid 10001: $(run id)"
echo "ok: runs as $(run id)"
for p in sipfleet sipfleet-agent sipfleet-master; do
  path=$(run sh -c "command -v $p") || fail "$p not on PATH"
  run ldd "$path" | grep -q "not found" && fail "$p: $(run ldd "$path" | grep 'not found')"
  # -h exits 99 for sipfleet and sipfleet-master (as SIPp), 0 for the agent.
  run "$p" -h 2>&1 | grep -Eq "^(Usage: )? *$p (-|remote_host)" || fail "$p -h: no usage ($(run "$p" -h 2>&1 | head -1))"
  echo "ok: $path, all libraries found"
done
run test -f /usr/local/share/sipfleet/scenarios/uac.xml || fail "no scenarios in /usr/local/share/sipfleet"
echo "ok: $(run ls /usr/local/share/sipfleet/scenarios | wc -l) scenarios in /usr/local/share/sipfleet/scenarios"
# A real run inside the image: UAS and UAC on its loopback.
run sh -c 'cd /tmp && sipfleet -sn uas -p 5070 -m 20 -nostdin >uas.log 2>&1 &
  sipfleet -sn uac -r 100 -m 20 -d 0 -nostdin -timeout 20 127.0.0.1:5070 >uac.log 2>&1; rc=$?;
  wait; grep -h "^sipfleet: uac:" uac.log; exit $rc' >"$DIR/run.out" 2>&1 ||
  { cat "$DIR/run.out"; fail "a 20-call run inside the image failed"; }
grep -q "20 calls, 20 successful, 0 failed" "$DIR/run.out" || { cat "$DIR/run.out"; fail "20-call run: verdict"; }
echo "ok: a run inside the image: $(cut -d, -f1-3 "$DIR/run.out")"
