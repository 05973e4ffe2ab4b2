# Shared by the deploy tests (sourced). Locations and pinned versions come
# from versions.sh; the tools from scripts/install-deploy-deps.sh. A test
# whose tool is missing skips (exit 77) saying which and how to get it.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CHART=$ROOT/helm/sipfleet
source "$HERE/versions.sh"
export CONTAINERS_CONF=$HERE/containers.conf
DIR=$(mktemp -d)
CLEANUPS=()
cleanup() {
  local i
  for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${CLEANUPS[i]}" >/dev/null 2>&1; done
  rm -rf "$DIR"
}
trap cleanup EXIT
# on_exit CMD: runs CMD (a string) when the test ends, last registered first.
on_exit() { CLEANUPS+=("$1"); }
skip() { echo "SKIP: $*" >&2; exit 77; }  # stderr: also from inside $(...)
fail() { echo "FAIL: $*"; exit 1; }
# need_tool NAME: the path of a tool built by install-deploy-deps.sh, or skip.
need_tool() {
  local path=$SIPFLEET_TOOLS/$1
  [ -x "$path" ] || skip "$1 not found in $SIPFLEET_TOOLS (run scripts/install-deploy-deps.sh; it needs Go and the Go module proxy)"
  echo "$path"
}
# need_podman: skips unless podman can run containers here.
need_podman() {
  command -v podman >/dev/null || skip "podman not installed (scripts/install-deploy-deps.sh installs it)"
  podman info >/dev/null 2>&1 || skip "podman cannot run here: $(podman info 2>&1 | tail -1)"
  podman image exists "$BASE_IMAGE" || skip "no base image $BASE_IMAGE (scripts/install-deploy-deps.sh makes it with debootstrap)"
}
# The values files the chart is rendered with besides its defaults.
VALUES_CASES=(hostnetwork uas mtls 3pcc)
# render NAME [helm template options...]: the chart rendered as release NAME.
render() {
  local name=$1; shift
  "$HELM" template "$name" "$CHART" --namespace loadtest "$@"
}
# values_args CASE: helm options of one values case (3pcc brings its
# scenario files from tests/integration/threepcc).
values_args() {
  echo "-f $CHART/ci/$1-values.yaml"
  if [ "$1" = 3pcc ]; then
    echo "--set-file scenarios.master\.xml=$ROOT/tests/integration/threepcc/master.xml"
    echo "--set-file scenarios.slave\.xml=$ROOT/tests/integration/threepcc/slave.xml"
  fi
}
