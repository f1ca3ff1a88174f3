#!/bin/bash
# kubeadm for Kubelab nodes, installed as /usr/local/bin/kubeadm ahead of the
# real /usr/bin/kubeadm. It makes the lesson's commands work in a container:
#   kubeadm init --apiserver-advertise-address $(hostname -i) [...]
#   kubeadm join <ip>:6443 --token ... --discovery-token-ca-cert-hash ...
# - init: the flags become a kubeadm config file, which adds what a container
#   needs: the cgroupfs driver and no swap check for the kubelet, and
#   kube-proxy leaving the host-wide conntrack settings alone. Root's kubectl
#   is set up afterwards.
# - init and join: preflight checks that cannot pass in a container are
#   ignored by name (KUBELAB_IGNORED_PREFLIGHT in /etc/kubelab/cluster.env).
# - reset: the kubelet is paused while kubeadm cleans up.
# Anything else, and everything with KUBELAB_KUBEADM_RAW=1, goes to kubeadm
# unchanged. See docs/node-images.md.
set -euo pipefail

real=/usr/bin/kubeadm
state=/run/kubelab
[[ ${KUBELAB_KUBEADM_RAW:-} == 1 ]] && exec "$real" "$@"
# KUBELAB_* defaults (pod network, CRI socket, ignored preflight checks).
# shellcheck source=/dev/null
. /etc/kubelab/cluster.env

say() { printf '[kubelab] %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# The engines start with the node; a fast typist can be quicker.
wait_for_runtime() {
  local i
  for i in $(seq 60); do
    [[ -S /run/containerd/containerd.sock ]] && return 0
    ((i == 1)) && say "waiting for containerd to start..."
    sleep 1
  done
  die "containerd is not running; see /var/log/containerd.log"
}

# Flags kubeadm accepts next to --config; passed through unchanged.
passthrough_flag() {
  case $1 in
    ignore-preflight-errors | skip-phases | v | rootfs | kubeconfig) return 0 ;;
    *) return 1 ;;
  esac
}
boolean_flag() {
  case $1 in dry-run | upload-certs | skip-token-print | skip-certificate-key-print) return 0 ;; *) return 1 ;; esac
}

# Values end up in YAML; refuse anything beyond addresses, names and lists.
checked() {
  [[ $2 =~ ^[A-Za-z0-9.:/,_*-]+$ ]] || die "unexpected value for --$1: '$2'"
  printf '%s' "$2"
}

init() {
  local -A opt=()
  local pass=() name value
  if [[ " $* " == *" --config"* ]]; then
    # Your own config: only the preflight exceptions are added.
    pass=("$@")
  else
    while (($#)); do
      [[ $1 == -* ]] || die "unexpected argument '$1' (kubeadm init takes flags only here)"
      name=${1#-}
      name=${name#-}
      value=
      if [[ $name == *=* ]]; then
        value=${name#*=}
        name=${name%%=*}
      elif boolean_flag "$name"; then
        value=true
      elif (($# > 1)); then
        value=$2
        shift
      fi
      shift
      if boolean_flag "$name" || passthrough_flag "$name"; then
        pass+=("--$name=$value")
        continue
      fi
      case $name in
        apiserver-advertise-address | apiserver-bind-port | pod-network-cidr | service-cidr | service-dns-domain | \
          kubernetes-version | control-plane-endpoint | apiserver-cert-extra-sans | node-name | token | token-ttl | \
          image-repository | cri-socket | certificate-key)
          # shellcheck disable=SC2034 # read by init_config through a nameref
          opt[$name]=$(checked "$name" "$value")
          ;;
        h | help) exec "$real" init --help ;;
        *) die "kubeadm init --$name is not supported by the Kubelab wrapper; write a config file and use --config, or run /usr/bin/kubeadm directly" ;;
      esac
    done
    mkdir -p "$state"
    local file=$state/kubeadm-init.yaml
    init_config opt >"$file"
    say "kubeadm configuration for this container: $file"
    pass+=("--config=$file")
  fi
  wait_for_runtime
  "$real" init "${pass[@]}" --ignore-preflight-errors="$KUBELAB_IGNORED_PREFLIGHT"
  # Only a real init leaves admin.conf behind (a dry run writes elsewhere).
  if [[ " ${pass[*]} " != *" --dry-run=true "* && -s /etc/kubernetes/admin.conf ]]; then
    mkdir -p /root/.kube
    install -m 0600 /etc/kubernetes/admin.conf /root/.kube/config
    say "kubectl is set up for root (/root/.kube/config)."
    say "Next: run the kubeadm join line above on node2, then: kubectl apply -f /etc/kubelab/cni/kube-flannel.yml"
  fi
}

# Prints `<indent>key: "value"` when the value is not empty.
field() { [[ -z $3 ]] || printf '%s%s: "%s"\n' "$1" "$2" "$3"; }

# Writes the kubeadm configuration for the flags in the associative array
# named by $1 (flag name -> value); defaults come from cluster.env.
init_config() {
  local -n o=$1
  local san sans
  echo "apiVersion: kubeadm.k8s.io/v1beta4"
  echo "kind: InitConfiguration"
  field "" certificateKey "${o[certificate-key]:-}"
  echo "nodeRegistration:"
  field "  " criSocket "${o[cri-socket]:-$KUBELAB_CRI_SOCKET}"
  field "  " name "${o[node-name]:-}"
  echo "localAPIEndpoint:"
  field "  " advertiseAddress "${o[apiserver-advertise-address]:-}"
  echo "  bindPort: ${o[apiserver-bind-port]:-6443}"
  if [[ -n ${o[token]:-}${o[token-ttl]:-} ]]; then
    echo "bootstrapTokens:"
    field "  - " ttl "${o[token-ttl]:-24h0m0s}"
    field "    " token "${o[token]:-}"
  fi
  echo "---"
  echo "apiVersion: kubeadm.k8s.io/v1beta4"
  echo "kind: ClusterConfiguration"
  # The kubeadm's own version by default, so init never looks up "stable-1" online.
  field "" kubernetesVersion "${o[kubernetes-version]:-$("$real" version -o short)}"
  field "" controlPlaneEndpoint "${o[control-plane-endpoint]:-}"
  field "" imageRepository "${o[image-repository]:-}"
  echo "networking:"
  field "  " podSubnet "${o[pod-network-cidr]:-$KUBELAB_POD_NETWORK_CIDR}"
  field "  " serviceSubnet "${o[service-cidr]:-$KUBELAB_SERVICE_CIDR}"
  field "  " dnsDomain "${o[service-dns-domain]:-cluster.local}"
  if [[ -n ${o[apiserver-cert-extra-sans]:-} ]]; then
    echo "apiServer:"
    echo "  certSANs:"
    IFS=, read -ra sans <<<"${o[apiserver-cert-extra-sans]}"
    for san in "${sans[@]}"; do printf '    - "%s"\n' "$san"; done
  fi
  cat <<'YAML'
---
# The node has no systemd and may have swap (the host's).
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failSwapOn: false
---
# 0 means "leave as is": nf_conntrack_max and the hash size are host-wide and
# read-only in a container, and kube-proxy exits when it cannot set them.
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
YAML
}

join() {
  wait_for_runtime
  exec "$real" join "$@" --ignore-preflight-errors="$KUBELAB_IGNORED_PREFLIGHT"
}

reset() {
  local rc=0
  # kubeadm would stop the kubelet through systemd; here the supervisor does.
  touch "$state/kubelet.paused"
  for _ in $(seq 50); do
    [[ -e $state/kubelet.pid ]] || break
    sleep 0.2
  done
  # Root's kubeconfig is ours (from init); it is useless once the cluster is gone.
  if [[ -f /root/.kube/config ]] && cmp -s /root/.kube/config /etc/kubernetes/admin.conf; then
    local drop_kubeconfig=1
  fi
  "$real" reset "$@" || rc=$?
  rm -f "$state/kubelet.paused"
  if ((rc == 0)) && [[ -n ${drop_kubeconfig:-} ]]; then rm -f /root/.kube/config; fi
  return $rc
}

# Phases and help are kubeadm's own business.
case "${1:-} ${2:-}" in
  "init phase" | "join phase" | "reset phase" | "init -h" | "init --help" | "join -h" | "join --help") exec "$real" "$@" ;;
esac
case ${1:-} in
  init) shift && init "$@" ;;
  join) shift && join "$@" ;;
  reset) shift && reset "$@" ;;
  *) exec "$real" "$@" ;;
esac
