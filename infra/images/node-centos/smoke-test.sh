#!/usr/bin/env bash
# Smoke test of the CentOS node image, end to end through Kubelab, on a machine
# with internet (CI cannot build or run this image). It builds the image,
# starts Kubelab (or uses KUBELAB_URL), logs in as a guest, opens a session of
# the seed lesson, runs the lesson's cluster steps in the nodes with `docker
# exec`, and prints PASS/FAIL per step. Exits non-zero on the first failure.
# The session and the server it started are always removed.
#
# Usage: infra/images/node-centos/smoke-test.sh [--no-build]
# Needs: root (or docker group), docker, curl, and for a local server Node.js
# 24 with `npm run build` done. Environment:
#   KUBELAB_URL            a running Kubelab whose NODE_IMAGES allows the image
#   KUBELAB_CENTOS_IMAGE   image to build and test (kubelab/node-centos:latest)
#   SMOKE_KEEP=1           keep the session (and the server) for inspection
#   NODE_* and SESSION_*   passed on to the server it starts (see README)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
image=${KUBELAB_CENTOS_IMAGE:-kubelab/node-centos:latest}
lesson=kubernetes-para-principiantes
build=1
for arg in "$@"; do
  case $arg in
    --no-build) build=0 ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

# World-enterable: the embedded PostgreSQL refuses data under /root as root.
work=$(mktemp -d "${TMPDIR:-/var/tmp}/kubelab-smoke.XXXXXX")
chmod 755 "$work"
jar=$work/cookies
url=${KUBELAB_URL:-}
server_pid=
session=
node1=
node2=
results=()

log() { printf '[smoke %s] %s\n' "$(date +%T)" "$*"; }
api() { curl -fsS -b "$jar" -c "$jar" -H 'content-type: application/json' "$@"; }
in_node() { docker exec "$1" bash -c "$2"; }
# Retries a command every 5 s for up to $1 seconds; exit code 2 gives up at once.
retry() {
  local deadline=$((SECONDS + $1)) rc
  shift
  while :; do
    rc=0
    "$@" || rc=$?
    ((rc != 0)) || return 0
    ((rc != 2 && SECONDS < deadline)) || return "$rc"
    sleep 5
  done
}

summary() {
  printf '\n'
  printf '  %s\n' "${results[@]}"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $node1 && $rc -ne 0 ]]; then
    # The node logs are the interesting part of a failure; save them first.
    for c in "$node1" "$node2"; do
      [[ -n $c ]] || continue
      for f in kubelet containerd dockerd; do
        docker exec "$c" tail -n 300 "/var/log/$f.log" >"$work/$(docker inspect -f '{{.Config.Hostname}}' "$c")-$f.log" 2>&1 || :
      done
    done
  fi
  if [[ ${SMOKE_KEEP:-} == 1 ]]; then
    log "SMOKE_KEEP=1: leaving session ${session:-none} and server pid ${server_pid:-none} running"
  else
    [[ -z $session ]] || api -X DELETE "$url/api/sessions/$session" >/dev/null 2>&1 || log "could not delete session $session"
    if [[ -n $server_pid ]]; then
      kill -TERM "$server_pid" 2>/dev/null || :
      for _ in $(seq 40); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
    fi
  fi
  if ((rc == 0)); then
    rm -rf "$work"
  else
    log "logs kept in $work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs one step, recording PASS or FAIL; the steps build on each other, so
# the first failure ends the test. (`set -e` does not apply inside a step:
# the step functions chain their commands explicitly.)
step() {
  local name=$1
  shift
  log "$name"
  if "$@" >"$work/step.log" 2>&1; then
    results+=("PASS  $name")
  else
    results+=("FAIL  $name")
    tail -n 40 "$work/step.log" >&2
    summary
    log "FAILED at: $name"
    exit 1
  fi
}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

start_kubelab() {
  [[ -f $repo/apps/api/dist/main.js ]] || { echo "run npm run build first"; return 1; }
  local port
  port=$(free_port)
  url=http://127.0.0.1:$port
  # Its own instance id, data directory and ports: nothing shared with a Kubelab already running here.
  (cd "$repo" && exec env PORT="$port" HOST=127.0.0.1 KUBELAB_DATA_DIR="$work/data" \
    EMBEDDED_POSTGRES_PORT="$(free_port)" INSTANCE_ID="smoke$RANDOM" NODE_IMAGE="$image" \
    NODE_IMAGES="$image" WEB_ENABLED=false GUEST_LOGIN=true node apps/api/dist/main.js) \
    >"$work/server.log" 2>&1 &
  server_pid=$!
  retry 120 curl -fsS "$url/api/health"
}

create_session() {
  local body
  api -d '{"name":"Smoke test"}' "$url/api/auth/guest" || return 1
  body=$(api -d "{\"lesson\":\"$lesson\"}" "$url/api/sessions") || return 1
  session=$(sed -n 's/.*"id":"\([0-9a-f]\{32\}\)".*/\1/p' <<<"$body")
  [[ -n $session ]] || { echo "no session id in: $body"; return 1; }
  echo "session $session"
}

session_ready() {
  local body
  body=$(api "$url/api/sessions/$session") || return 1
  case $body in
    *'"status":"ready"'*) return 0 ;;
    *'"status":"failed"'*) echo "session failed: $body"; return 2 ;;
    *) return 1 ;;
  esac
}

find_nodes() {
  node1=$(docker ps -q --filter "label=kubelab.session=$session" --filter label=kubelab.node=node1)
  node2=$(docker ps -q --filter "label=kubelab.session=$session" --filter label=kubelab.node=node2)
  [[ -n $node1 && -n $node2 ]] || return 1
  local used
  used=$(docker inspect -f '{{.Config.Image}}' "$node1")
  [[ $used == "$image" ]] || { echo "the session runs $used, not $image (NODE_IMAGES?)"; return 1; }
}

join_node2() {
  local join
  join=$(in_node "$node1" 'kubeadm token create --print-join-command') || return 1
  echo "$join"
  [[ $join == "kubeadm join "* ]] && in_node "$node2" "$join"
}

nodes_ready() {
  in_node "$node1" 'kubectl get nodes' &&
    in_node "$node1" 'kubectl wait --for=condition=Ready node/node1 node/node2 --timeout=10s'
}

cluster_dns() {
  in_node "$node1" 'kubectl run dnscheck --image=busybox:1.36 --restart=Never --command -- \
    sh -c "nslookup kubernetes.default.svc.cluster.local && nslookup registry.k8s.io"' &&
    retry 180 in_node "$node1" \
      'kubectl get pod dnscheck -o jsonpath={.status.phase} | grep -qx -e Succeeded -e Failed' &&
    in_node "$node1" 'kubectl logs dnscheck; kubectl get pod dnscheck -o jsonpath={.status.phase} | grep -qx Succeeded'
}

deploy_web() {
  in_node "$node1" 'kubectl create deployment web --image=traefik/whoami --replicas=2 &&
    kubectl create service nodeport web --tcp=80 --node-port=30001 &&
    kubectl rollout status deployment web --timeout=240s && kubectl get pods -o wide'
}

# The path form needs only the login cookie (docs/ports.md).
through_proxy() { curl -fsS -b "$jar" "$url/ports/$session/$1/30001/" | grep Hostname; }

((build)) && step "build $image" bash "$repo/infra/images/node-centos/build.sh" "$image"
if [[ -z $url ]]; then
  step "start Kubelab" start_kubelab
fi
step "log in as a guest and create a $lesson session" create_session
step "session ready" retry 240 session_ready
step "find node1 and node2 (image $image)" find_nodes
# Exactly the lesson's command, expanded in the node.
# shellcheck disable=SC2016
step "node1: kubeadm init" in_node "$node1" 'kubeadm init --apiserver-advertise-address $(hostname -i)'
step "node2: kubeadm join" join_node2
step "node1: apply flannel" in_node "$node1" 'kubectl apply -f /etc/kubelab/cni/kube-flannel.yml'
step "both nodes Ready" retry 300 nodes_ready
step "node1: remove the control-plane taint" in_node "$node1" \
  'kubectl taint nodes node1 node-role.kubernetes.io/control-plane:NoSchedule- || true'
step "cluster DNS from a pod" cluster_dns
step "node2: docker compose plugin" in_node "$node2" 'docker compose version'
step "deployment with NodePort 30001" deploy_web
step "NodePort 30001 through the port proxy (node1)" retry 120 through_proxy node1
step "NodePort 30001 through the port proxy (node2)" retry 60 through_proxy node2
summary
log "all ${#results[@]} steps passed"
