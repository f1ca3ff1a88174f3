#!/usr/bin/env bash
# Build the Kubelab CentOS node image. Needs a Docker engine that can reach
# quay.io, the CentOS mirrors, download.docker.com, pkgs.k8s.io and github.com.
#
# Usage: build.sh [--no-cache] [IMAGE]   (IMAGE defaults to $KUBELAB_CENTOS_IMAGE
#        or kubelab/node-centos:latest)
# Build arguments from the environment, when set: KUBELAB_KUBERNETES_MINOR
# (1.33), KUBELAB_DOCKER_CE_VERSION, KUBELAB_FLANNEL_VERSION, KUBELAB_FLANNEL_SHA256.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
image=${KUBELAB_CENTOS_IMAGE:-kubelab/node-centos:latest}
flags=()
for arg in "$@"; do
  case $arg in
    --no-cache) flags+=(--no-cache) ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "unknown option: $arg" >&2; exit 2 ;;
    *) image=$arg ;;
  esac
done

add_arg() { [[ -z ${2:-} ]] || flags+=(--build-arg "$1=$2"); }
add_arg KUBERNETES_MINOR "${KUBELAB_KUBERNETES_MINOR:-}"
add_arg DOCKER_CE_VERSION "${KUBELAB_DOCKER_CE_VERSION:-}"
add_arg FLANNEL_VERSION "${KUBELAB_FLANNEL_VERSION:-}"
add_arg FLANNEL_SHA256 "${KUBELAB_FLANNEL_SHA256:-}"

log() { printf '[build-centos %s] %s\n' "$(date +%T)" "$*"; }
SECONDS=0
log "building $image"
# The context is infra/images: the image shares files with the offline one.
docker build -f "$here/Dockerfile" -t "$image" "${flags[@]}" "$here/.."
log "built $image in ${SECONDS}s"
docker run --rm --entrypoint cat "$image" /etc/kubelab/versions
# The value to pin as FLANNEL_SHA256 once this manifest has been tried.
docker run --rm --entrypoint sha256sum "$image" /etc/kubelab/cni/kube-flannel.yml
