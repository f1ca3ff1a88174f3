#!/bin/bash
# Kubelab node entrypoint (runs under tini). Prepares the container so that an
# inner dockerd works without --privileged, then supervises dockerd until the
# container is stopped. Every step is safe to repeat on `docker restart`.
# Arguments are passed to dockerd.
set -u

log() { printf '[kubelab-node %s] %s\n' "$(date +%T)" "$*" >&2; }
# Run a command in the background and wait for it, so a SIGTERM is handled at
# once instead of after the command finishes.
interruptible() { "$@" & wait $!; }

# Nested containers with shared/slave volume propagation need a shared root.
mount --make-rshared / 2>/dev/null || log "could not make / rshared (continuing)"

# Docker mounts cgroups read-only (and v1 ones as a view of our own subtree)
# unless --privileged; the inner runc needs them writable.
cgroup_parent=
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
  if findmnt -no OPTIONS /sys/fs/cgroup | grep -qw ro; then
    mount -o remount,rw /sys/fs/cgroup 2>/dev/null ||
      { umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup; } ||
      log "cgroup2 stays read-only: nested containers will fail"
  fi
  # As in docker:dind: a cgroup with processes cannot delegate controllers, so
  # move ours into /init and enable every controller for the inner engine.
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || :
  sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers \
    >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || log "could not enable cgroup2 controllers"
else
  # mountinfo fields: 5 = mount point, 6 = per-mount options, after " - ":
  # fstype, source, super options (which name the v1 controllers).
  sed -n 's|^[^ ]* [^ ]* [^ ]* \([^ ]*\) \(/sys/fs/cgroup/[^ ]*\) \([^ ]*\) .* - \(cgroup2\{0,1\}\) [^ ]* \([^ ]*\)$|\1 \2 \3 \4 \5|p' \
    /proc/self/mountinfo |
    while read -r root dir mntopts fstype superopts; do
      # Already a writable view of the whole hierarchy: nothing to do.
      case ",$mntopts," in *,rw,*) [ "$root" = / ] && continue ;; esac
      opts=$(echo "$superopts" | tr , '\n' | grep -vE '^(rw|ro|release_agent=.*)$' | paste -sd,)
      if ! { umount "$dir" && mount -t "$fstype" ${opts:+-o "$opts"} "$fstype" "$dir"; }; then
        log "could not remount $dir read-write"
      fi
    done
  # The remount shows the host's whole hierarchy; parent nested containers
  # under our own cgroup so the node's limits cover them and they are
  # removed with the node.
  cgroup_parent=$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/1/cgroup)
  [ "$cgroup_parent" = / ] && cgroup_parent=
fi

# Docker normally writes this, but other runtimes may not.
host=$(hostname)
grep -qE "[[:space:]]$host([[:space:]]|\$)" /etc/hosts 2>/dev/null ||
  echo "127.0.1.1 $host" >>/etc/hosts
# The image ships an empty machine-id; give each node its own, once.
[ -s /etc/machine-id ] || tr -d - </proc/sys/kernel/random/uuid >/etc/machine-id

# overlay2 cannot use an overlayfs upper dir, i.e. /var/lib/docker without a
# volume; probe with a real overlay mount and fall back to vfs.
storage_driver() {
  local d rc=1
  d=$(mktemp -d /var/lib/docker/.overlay-probe.XXXXXX) || { echo vfs; return; }
  mkdir "$d/l" "$d/u" "$d/w" "$d/m"
  mount -t overlay overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m" 2>/dev/null &&
    rc=0 && umount "$d/m"
  rm -rf "$d"
  if [ $rc = 0 ]; then echo overlay2; else echo vfs; fi
}
mkdir -p /var/lib/docker /run/kubelab
driver=${KUBELAB_STORAGE_DRIVER:-$(storage_driver)}
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
    --shutdown-timeout=1 ${cgroup_parent:+--cgroup-parent="$cgroup_parent"} "$@" \
    >>/var/log/dockerd.log 2>&1 &
  pid=$!
  until interruptible timeout 3 docker info >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || break
    interruptible sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$(date -Is) dockerd $pid" >/run/kubelab/ready
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
