#!/bin/bash
# Every object the chart renders (defaults and each values case) passes the
# Kubernetes API server's own create-time checks: k8svalidate decodes each
# document strictly into its API type and runs the kind's registry strategy
# (defaulting, PrepareForCreate, validation) from k8s.io/kubernetes (pinned
# in tests/deploy/k8stools/go.mod). Then, so the check is known to bite:
# an invalid name and an unknown field are refused.
set -u
source "$(dirname "$0")/lib.sh"
HELM=$(need_tool helm) || exit $?
VALIDATE=$(need_tool k8svalidate) || exit $?
echo "k8svalidate: k8s.io/kubernetes $KUBERNETES_VERSION; helm $("$HELM" version --template '{{.Version}}')"

render t >"$DIR/default.yaml" || fail "helm template (defaults)"
files=("$DIR/default.yaml")
for c in "${VALUES_CASES[@]}"; do
  # shellcheck disable=SC2046
  render t $(values_args "$c") >"$DIR/$c.yaml" || fail "helm template ($c)"
  files+=("$DIR/$c.yaml")
done
render t -f "$HERE/podman-values.yaml" >"$DIR/podman.yaml" || fail "helm template (podman)"
files+=("$DIR/podman.yaml")
for f in "${files[@]}"; do
  "$VALIDATE" "$f" >"$DIR/out" 2>&1 || { cat "$DIR/out"; fail "$(basename "$f"): invalid objects"; }
  echo "ok: $(basename "$f" .yaml): $(tail -1 "$DIR/out") ($(grep '^ok ' "$DIR/out" | cut -d' ' -f2 | cut -d/ -f1 | sort | uniq -c | tr -s ' ' | paste -sd,))"
done

# The validator refuses what the API server refuses.
render t --set fullnameOverride=Bad_Name >"$DIR/bad.yaml" || fail "helm template (Bad_Name)"
"$VALIDATE" "$DIR/bad.yaml" >"$DIR/out" 2>&1 && fail "an invalid object name was accepted"
grep -q "metadata.name: Invalid value: \"Bad_Name-master\"" "$DIR/out" || { cat "$DIR/out"; fail "no name error"; }
echo "ok: refused: $(grep -m1 -o 'metadata.name: Invalid value: "Bad_Name-master"' "$DIR/out")"
sed '0,/^  backoffLimit: 0$/s//  backoffLimit: 0\n  retries: 3/' "$DIR/default.yaml" >"$DIR/unknown.yaml"
"$VALIDATE" "$DIR/unknown.yaml" >"$DIR/out" 2>&1 && fail "an unknown field was accepted"
grep -q 'unknown field "spec.retries"' "$DIR/out" || { cat "$DIR/out"; fail "no unknown-field error"; }
echo "ok: refused: $(grep -m1 -o 'unknown field "spec.retries"' "$DIR/out")"
