#!/bin/bash
# kubelab-kubelet: runs the kubelet the way kubeadm's systemd drop-in does, on
# a node without systemd. kubeadm writes /var/lib/kubelet/config.yaml and
# kubeadm-flags.env during init/join and then expects "the kubelet service" to
# (re)start with them; this loop starts it once they exist, restarts it when
# it exits or they change, and stops it when they disappear (kubeadm reset)
# or while /run/kubelab/kubelet.paused exists. Started by the entrypoint.
set -u

state=/run/kubelab
config=/var/lib/kubelet/config.yaml
kubeadm_env=/var/lib/kubelet/kubeadm-flags.env
# KUBELET_EXTRA_ARGS, as in the kubelet package's drop-in.
extra_env=/etc/sysconfig/kubelet
node_env=$state/kubelet-node.env

log() { printf '[kubelab-kubelet %s] %s\n' "$(date +%T)" "$*" >&2; }
pause() { sleep "$1" & wait $!; }
fingerprint() { cat "$config" "$kubeadm_env" "$extra_env" "$node_env" 2>/dev/null | cksum; }

pid=
stop_kubelet() {
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  pid=
  rm -f "$state/kubelet.pid"
}
trap 'stop_kubelet; exit 0' TERM INT

running=
delay=2
started=0
while :; do
  if [ -e "$state/kubelet.paused" ] || [ ! -s "$config" ]; then
    [ -n "$pid" ] && log "kubelet configuration gone or paused: stopping the kubelet" && stop_kubelet
    pause 1
    continue
  fi
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    if [ "$(fingerprint)" != "$running" ]; then
      log "kubelet configuration changed: restarting the kubelet"
      stop_kubelet
      delay=2
    else
      pause 1
    fi
    continue
  fi
  if [ -n "$pid" ]; then
    wait "$pid"
    log "kubelet exited ($?), restarting in ${delay}s; see /var/log/kubelet.log"
    pid=
    [ $((SECONDS - started)) -gt 60 ] && delay=2
    pause "$delay"
    # Like the packaged unit (RestartSec=10), but quicker at first.
    delay=$((delay * 2 > 10 ? 10 : delay * 2))
    continue
  fi
  # kubeadm writes both files in a row; let it finish.
  pause 1
  KUBELET_KUBEADM_ARGS='' KUBELET_EXTRA_ARGS='' KUBELAB_KUBELET_ARGS=''
  for f in "$kubeadm_env" "$extra_env" "$node_env"; do
    # shellcheck source=/dev/null
    [ -r "$f" ] && . "$f"
  done
  running=$(fingerprint)
  # Unquoted on purpose: each variable holds several flags, as in the drop-in.
  # Later flags win, so the node's own (cgroupfs, no swap check, cgroup root,
  # resolv.conf) override kubeadm's, and KUBELET_EXTRA_ARGS override both.
  # shellcheck disable=SC2086
  kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf \
    --kubeconfig=/etc/kubernetes/kubelet.conf --config="$config" \
    $KUBELET_KUBEADM_ARGS $KUBELAB_KUBELET_ARGS $KUBELET_EXTRA_ARGS >>/var/log/kubelet.log 2>&1 &
  pid=$!
  started=$SECONDS
  echo "$pid" >"$state/kubelet.pid"
  log "kubelet started (pid $pid)"
done
