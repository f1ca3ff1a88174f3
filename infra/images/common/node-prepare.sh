# shellcheck shell=bash
# Container preparation shared by every Kubelab node image (sourced by the
# entrypoints; installed as /usr/local/lib/kubelab/node-prepare.sh). Each
# function is idempotent, so `docker restart` of a node is safe.

# printf's own clock, not $(date): two processes fewer per line, on every node start.
kubelab_log() { printf '[kubelab-node %(%T)T] %s\n' -1 "$*" >&2; }

# The line Kubelab waits for on the node's output once the inner Docker engine
# answers: it follows the container's output from before the start, so the node
# is not polled with `docker exec`. Images that print it carry the label
# kubelab.ready-marker=1 (apps/api/src/nodes/node-ready-marker.ts); keep the
# text in step with NODE_READY_MARKER there. Stdout, one line, never repeated
# as anything else.
kubelab_announce_ready() { printf 'kubelab-node-ready %s\n' "$*"; }

# Called first by an entrypoint that Docker starts as PID 1: re-executes it
# (its arguments) under INIT (tini), one cgroup level below the node's own
# cgroup and in a cgroup namespace rooted there.
# Why: with a private cgroup namespace the node sees only its own subtree, but
# on cgroup v1 the root of that subtree is the node's own cgroup, whose limit
# files (pids.max, memory.limit_in_bytes) root in the node could rewrite after
# mounting the hierarchy read-write (cgroup v2 refuses that under nsdelegate).
# One level down, the real limits sit above the namespace root, out of reach,
# and still bound everything in the node, nested containers included. It must
# be PID 1 that moves: `docker exec` joins PID 1's cgroup namespace.
kubelab_exec_init() {
  local init=$1 tmp=/run/kubelab-cgroupns moved=0 fstype superopts opts opt f value i dir
  local -a types=() options=() dirs=() mounted=()
  shift
  # Only on cgroup v1 with a private namespace (our own cgroup shows as "/");
  # with the host's namespace nested cgroups go under ours (kubelab_cgroup_parent).
  if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] &&
    [ "$(sed -n 's/^[0-9]*:pids:\(.*\)$/\1/p' /proc/self/cgroup)" = / ]; then
    # mountinfo after " - ": fstype, source, super options (naming the v1 controllers).
    while read -r fstype superopts; do
      # Builtins only: this runs before every node start, often on a busy host.
      opts=
      for opt in ${superopts//,/ }; do
        case $opt in rw | ro | release_agent=*) ;; *) opts+=${opts:+,}$opt ;; esac
      done
      types+=("$fstype") options+=("$opts") dirs+=("$tmp/${#dirs[@]}")
    done < <(sed -n 's|^.* /sys/fs/cgroup/[^ ]* .* - \(cgroup2\{0,1\}\) [^ ]* \([^ ]*\)$|\1 \2|p' /proc/self/mountinfo | sort -u)
    # Each hierarchy on its own mount point, so that making the child cgroups, unmounting and
    # removing the mount points take one process each for all hierarchies, not one per hierarchy.
    [ ${#dirs[@]} -gt 0 ] && mkdir -p "${dirs[@]}"
    for i in "${!dirs[@]}"; do
      mount -t "${types[$i]}" ${options[$i]:+-o "${options[$i]}"} "${types[$i]}" "${dirs[$i]}" &&
        mounted+=("${dirs[$i]}")
    done
    if [ ${#mounted[@]} -gt 0 ]; then
      mkdir -p "${mounted[@]/%//kubelab}"
      for dir in "${mounted[@]}"; do
        # A new v1 cpuset has no CPUs or memory nodes until given its parent's.
        for f in cpuset.cpus cpuset.mems; do
          [ -e "$dir/$f" ] && { value=; read -r value <"$dir/$f"; echo "$value" >"$dir/kubelab/$f"; }
        done
        echo $$ >"$dir/kubelab/cgroup.procs" && moved=$((moved + 1))
      done
      umount "${mounted[@]}"
    fi
    rmdir "${dirs[@]}" "$tmp" 2>/dev/null
    [ "$moved" -gt 0 ] && exec unshare --cgroup "$init" -- "$@"
    # E.g. cgroup v1 in a user namespace, where the node cannot write its cgroups at all.
    kubelab_log "could not create a nested cgroup; staying in the node's own"
  fi
  exec "$init" -- "$@"
}

# Nested containers (and kubelet volume mounts) with shared/slave propagation
# need a shared root.
kubelab_share_mounts() {
  mount --make-rshared / 2>/dev/null || kubelab_log "could not make / rshared (continuing)"
}

# Docker mounts cgroups read-only (and v1 ones as a view of our own subtree)
# unless --privileged; the inner runc needs them writable.
kubelab_writable_cgroups() {
  if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
    if findmnt -no OPTIONS /sys/fs/cgroup | grep -qw ro; then
      mount -o remount,rw /sys/fs/cgroup 2>/dev/null ||
        { umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup; } ||
        kubelab_log "cgroup2 stays read-only: nested containers will fail"
    fi
    # As in docker:dind: a cgroup with processes cannot delegate controllers, so
    # move ours into /init and enable every controller for the inner engines.
    mkdir -p /sys/fs/cgroup/init
    xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || :
    sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers \
      >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || kubelab_log "could not enable cgroup2 controllers"
    return 0
  fi
  local root dir mntopts fstype superopts opts opt
  # mountinfo fields: 5 = mount point, 6 = per-mount options, after " - ":
  # fstype, source, super options (which name the v1 controllers).
  sed -n 's|^[^ ]* [^ ]* [^ ]* \([^ ]*\) \(/sys/fs/cgroup/[^ ]*\) \([^ ]*\) .* - \(cgroup2\{0,1\}\) [^ ]* \([^ ]*\)$|\1 \2 \3 \4 \5|p' \
    /proc/self/mountinfo |
    while read -r root dir mntopts fstype superopts; do
      # Already a writable view of the whole hierarchy: nothing to do.
      case ",$mntopts," in *,rw,*) [ "$root" = / ] && continue ;; esac
      # Builtins only, as in kubelab_exec_init: a dozen hierarchies on every node start.
      opts=
      for opt in ${superopts//,/ }; do
        case $opt in rw | ro | release_agent=*) ;; *) opts+=${opts:+,}$opt ;; esac
      done
      if ! { umount "$dir" && mount -t "$fstype" ${opts:+-o "$opts"} "$fstype" "$dir"; }; then
        kubelab_log "could not remount $dir read-write"
      fi
    done
}

# Prints the cgroup under which engines in the node must create their
# cgroups (empty: the namespace root). On cgroup v1 the remount shows the
# host's whole hierarchy; parenting under our own cgroup keeps nested
# containers inside the node's limits and removes them with the node.
kubelab_cgroup_parent() {
  [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && return 0
  local parent
  parent=$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/1/cgroup)
  [ "$parent" = / ] || printf '%s\n' "$parent"
}

# Docker normally writes the hostname into /etc/hosts, but other runtimes may
# not; the image ships an empty machine-id, so give each node its own, once.
kubelab_node_identity() {
  local host
  host=$(hostname)
  grep -qE "[[:space:]]$host([[:space:]]|\$)" /etc/hosts 2>/dev/null ||
    echo "127.0.1.1 $host" >>/etc/hosts
  [ -s /etc/machine-id ] || tr -d - </proc/sys/kernel/random/uuid >/etc/machine-id
}

# Whether an overlay mount works with DIR as its upper layer. It does not on
# an overlayfs (the container's own root, i.e. no volume mounted there).
kubelab_overlay_works() {
  local d rc=1
  d=$(mktemp -d "$1/.overlay-probe.XXXXXX") || return 1
  mkdir "$d/l" "$d/u" "$d/w" "$d/m"
  mount -t overlay overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m" 2>/dev/null &&
    rc=0 && umount "$d/m"
  rm -rf "$d"
  return $rc
}

# The Docker Hub mirror Kubelab passes as KUBELAB_REGISTRY_MIRROR (NODE_REGISTRY_MIRROR): a
# hosts.toml for docker.io under /etc/containerd/certs.d (read by a containerd whose CRI plugin has
# config_path set there, as the CentOS image's does: the kubelet's pulls) and, printed on stdout,
# the flag that gives it to dockerd (`docker info` lists it under "Registry Mirrors"). A flag rather
# than a daemon.json key, so that neither the image's daemon.json nor an attendee's edit of it is
# rewritten. Without the variable, a hosts.toml this function wrote earlier is removed.
kubelab_registry_mirror() {
  local mirror=${KUBELAB_REGISTRY_MIRROR:-} dir=/etc/containerd/certs.d/docker.io marker='# kubelab-registry-mirror'
  if [ -z "$mirror" ]; then
    grep -qsxF "$marker" "$dir/hosts.toml" && rm -f "$dir/hosts.toml"
    return 0
  fi
  # Kubelab checks the URL; this keeps anything else out of the TOML and the command line.
  case $mirror in
    http://* | https://*) ;;
    *) kubelab_log "ignoring KUBELAB_REGISTRY_MIRROR (not an http(s) URL)"; return 0 ;;
  esac
  case $mirror in
    *[!A-Za-z0-9:/._~%-]*) kubelab_log "ignoring KUBELAB_REGISTRY_MIRROR (unexpected characters)"; return 0 ;;
  esac
  mkdir -p "$dir"
  printf '%s\n' "$marker" 'server = "https://registry-1.docker.io"' '' "[host.\"$mirror\"]" \
    '  capabilities = ["pull", "resolve"]' >"$dir/hosts.toml"
  kubelab_log "registry mirror for docker.io: $mirror"
  printf '%s\n' "--registry-mirror=$mirror"
}
