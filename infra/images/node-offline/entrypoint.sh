#!/bin/bash
# Kubelab node entrypoint (Docker starts it as PID 1; it re-executes itself under tini). Prepares the container so that an
# inner dockerd works without --privileged, then supervises dockerd until the
# container is stopped. Every step is safe to repeat on `docker restart`.
# Arguments are passed to dockerd.
set -u

# Mounts, cgroups, hosts and machine-id: shared with the CentOS image.
# shellcheck source=/dev/null
. /usr/local/lib/kubelab/node-prepare.sh
log() { kubelab_log "$@"; }
[ $$ = 1 ] && kubelab_exec_init /usr/bin/tini "$0" "$@"
# Run a command in the background and wait for it, so a SIGTERM is handled at
# once instead of after the command finishes.
interruptible() { "$@" & wait $!; }

# Step lines carry Docker's log timestamps: tests/src/bench/cold-start.bench.ts
# times each step from them.
log "preparing mounts and cgroups"
kubelab_share_mounts
kubelab_writable_cgroups
cgroup_parent=$(kubelab_cgroup_parent)
kubelab_node_identity
mapfile -t mirror_args < <(kubelab_registry_mirror)
log "probing the storage driver"

# overlay2 cannot use an overlayfs upper dir, i.e. /var/lib/docker without a
# volume; probe with a real overlay mount and fall back to vfs.
mkdir -p /var/lib/docker /run/kubelab
if [ -n "${KUBELAB_STORAGE_DRIVER:-}" ]; then
  driver=$KUBELAB_STORAGE_DRIVER
elif kubelab_overlay_works /var/lib/docker; then
  driver=overlay2
else
  driver=vfs
fi
log "storage driver: $driver${cgroup_parent:+, cgroup parent: $cgroup_parent}"

pid=
stop() {
  log "stopping dockerd"
  rm -f /run/kubelab/ready
  if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
    # Wait at most 1.5 s so `docker stop` never reaches its SIGKILL timeout;
    # whatever is left dies with our PID namespace when we exit.
    for _ in $(seq 15); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  exit 0
}
trap stop TERM INT

delay=1
while :; do
  rm -f /run/kubelab/ready /var/run/docker.pid # stale after an unclean stop
  log "starting dockerd"
  started=$SECONDS
  dockerd --host=unix:///var/run/docker.sock --storage-driver="$driver" \
    --shutdown-timeout=1 ${cgroup_parent:+--cgroup-parent="$cgroup_parent"} "${mirror_args[@]}" "$@" \
    >>/var/log/dockerd.log 2>&1 &
  pid=$!
  # dockerd makes its socket early and serves it once ready; a `docker info` on the socket
  # waits for that and answers the moment it does. So look for the socket often (the test is a
  # builtin) and only then ask: every 0.2 s, the ready line came 0-200 ms late.
  until [ -S /var/run/docker.sock ] && interruptible timeout 3 docker info >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || break
    interruptible sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$(date -Is) dockerd $pid" >/run/kubelab/ready
    kubelab_announce_ready "dockerd $pid"
    log "dockerd ready after $((SECONDS - started))s"
  fi
  wait "$pid"
  rc=$?
  rm -f /run/kubelab/ready
  # A long healthy run resets the backoff; quick crashes back off up to 30 s.
  [ $((SECONDS - started)) -gt 60 ] && delay=1
  log "dockerd exited ($rc), restarting in ${delay}s; see /var/log/dockerd.log"
  interruptible sleep "$delay"
  delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
