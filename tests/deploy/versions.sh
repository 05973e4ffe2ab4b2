# Pinned versions and shared locations of the deploy tests and
# scripts/install-deploy-deps.sh (sourced).
HELM_VERSION=v3.21.4
KUBERNETES_VERSION=v1.36.3   # tests/deploy/k8stools/go.mod pins the same
SIPFLEET_TOOLS=${SIPFLEET_TOOLS:-${HOME:-/root}/.cache/sipfleet-tools}
BASE_IMAGE=localhost/debian:bookworm-min
