#!/bin/bash
# The chart with real helm (pinned, built by scripts/install-deploy-deps.sh):
#  1. `helm lint --strict` and `helm template` pass for the defaults and
#     each values case (ci/*-values.yaml: hostNetwork, UAS agents in the
#     cluster, mTLS from the user's Secrets, extended 3PCC);
#  2. what each case renders is what it asks for (agent names on the
#     master's command line, hostNetwork, the Secrets used, the 3PCC
#     options after tpl);
#  3. values the schema (or the chart) must refuse are refused, each with
#     its reason.
set -u
source "$(dirname "$0")/lib.sh"
HELM=$(need_tool helm) || exit $?
echo "helm $("$HELM" version --template '{{.Version}} (go {{.GoVersion}})')"

# 1. lint and template: defaults, then every values case.
"$HELM" lint --strict "$CHART" >"$DIR/lint.out" 2>&1 || { cat "$DIR/lint.out"; fail "lint (defaults)"; }
render t >"$DIR/default.yaml" 2>"$DIR/err" || { cat "$DIR/err"; fail "template (defaults)"; }
echo "ok: defaults lint and render ($(grep -c '^kind:' "$DIR/default.yaml") objects)"
for c in "${VALUES_CASES[@]}"; do
  # shellcheck disable=SC2046
  "$HELM" lint --strict "$CHART" $(values_args "$c") >"$DIR/lint.out" 2>&1 ||
    { cat "$DIR/lint.out"; fail "lint ($c)"; }
  # shellcheck disable=SC2046
  render t $(values_args "$c") >"$DIR/$c.yaml" 2>"$DIR/err" || { cat "$DIR/err"; fail "template ($c)"; }
  echo "ok: $c lints and renders ($(grep -c '^kind:' "$DIR/$c.yaml") objects)"
done

# 2. What the cases render. The master's arguments follow "args:" in its Job.
master_args() { awk '/name: master$/{m=1} m && /^ *args:/{a=1; next} a && /^ *- /{print} a && !/^ *- /{exit}' "$1"; }
has() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2"; }
master_args "$DIR/default.yaml" >"$DIR/default.args"
has "$DIR/default.args" '- "uac-0,uac-1,uas-0"'
has "$DIR/default.args" '- "t-sipfleet-uas-0.t-sipfleet-uas:5060"'
has "$DIR/default.yaml" 'completionMode: Indexed'
has "$DIR/default.yaml" 'backoffLimit: 0'
[ "$(grep -c 'kind: Secret' "$DIR/default.yaml")" -eq 2 ] || fail "defaults: the chart should make 2 TLS Secrets"
has "$DIR/uas.yaml" 'mountPath: /var/lib/sipfleet/pcap'
has "$DIR/uas.yaml" 'name: sipfleet-pcaps'
has "$DIR/uas.yaml" 'users.csv: |-'
has "$DIR/hostnetwork.yaml" 'hostNetwork: true'
has "$DIR/hostnetwork.yaml" 'requiredDuringSchedulingIgnoredDuringExecution'
# The UAC agents' placement and sizing reach their pod template.
has "$DIR/hostnetwork.yaml" 'sipfleet.dev/load-generator: "true"'
has "$DIR/hostnetwork.yaml" 'value: load-generator'
has "$DIR/hostnetwork.yaml" 'memory: 1Gi'
master_args "$DIR/hostnetwork.yaml" >"$DIR/hn.args"
has "$DIR/hn.args" '- "20000"'
has "$DIR/hn.args" '- "192.0.2.10:5060"'
grep -q 'kind: Secret' "$DIR/mtls.yaml" && fail "mtls: the chart made a Secret although the user gives them"
has "$DIR/mtls.yaml" 'secretName: loadtest-master-tls'
has "$DIR/mtls.yaml" 'secretName: loadtest-agent-tls'
master_args "$DIR/3pcc.yaml" >"$DIR/3pcc.args"
has "$DIR/3pcc.args" '- "uas-0=t-sipfleet-uas-3.t-sipfleet-uas:5060 -key self s1"'
has "$DIR/3pcc.args" '- "t-sipfleet-uas-2.t-sipfleet-uas:5060"'
has "$DIR/3pcc.yaml" 'extended 3PCC master'
echo "ok: each case renders what it asks for"

# 3. Refusals: each must fail, with the reason in helm's message.
refuse() {
  local why=$1; shift
  if render t "$@" >"$DIR/refused.yaml" 2>"$DIR/refused.err"; then
    fail "accepted ($*), expected a refusal: $why"
  fi
  grep -qiE -- "$why" "$DIR/refused.err" || { cat "$DIR/refused.err"; fail "refused ($*) without '$why'"; }
  echo "ok: refused $*: $(grep -oiE -- "$why" "$DIR/refused.err" | head -1)"
}
refuse "uac.replicas.*(minimum|must be >= 1)" --set uac.replicas=0
refuse "failurePolicy.*(abort|one of)" --set master.failurePolicy=maybe
refuse "sip.port.*(maximum|must be <= 65535)" --set sip.port=70000
refuse "additional properties 'bogus' not allowed|bogus" --set bogus=1
refuse "antiAffinity" --set hostNetwork=true
refuse "agentSecret" --set controlPlane.tls.masterSecret=mine
refuse "rtp.minPort \(7000\) is above rtp.maxPort \(6000\)" --set rtp.minPort=7000 --set rtp.maxPort=6000
refuse "test.target is empty and uas.replicas is 0" --set uas.replicas=0
refuse "'bad/name' does not match pattern" --set-string 'scenarios.bad/name=x'
refuse "image.tag.*(string|integer)" --set image.tag=1
