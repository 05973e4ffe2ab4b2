#!/usr/bin/env bash
# Prints the version of each outside tool the tests run against, one line
# each, so a CI log says what was tested ("absent": the tests needing it
# skip with the reason).
cd "$(dirname "$0")/.."
source tests/deploy/versions.sh
# tool NAME COMMAND...: the first line of COMMAND's output, or "absent".
tool() {
  local name=$1; shift
  local out
  out=$("$@" 2>&1 | grep -m1 -v '^\s*$') || out=""
  out=${out#"${out%%[![:space:]]*}"}
  echo "tools: $name: ${out:-absent}"
}
tool sipp sh -c 'command -v sipp >/dev/null && sipp -v'
tool kamailio sh -c 'command -v kamailio >/dev/null && kamailio -v'
tool prometheus sh -c 'command -v prometheus >/dev/null && prometheus --version'
tool chromium sh -c 'command -v chromium >/dev/null && chromium --version 2>/dev/null | grep Chromium'
tool node sh -c 'command -v node >/dev/null && node --version'
tool podman sh -c 'command -v podman >/dev/null && podman --version'
tool helm sh -c "test -x '$SIPFLEET_TOOLS/helm' && '$SIPFLEET_TOOLS/helm' version --template '{{.Version}}'"
tool k8svalidate sh -c "test -x '$SIPFLEET_TOOLS/k8svalidate' && echo 'k8s.io/kubernetes $KUBERNETES_VERSION'"
tool systemd-analyze sh -c 'command -v systemd-analyze >/dev/null && systemd-analyze --version'
