#!/usr/bin/env bash
# Installs what the `deploy` tests need (idempotent; every step is skipped
# when its result is already there):
#   - Debian packages: podman and what it needs here (runc, netavark,
#     aardvark-dns, catatonit), debootstrap;
#   - helm, pinned, built from Go's module proxy;
#   - k8svalidate and kube2podman (tests/deploy/k8stools, pinned
#     k8s.io/kubernetes), built from Go's module proxy;
#   - localhost/debian:bookworm-min, a bookworm base image made with
#     debootstrap (there is no registry): the image tests build from it.
# Tools go to $SIPFLEET_TOOLS (default ~/.cache/sipfleet-tools). Without Go
# or podman the matching steps are skipped with a note: the tests that need
# them then skip with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/deploy/versions.sh

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

# Debian packages.
packages=(podman runc netavark aardvark-dns catatonit debootstrap)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  echo "install-deploy-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

mkdir -p "$SIPFLEET_TOOLS"
if ! command -v go >/dev/null; then
  echo "install-deploy-deps: no Go toolchain: helm and the Kubernetes validator are not built"
else
  # helm, pinned.
  if [[ "$("$SIPFLEET_TOOLS/helm" version --template '{{.Version}}' 2>/dev/null)" != "$HELM_VERSION" ]]; then
    echo "install-deploy-deps: building helm $HELM_VERSION from the Go module proxy"
    # The ldflags helm's Makefile sets: its version, and the Kubernetes
    # version it assumes without a cluster (that of its k8s.io modules).
    mod=$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    minor=$(sed -n 's#^\s*k8s.io/client-go v0\.\([0-9]*\)\..*#\1#p' "$mod")
    [[ -n "$minor" ]] || { echo "install-deploy-deps: no k8s.io/client-go in $mod"; exit 1; }
    ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
    for pkg in pkg/lint/rules pkg/chartutil; do
      ldflags+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$minor"
    done
    GOBIN="$SIPFLEET_TOOLS" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  fi
  # The validator and the podman adapter: rebuilt when their sources change.
  stamp=$(cat tests/deploy/k8stools/go.mod tests/deploy/k8stools/go.sum \
          tests/deploy/k8stools/cmd/*/*.go | sha256sum | cut -c1-16)
  if [[ "$(cat "$SIPFLEET_TOOLS/k8stools.stamp" 2>/dev/null)" != "$stamp" ]]; then
    echo "install-deploy-deps: building k8svalidate and kube2podman (k8s.io/kubernetes $KUBERNETES_VERSION)"
    (cd tests/deploy/k8stools && go build -trimpath -buildvcs=false -o "$SIPFLEET_TOOLS/" ./cmd/...)
    echo "$stamp" > "$SIPFLEET_TOOLS/k8stools.stamp"
  fi
fi

# The base image, made once (debootstrap from Debian's mirror, then trimmed
# like debian:bookworm-slim: no apt lists, docs, man pages or locales).
if command -v podman >/dev/null && command -v debootstrap >/dev/null; then
  export CONTAINERS_CONF="$PWD/tests/deploy/containers.conf"
  if ! podman image exists "$BASE_IMAGE"; then
    echo "install-deploy-deps: making $BASE_IMAGE with debootstrap"
    rootfs=$(mktemp -d)
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" >/dev/null
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
      "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/usr/share/doc/* \
      "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
    tar -C "$rootfs" -c . | podman import --quiet \
      --change 'ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      - "$BASE_IMAGE" >/dev/null
  fi
fi
echo "install-deploy-deps: ready (tools in $SIPFLEET_TOOLS)"
