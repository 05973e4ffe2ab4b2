#!/bin/bash
# Removes the image deploy_image_test built (ctest fixture cleanup).
source "$(dirname "$0")/versions.sh"
export CONTAINERS_CONF=$(dirname "$0")/containers.conf
command -v podman >/dev/null || exit 0
podman image exists localhost/sipfleet-test:deploy || { echo "no image to remove"; exit 0; }
podman rmi -f localhost/sipfleet-test:deploy && echo "removed localhost/sipfleet-test:deploy"
