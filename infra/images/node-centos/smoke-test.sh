#!/usr/bin/env bash
# Smoke test of the CentOS node image, end to end through Kubelab, on a machine
# with internet (CI cannot build or run this image). It builds the image,
# starts Kubelab (or uses KUBELAB_URL), logs in as a guest, opens a session of
# the seed lesson and runs the lesson itself in the nodes: its runnable blocks
# in order and its checks between the milestones, read with the lesson parser
# (scripts/run-lesson.mjs), each step's port links through the port proxy,
# and a few assertions the lesson cannot make. Prints PASS/FAIL per step and
# exits non-zero on the first failure. The session and the server it started
# are always removed.
#
# Usage: infra/images/node-centos/smoke-test.sh [--no-build]
# Needs: root (or docker group), docker, curl, and Node.js 24 with `npm run
# build` done. Environment:
#   KUBELAB_URL            a running Kubelab whose NODE_IMAGES allows the image
#   KUBELAB_CENTOS_IMAGE   image to build and test (kubelab/node-centos:latest)
#   SMOKE_LESSONS_DIR      lessons folder (content/lessons); with KUBELAB_URL
#                          it must be the server's LESSONS_DIR
#   SMOKE_LESSON, SMOKE_LANG   the lesson and language (the seed lesson, es)
#   SMOKE_SKIP             run blocks matching this regex are not run (default
#                          "docker build": the seed lesson's optional build of
#                          its images from source); empty: run everything
#   SMOKE_EDIT_HOOK        what fills in edit blocks (run-lesson.mjs
#                          --edit-hook); default: the join line from node1's
#                          `kubeadm token create --print-join-command`
#   SMOKE_CHECK_DEADLINE   seconds a check is retried before failing (300)
#   SMOKE_KEEP=1           keep the session (and the server) for inspection
#   NODE_* and SESSION_*   passed on to the server it starts (see README);
#                          NODE_MEMORY is 4g unless set (the seed lesson asks
#                          4g for node1); NODE_REGISTRY_MIRROR is worth setting
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
image=${KUBELAB_CENTOS_IMAGE:-kubelab/node-centos:latest}
lessons_dir=$(cd "${SMOKE_LESSONS_DIR:-$repo/content/lessons}" && pwd)
lesson=${SMOKE_LESSON:-kubernetes-para-principiantes}
lang=${SMOKE_LANG:-es}
build=1
for arg in "$@"; do
  case $arg in
    --no-build) build=0 ;;
    -h | --help) sed -n '2,35p' "$0"; exit 0 ;;
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
nodes=()
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
    for c in "${nodes[@]#*=}"; do
      [[ -n $c ]] || continue
      for f in kubelet containerd dockerd; do
        docker exec "$c" tail -n 300 "/var/log/$f.log" >"$work/$(docker inspect -f '{{.Config.Hostname}}' "$c")-$f.log" 2>&1 || :
      done
    done
  fi
  if [[ ${SMOKE_KEEP:-} == 1 ]]; then
    log "SMOKE_KEEP=1: leaving session ${session:-none} and server pid ${server_pid:-none} running"
  else
    # No content-type here: the server refuses an empty JSON body.
    [[ -z $session ]] || curl -fsS -b "$jar" -X DELETE "$url/api/sessions/$session" ||
      log "could not delete session $session"
    # The nodes go after the answer: wait for them, or stopping the server now would leave them.
    if [[ -n $session ]]; then
      for _ in $(seq 60); do
        [[ -z $(docker ps -aq --filter "label=kubelab.session=$session") ]] && break
        sleep 0.5
      done
    fi
    if [[ -n $server_pid ]]; then
      kill -TERM "$server_pid" 2>/dev/null || :
      for _ in $(seq 40); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
    fi
  fi
  # A kept server still uses its data directory in there.
  if ((rc == 0)) && [[ ${SMOKE_KEEP:-} != 1 ]]; then
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
# step_shown: the same, with the step's output shown as it comes (a long step).
step() { run_step quiet "$@"; }
step_shown() { run_step shown "$@"; }
run_step() {
  local how=$1 name=$2 rc=0
  shift 2
  log "$name"
  if [[ $how == shown ]]; then
    "$@" 2>&1 | tee "$work/step.log" || rc=$?
  else
    "$@" >"$work/step.log" 2>&1 || rc=$?
  fi
  if ((rc == 0)); then
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
  # No warm pool: its session would outlive the test.
  (cd "$repo" && exec env PORT="$port" HOST=127.0.0.1 KUBELAB_DATA_DIR="$work/data" \
    EMBEDDED_POSTGRES_PORT="$(free_port)" INSTANCE_ID="smoke$RANDOM" NODE_IMAGE="$image" \
    NODE_IMAGES="$image" NODE_MEMORY="${NODE_MEMORY:-4g}" LESSONS_DIR="$lessons_dir" POOL_SIZE=0 WEB_ENABLED=false \
    GUEST_LOGIN=true node apps/api/dist/main.js) \
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
  local pair used
  mapfile -t nodes < <(docker ps --filter "label=kubelab.session=$session" \
    --format '{{.Label "kubelab.node"}}={{.ID}}' | sort)
  ((${#nodes[@]} > 0)) || return 1
  for pair in "${nodes[@]}"; do
    used=$(docker inspect -f '{{.Config.Image}}' "${pair#*=}")
    [[ $used == "$image" ]] || { echo "the session runs $used, not $image (NODE_IMAGES?)"; return 1; }
    [[ ${pair%%=*} == node1 ]] && node1=${pair#*=}
  done
  printf '%s\n' "${nodes[@]}"
}

# The login cookie for the port proxy, from curl's jar (HttpOnly cookies are prefixed there).
cookie_header() {
  sed 's/^#HttpOnly_//' "$jar" | awk -F'\t' '!/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }'
}

# Fills in the seed lesson's edit blocks: the join line node1 prints (what the attendee copies).
# shellcheck disable=SC2016 # expanded later, by the bash the runner starts
default_edit_hook='case $KUBELAB_BLOCK_COMMAND in "kubeadm join "*) docker exec "$KUBELAB_CONTAINER_node1" kubeadm token create --print-join-command ;; esac'

run_lesson() {
  local args=(--lessons-dir "$lessons_dir" --lesson "$lesson" --lang "$lang" --session "$session"
    --user "Smoke test" --port-base "$url/ports/$session" --cookie "$(cookie_header)"
    --check-deadline "${SMOKE_CHECK_DEADLINE:-300}" --edit-hook "${SMOKE_EDIT_HOOK-$default_edit_hook}")
  local skip=${SMOKE_SKIP-docker build} pair
  [[ -z $skip ]] || args+=(--skip "$skip")
  for pair in "${nodes[@]}"; do args+=(--node "$pair"); done
  node "$repo/scripts/run-lesson.mjs" "${args[@]}"
}

# After the seed lesson: rng is a daemon set (one pod per node) and worker has pods on both
# nodes, so a worker pod on each node fetches from the rng pod on the other node by pod IP:
# traffic between pods on different nodes, whichever way the scheduler spread the rest.
pod_on() {
  in_node "$node1" "kubectl get pods -l app=$1 --field-selector spec.nodeName=$2,status.phase=Running \
    -o jsonpath='{.items[0].$3}'"
}
pods_across_nodes() {
  local from to client target
  for from in node1 node2; do
    to=node1
    [[ $from == node1 ]] && to=node2
    client=$(pod_on worker "$from" metadata.name) || return 1
    target=$(pod_on rng "$to" status.podIP) || return 1
    [[ -n $client && -n $target ]] || { echo "no running worker pod on $from or rng pod on $to"; return 1; }
    echo "$client ($from) -> rng $target ($to)"
    in_node "$node1" "kubectl exec $client -- python -c \
      'import urllib.request; print(len(urllib.request.urlopen(\"http://$target/32\", timeout=5).read()), \"bytes\")'" ||
      return 1
  done
}

cluster_dns() {
  in_node "$node1" 'kubectl run dnscheck --image=busybox:1.36 --restart=Never --command -- \
    sh -c "nslookup kubernetes.default.svc.cluster.local && nslookup registry.k8s.io"' &&
    retry 180 in_node "$node1" \
      'kubectl get pod dnscheck -o jsonpath={.status.phase} | grep -qx -e Succeeded -e Failed' &&
    in_node "$node1" 'kubectl logs dnscheck; kubectl get pod dnscheck -o jsonpath={.status.phase} | grep -qx Succeeded'
}

((build)) && step "build $image" bash "$repo/infra/images/node-centos/build.sh" "$image"
if [[ -z $url ]]; then
  step "start Kubelab" start_kubelab
fi
step "log in as a guest and create a $lesson session" create_session
step "session ready" retry 240 session_ready
step "find the nodes (image $image)" find_nodes
step_shown "run the lesson $lesson ($lang): its blocks, checks and port links" run_lesson
if [[ $lesson == kubernetes-para-principiantes ]]; then
  step "pods on different nodes reach each other (worker -> rng, both ways)" pods_across_nodes
  step "cluster DNS from a pod (a service name and an outside name)" cluster_dns
fi
summary
log "all ${#results[@]} steps passed"
