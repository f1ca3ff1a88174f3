#!/usr/bin/env bash
# Build the Kubelab offline node image from Debian packages only.
# No container registry is needed: the base image is a debootstrapped rootfs
# that we `docker import`, and the thin top layer is built FROM that local image.
#
# Usage: build.sh [--force] [IMAGE]   (IMAGE defaults to $KUBELAB_NODE_IMAGE
#        or kubelab/node-offline:latest)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
image=${KUBELAB_NODE_IMAGE:-kubelab/node-offline:latest}
force=0
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    -*) echo "unknown option: $arg" >&2; exit 2 ;;
    *) image=$arg ;;
  esac
done

suite=bookworm
mirror=${KUBELAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${KUBELAB_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
cache=${KUBELAB_CACHE_DIR:-$HOME/.cache/kubelab}
base_repo=kubelab/node-offline-base
# kubectl is packaged as kubernetes-client in bookworm (1.20, client only).
# busybox-static lets nested-run-test.sh make a one-file image without a registry;
# python3 also runs Kubelab's terminal holder (infra/terminal-holder).
packages=(
  docker.io containerd runc tini iptables iproute2 iputils-ping procps mount kmod
  curl ca-certificates openssl bind9-dnsutils netcat-openbsd python3 git
  bash-completion less vim-tiny xz-utils kubernetes-client busybox-static
)
files=(Dockerfile entrypoint.sh motd profile.sh nested-run-test.sh)
# Shared with the CentOS image; copied into the context next to the files above.
common=$here/../common
common_files=(node-prepare.sh)

log() { printf '[build %s] %s\n' "$(date +%T)" "$*"; }
# Keep the noisy tools' output in a log and show its tail only on failure.
quiet() {
  "$@" >"$work/step.log" 2>&1 || { tail -n 40 "$work/step.log" >&2; return 1; }
}

[[ $EUID -eq 0 ]] || { echo "build.sh needs root (debootstrap)" >&2; exit 1; }
# The docker CLI may be newer than the 20.10 engine and lack buildx: the
# classic builder resolves FROM against local images and never pulls.
export DOCKER_BUILDKIT=0

# rootfs_hash changes only when the package set or this script does;
# content_hash additionally covers the files copied into the top layer.
rootfs_hash=$({ printf '%s\n' "$suite" "$mirror" "$security_mirror" "${packages[@]}"
  cat "$here/build.sh"; } | sha256sum | cut -c1-16)
content_hash=$({ echo "$rootfs_hash"; (cd "$here" && cat "${files[@]}"); (cd "$common" && cat "${common_files[@]}"); } |
  sha256sum | cut -c1-16)
tarball=$cache/rootfs-$suite-$rootfs_hash.tar
base=$base_repo:$rootfs_hash

if ((!force)); then
  existing=$(docker images -q --filter "label=kubelab.content-hash=$content_hash" | head -n1)
  if [[ -n $existing ]]; then
    docker tag "$existing" "$image"
    log "$image up to date (content hash $content_hash)"
    exit 0
  fi
fi

work=
cleanup() {
  [[ -n $work ]] || return 0
  # Never rm -rf through a live /proc mount.
  if mountpoint -q "$work/rootfs/proc"; then umount -l "$work/rootfs/proc"; fi
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
work=$(mktemp -d "${TMPDIR:-/var/tmp}/kubelab-node.XXXXXX")

if ((force)) || [[ ! -s $tarball ]]; then
  root=$work/rootfs
  SECONDS=0
  log "debootstrap $suite (${#packages[@]} packages) from $mirror"
  quiet debootstrap --variant=minbase --include="$(IFS=,; echo "${packages[*]}")" \
    "$suite" "$root" "$mirror"
  log "debootstrap done in ${SECONDS}s"

  # debootstrap only sees the release; pull in point and security updates too.
  SECONDS=0
  cat >"$root/etc/apt/sources.list" <<SRC
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
SRC
  # Keep package maintainer scripts from starting dockerd inside the chroot.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  mount -t proc proc "$root/proc"
  quiet chroot "$root" apt-get -q update
  quiet env DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get -q -y \
    -o Dpkg::Options::=--force-confold dist-upgrade
  chroot "$root" apt-get clean
  umount "$root/proc"
  log "security/point updates applied in ${SECONDS}s"

  # Docker supplies these per container; a baked-in copy would leak the build
  # host's identity and make every node share one machine-id.
  rm -f "$root/usr/sbin/policy-rc.d" "$root/var/lib/dbus/machine-id"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log \
    "$root"/var/log/apt/* "$root"/tmp/* "$root/debootstrap"
  : >"$root/etc/machine-id"
  : >"$root/etc/resolv.conf"
  : >"$root/etc/hostname"
  # Interactive non-login shells (plain `docker exec -it node1 bash`) only read
  # bash.bashrc, so hook the Kubelab prompt in there as well as profile.d.
  echo '[ -r /etc/profile.d/kubelab.sh ] && . /etc/profile.d/kubelab.sh' >>"$root/etc/bash.bashrc"
  # Generated once here so shells don't pay for `kubectl completion` at start.
  chroot "$root" kubectl completion bash >"$root/usr/share/bash-completion/completions/kubectl"

  SECONDS=0
  mkdir -p "$cache"
  tar --numeric-owner --xattrs --xattrs-include='security.capability' \
    -C "$root" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  log "rootfs cached at $tarball ($(du -h "$tarball" | cut -f1), ${SECONDS}s)"
  rm -rf --one-file-system "$root"
  # Only the current rootfs is worth keeping (each is ~700 MB).
  find "$cache" -maxdepth 1 -name "rootfs-$suite-*.tar" ! -name "${tarball##*/}" -delete
else
  log "using cached rootfs $tarball"
fi

if ((force)) || ! docker image inspect "$base" >/dev/null 2>&1; then
  SECONDS=0
  log "importing base image $base"
  quiet docker import --change "LABEL kubelab.rootfs-hash=$rootfs_hash" "$tarball" "$base"
  log "import done in ${SECONDS}s"
fi

# A minimal build context: only what the Dockerfile copies, with the modes it needs.
SECONDS=0
ctx=$work/context
mkdir -p "$ctx"
for f in "${files[@]}"; do install -m 0644 "$here/$f" "$ctx/$f"; done
for f in "${common_files[@]}"; do install -m 0644 "$common/$f" "$ctx/$f"; done
chmod 0755 "$ctx/entrypoint.sh" "$ctx/nested-run-test.sh"
build_flags=(--build-arg "BASE=$base" --label "kubelab.content-hash=$content_hash"
  --label "kubelab.rootfs-hash=$rootfs_hash" -t "$image")
((force)) && build_flags+=(--no-cache)
log "building $image"
quiet docker build "${build_flags[@]}" "$ctx"
log "built $image in ${SECONDS}s (content hash $content_hash)"

# Best-effort cleanup of what earlier builds left: other base tags and the
# untagged previous node image (both fail harmlessly while still in use).
docker images --format '{{.Repository}}:{{.Tag}}' "$base_repo" | grep -vxF "$base" |
  xargs -r docker rmi >/dev/null 2>&1 || true
docker images -q --filter dangling=true --filter label=kubelab.image=node-offline |
  xargs -r docker rmi >/dev/null 2>&1 || true
log "done: $image"
