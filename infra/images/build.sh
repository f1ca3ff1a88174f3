#!/usr/bin/env bash
# `npm run images:build`: builds the Kubelab node images this machine can build.
#   KUBELAB_IMAGES=auto     (default) the offline image, which is NODE_IMAGE's
#                           default and what the tests use, plus the CentOS
#                           image when the engine can pull its base image
#   KUBELAB_IMAGES=offline  only kubelab/node-offline (Debian packages, no registry)
#   KUBELAB_IMAGES=centos   only kubelab/node-centos (needs internet)
#   KUBELAB_IMAGES=all      both, failing if either fails
# See docs/node-images.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mode=${KUBELAB_IMAGES:-auto}
centos_base=quay.io/centos/centos:stream9

log() { printf '[images %s] %s\n' "$(date +%T)" "$*"; }
# A pull is the honest test: the CentOS build needs the registry (and more).
# Offline it fails in well under the timeout (no DNS), so CI loses no time.
can_pull_centos() {
  timeout "${KUBELAB_PULL_TIMEOUT:-20}" docker pull -q "$centos_base" >/dev/null 2>&1
}

case $mode in
  offline) bash "$here/node-offline/build.sh" ;;
  centos) bash "$here/node-centos/build.sh" ;;
  all)
    bash "$here/node-offline/build.sh"
    bash "$here/node-centos/build.sh"
    ;;
  auto)
    if can_pull_centos; then pullable=1; else pullable=0; fi
    bash "$here/node-offline/build.sh"
    if ((pullable)); then
      bash "$here/node-centos/build.sh"
    else
      log "cannot pull $centos_base: skipping the CentOS image (KUBELAB_IMAGES=centos to insist)"
    fi
    ;;
  *)
    echo "KUBELAB_IMAGES must be auto, offline, centos or all (got '$mode')" >&2
    exit 2
    ;;
esac
