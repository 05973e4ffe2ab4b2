# Pinned versions and shared locations of the deploy tests and
# scripts/install-deploy-deps.sh (sourced).
HELM_VERSION=v3.22.1
KUBERNETES_VERSION=v1.37.1   # tests/deploy/k8stools/go.mod pins the same; helm v3.22.1 uses its
                             # k8s.io modules (v0.37.1): the two builds share them
SIPFLEET_TOOLS=${SIPFLEET_TOOLS:-${HOME:-/root}/.cache/sipfleet-tools}
BASE_IMAGE=localhost/debian:bookworm-min
