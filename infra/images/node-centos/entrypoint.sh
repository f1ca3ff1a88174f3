#!/bin/bash
# Kubelab CentOS node entrypoint (Docker starts it as PID 1; it re-executes
# itself under docker-init). Prepares the
# container like the offline image does, then starts and keeps running
# containerd, dockerd (on that containerd), a DNS forwarder for pods and the
# kubelet supervisor, until the container is stopped. Safe to repeat on
# `docker restart`. Arguments are passed to dockerd.
set -u

# Mounts, cgroups, hosts and machine-id: shared with the offline image.
# shellcheck source=/dev/null
. /usr/local/lib/kubelab/node-prepare.sh
log() { kubelab_log "$@"; }
[ $$ = 1 ] && kubelab_exec_init /usr/bin/docker-init "$0" "$@"

kubelab_share_mounts
kubelab_writable_cgroups
cgroup_parent=$(kubelab_cgroup_parent)
kubelab_node_identity
state=/run/kubelab
mkdir -p "$state" /var/lib/docker /var/lib/containerd /var/log
rm -f "$state/ready" "$state/kubelet.paused" /var/run/docker.pid

# The kubelet's OOM watcher opens /dev/kmsg and the kubelet exits without it.
# Only privileged nodes get the host's; the other profiles may create the node
# but not open it (the host's kernel log is not a node's to read), so, as kind
# does, it points at the console, or at /dev/null: an empty kernel log.
if [ ! -e /dev/kmsg ] || ! head -c0 /dev/kmsg 2>/dev/null; then
  rm -f /dev/kmsg
  if [ -e /dev/console ]; then ln -s /dev/console /dev/kmsg; else ln -s /dev/null /dev/kmsg; fi
fi

# Per network namespace, so writable here. Forwarding is on before dockerd
# starts, so Docker leaves the FORWARD policy at ACCEPT (it sets DROP only when
# it enables forwarding itself), which pod traffic between nodes needs. The
# bridge ones exist only when the host has br_netfilter (no modules in here).
sysctl -qw net.ipv4.ip_forward=1 || log "could not enable IP forwarding"
if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 ||
    log "could not enable bridge netfilter"
else
  log "br_netfilter is not loaded on the host: pods reaching services on their own node may fail"
fi

# Neither overlay2 nor containerd's overlayfs snapshotter nests on the
# container's overlay root. The platform mounts a volume at /var/lib/docker;
# containerd (the kubelet's images and pods) keeps its data there too.
containerd_config=/etc/containerd/config.toml
if kubelab_overlay_works /var/lib/docker; then
  driver=overlay2
  mkdir -p /var/lib/docker/kubelab-containerd
  mountpoint -q /var/lib/containerd || mount --bind /var/lib/docker/kubelab-containerd /var/lib/containerd
else
  driver=vfs
  containerd_config=$state/containerd-native.toml
  sed 's/snapshotter = "overlayfs"/snapshotter = "native"/' /etc/containerd/config.toml >"$containerd_config"
  log "no volume at /var/lib/docker: slow vfs/native storage (mount one)"
fi
log "storage driver: $driver${cgroup_parent:+, cgroup parent: $cgroup_parent}"

# Pods cannot use Docker's embedded DNS (127.0.0.11 is only reachable in this
# network namespace, and CoreDNS forwarding to a loopback address loops), so
# dnsmasq listens on the node's own address and forwards to the node's
# resolv.conf servers (the embedded DNS on Kubelab's session networks).
node_ip=$(hostname -i | awk '{print $1}')
kubelet_args="--cgroup-driver=cgroupfs --fail-swap-on=false"
# Pods' cgroups under the node's own (cgroup v1 shows the host's whole tree).
[ -n "$cgroup_parent" ] && kubelet_args+=" --cgroup-root=$cgroup_parent"
if [ -n "$node_ip" ]; then
  { grep '^search' /etc/resolv.conf; echo "nameserver $node_ip"; } >"$state/resolv.conf"
  kubelet_args+=" --resolv-conf=$state/resolv.conf"
fi
# Read by kubelab-kubelet after kubeadm's own flags (it restarts the kubelet
# when this file changes).
echo "KUBELAB_KUBELET_ARGS=\"$kubelet_args\"" >"$state/kubelet-node.env"

declare -A pids=() since=() delays=() due=()
launch() {
  case $1 in
    containerd) containerd --config "$containerd_config" >>/var/log/containerd.log 2>&1 & ;;
    dockerd)
      dockerd --host=unix:///var/run/docker.sock --containerd=/run/containerd/containerd.sock \
        --storage-driver="$driver" --exec-opt native.cgroupdriver=cgroupfs --shutdown-timeout=1 \
        ${cgroup_parent:+--cgroup-parent="$cgroup_parent"} "${dockerd_args[@]}" >>/var/log/dockerd.log 2>&1 &
      ;;
    dnsmasq)
      # -C /dev/null: not the packaged config, which listens on loopback only.
      dnsmasq -C /dev/null --keep-in-foreground --resolv-file=/etc/resolv.conf --no-hosts \
        --listen-address="$node_ip" --bind-interfaces --log-facility=- >>/var/log/dnsmasq.log 2>&1 &
      ;;
    kubelet) /usr/local/bin/kubelab-kubelet & ;;
  esac
  pids[$1]=$!
  since[$1]=$SECONDS
  log "started $1 (pid ${pids[$1]})"
}
# The Docker Hub mirror (NODE_REGISTRY_MIRROR), if any: a flag for dockerd, a hosts.toml for the kubelet's containerd.
mapfile -t dockerd_args < <(kubelab_registry_mirror)
dockerd_args+=("$@")
services=(containerd dockerd kubelet)
[ -n "$node_ip" ] && services+=(dnsmasq)

stop() {
  log "stopping"
  rm -f "$state/ready"
  local name
  # The kubelet first (it stops pods' processes cleanly), containerd last.
  for name in kubelet dnsmasq dockerd containerd; do
    [ -n "${pids[$name]:-}" ] && kill -TERM "${pids[$name]}" 2>/dev/null
  done
  # At most 1.5 s, so `docker stop` never reaches its SIGKILL timeout; what is
  # left dies with our PID namespace when we exit.
  local alive
  for _ in $(seq 15); do
    alive=0
    for name in "${services[@]}"; do
      [ -n "${pids[$name]:-}" ] && kill -0 "${pids[$name]}" 2>/dev/null && alive=1
    done
    [ $alive = 1 ] || break
    sleep 0.1
  done
  exit 0
}
trap stop TERM INT

# containerd before dockerd (which uses it) and the kubelet.
launch containerd
for _ in $(seq 100); do
  [ -S /run/containerd/containerd.sock ] && break
  sleep 0.1 & wait $!
done
for name in "${services[@]:1}"; do launch "$name"; done

# Supervise: restart whatever exits, backing off 1, 2, 4 ... 30 s on quick
# crashes; /run/kubelab/ready exists while dockerd answers.
while :; do
  for name in "${services[@]}"; do
    pid=${pids[$name]:-}
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      rc=$?
      [ "$name" = dockerd ] && rm -f "$state/ready" /var/run/docker.pid
      delay=${delays[$name]:-1}
      [ $((SECONDS - since[$name])) -gt 60 ] && delay=1
      log "$name exited ($rc), restarting in ${delay}s; see /var/log/$name.log"
      due[$name]=$((SECONDS + delay))
      delays[$name]=$((delay * 2 > 30 ? 30 : delay * 2))
      pids[$name]=
    elif [ -z "$pid" ] && [ "$SECONDS" -ge "${due[$name]:-0}" ]; then
      launch "$name"
    fi
  done
  # In the background, so a SIGTERM is handled at once.
  if [ ! -e "$state/ready" ] && [ -n "${pids[dockerd]:-}" ] && { timeout 3 docker info >/dev/null 2>&1 & wait $!; }; then
    echo "$(date -Is) dockerd ${pids[dockerd]}" >"$state/ready"
    kubelab_announce_ready "dockerd ${pids[dockerd]}"
    log "dockerd ready"
  fi
  sleep 0.5 & wait $!
done
