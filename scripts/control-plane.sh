#!/usr/bin/env bash
# A real Kubernetes control plane on loopback for tests and benchmarks: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, KWOK (fake nodes whose pods "run") and
# metrics-server serving simulated usage. Wired by kwokctl's binary runtime with the binaries
# that scripts/build-control-plane.sh builds into the cache.
#
#   control-plane.sh up [--nodes N] [--pods M]
#                                       fresh cluster with N fake nodes (default 3) and M running pods
#                                       (default 0, in deployments of namespace "filler"); prints the kubeconfig path
#   control-plane.sh down               stop and delete it
#   control-plane.sh kubeconfig         print the kubeconfig path
#   control-plane.sh kubectl ARGS...    kubectl against it
#   control-plane.sh etcdctl ARGS...    etcdctl against its etcd
#   control-plane.sh stop-apiserver | start-apiserver
#
# With KUBEGLANCE_TEST_KUBECONFIG set, an existing cluster is used instead: `up` only checks it
# and `down` leaves it alone (the restart commands need our own cluster).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
K8S_VERSION="${KUBEGLANCE_K8S_VERSION:-1.36.3}"
CACHE="${KUBEGLANCE_CACHE:-$HOME/.cache/kubeglance}"
BIN="$CACHE/bin/k8s-$K8S_VERSION"
NAME="${KUBEGLANCE_CLUSTER_NAME:-kubeglance-test}"
# kwokctl keeps its state here instead of ~/.kwok, and never touches ~/.kube/config.
export KWOK_WORKDIR="$CACHE/kwok"
CLUSTER_DIR="$KWOK_WORKDIR/clusters/$NAME"
KUBECONFIG_OUT="$CACHE/run/$NAME/kubeconfig"

say() { printf '[control-plane] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
kwokctl() { "$BIN/kwokctl" --name "$NAME" -v WARN "$@"; }
kc() { "$BIN/kubectl" --kubeconfig "$(kubeconfig_path)" "$@"; }

kubeconfig_path() {
  if [ -n "${KUBEGLANCE_TEST_KUBECONFIG:-}" ]; then echo "$KUBEGLANCE_TEST_KUBECONFIG"; else echo "$KUBECONFIG_OUT"; fi
}

pid_of() { cat "$CLUSTER_DIR/pids/$1.pid" 2>/dev/null || true; }

# Fake nodes that KWOK manages (the kwok.x-k8s.io/node annotation) and that metrics-server
# scrapes through the per-node path KWOK serves. Spread over zones and pools like a real fleet.
node_manifests() {
  local count=$1 i zone pool
  for ((i = 0; i < count; i++)); do
    zone="zone-$(printf '\x'"$(printf '%x' $((97 + i % 3)))")"
    pool=$([ $((i % 4)) -eq 3 ] && echo highmem || echo general)
    cat <<YAML
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
    metrics.k8s.io/resource-metrics-path: /metrics/nodes/kwok-node-$i/metrics/resource
  labels:
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
    topology.kubernetes.io/zone: $zone
    kubeglance.io/pool: $pool
    node.kubernetes.io/instance-type: $([ "$pool" = highmem ] && echo r6i.4xlarge || echo m6i.4xlarge)
status:
  allocatable: { cpu: "15800m", memory: "$([ "$pool" = highmem ] && echo 125Gi || echo 61Gi)", pods: "250" }
  capacity: { cpu: "16", memory: "$([ "$pool" = highmem ] && echo 128Gi || echo 64Gi)", pods: "250" }
  nodeInfo: { kubeletVersion: v$K8S_VERSION, operatingSystem: linux, architecture: amd64 }
YAML
  done
}

# M pods that KWOK runs, in deployments of at most 500 replicas (the scheduler places them).
add_pods() {
  local total=$1 i=0 replicas
  kc create namespace filler >/dev/null
  kc -n filler wait --for=jsonpath='{.metadata.name}'=default serviceaccount/default --timeout=60s >/dev/null 2>&1 || sleep 2
  while [ "$total" -gt 0 ]; do
    replicas=$(( total > 500 ? 500 : total ))
    kc -n filler create deployment "filler-$i" --image=registry.example/filler:1 --replicas="$replicas" >/dev/null
    total=$(( total - replicas )); i=$((i + 1))
  done
  say "waiting for $1 pods to run"
  for ((j = 0; j < i; j++)); do kc -n filler rollout status "deployment/filler-$j" --timeout=20m >/dev/null; done
}

cmd_up() {
  local nodes=3 pods=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) nodes="$2"; shift 2 ;;
      --pods) pods="$2"; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  if [ -n "${KUBEGLANCE_TEST_KUBECONFIG:-}" ]; then
    [ -f "$KUBEGLANCE_TEST_KUBECONFIG" ] || die "KUBEGLANCE_TEST_KUBECONFIG=$KUBEGLANCE_TEST_KUBECONFIG does not exist"
    say "using the existing cluster of $KUBEGLANCE_TEST_KUBECONFIG"
    "$ROOT/scripts/build-control-plane.sh" >/dev/null
    kc version >&2
    kubeconfig_path; return
  fi
  "$ROOT/scripts/build-control-plane.sh" >/dev/null
  cmd_down >/dev/null 2>&1 || true
  mkdir -p "$(dirname "$KUBECONFIG_OUT")"
  say "creating cluster $NAME (kube v$K8S_VERSION, binary runtime, loopback only)"
  local started; started=$(date +%s)
  cd "$ROOT"
  # Everything comes from the local cache: kwokctl would otherwise download binaries and
  # metrics-server's manifest from GitHub, which this machine cannot reach.
  KWOK_KUBE_VERSION="v$K8S_VERSION" \
  KWOK_KUBECTL_BINARY="$BIN/kubectl" \
  KWOK_ETCDCTL_BINARY="$BIN/etcdctl" \
  kwokctl create cluster \
    --runtime binary \
    --config "$ROOT/test/fixtures/kwok/kwokctl.yaml" \
    --kubeconfig "$CACHE/run/$NAME/kwokctl-kubeconfig" \
    --kube-apiserver-binary "$BIN/kube-apiserver" \
    --kube-controller-manager-binary "$BIN/kube-controller-manager" \
    --kube-scheduler-binary "$BIN/kube-scheduler" \
    --kwok-controller-binary "$BIN/kwok" \
    --etcd-binary "$BIN/etcd" \
    --metrics-server-binary "$BIN/metrics-server" \
    --enable metrics-server \
    --enable-crds Metric,ClusterResourceUsage \
    --disable-qps-limits \
    --extra-args kube-controller-manager=leader-elect=false \
    --extra-args kube-scheduler=leader-elect=false \
    --wait 3m >&2
  kwokctl get kubeconfig > "$KUBECONFIG_OUT"
  chmod 600 "$KUBECONFIG_OUT"
  kc apply -f "$ROOT/test/fixtures/kwok/metrics-usage.yaml" >&2
  kc apply -f "$ROOT/deploy/rbac-readonly.yaml" >&2
  node_manifests "$nodes" | kc apply -f - >/dev/null
  kc wait --for=condition=Ready node --all --timeout=120s >/dev/null
  [ "$pods" -gt 0 ] && add_pods "$pods"
  say "cluster $NAME up with $nodes nodes in $(( $(date +%s) - started ))s; kubeconfig: $KUBECONFIG_OUT"
  echo "$KUBECONFIG_OUT"
}

cmd_down() {
  [ -n "${KUBEGLANCE_TEST_KUBECONFIG:-}" ] && { say "leaving the existing cluster alone"; return; }
  [ -d "$CLUSTER_DIR" ] || return 0
  kwokctl delete cluster >&2 || true
  # A component restarted by start-apiserver is not kwokctl's to stop; and an API server whose
  # etcd is already gone can hang in graceful shutdown, so it gets SIGKILL after a moment.
  pkill -f "$CLUSTER_DIR/" 2>/dev/null || true
  for _ in $(seq 1 50); do pgrep -f "$CLUSTER_DIR/" >/dev/null || break; sleep 0.1; done
  pkill -9 -f "$CLUSTER_DIR/" 2>/dev/null || true
  rm -rf "$CLUSTER_DIR" "$(dirname "$KUBECONFIG_OUT")"
}

# Stops kube-apiserver only (etcd and the rest keep running), so tests can check what a
# client sees while the API server is gone and after it comes back. (Controller-manager and
# scheduler run without leader election, so they wait for it instead of exiting.) Its exact command line is
# saved from /proc so that start-apiserver brings back the same server.
cmd_stop_apiserver() {
  local pid; pid=$(pid_of kube-apiserver)
  [ -n "$pid" ] || die "no kube-apiserver pid in $CLUSTER_DIR/pids"
  if [ -r "/proc/$pid/cmdline" ]; then
    cp "/proc/$pid/cmdline" "$CLUSTER_DIR/kube-apiserver.cmdline"
    readlink "/proc/$pid/cwd" > "$CLUSTER_DIR/kube-apiserver.cwd"
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

cmd_start_apiserver() {
  [ -f "$CLUSTER_DIR/kube-apiserver.cmdline" ] || die "stop-apiserver first"
  local -a argv; mapfile -d '' argv < "$CLUSTER_DIR/kube-apiserver.cmdline"
  # The subshell execs into the server, so $! is the server's pid; no pipe of ours stays open.
  ( cd "$(cat "$CLUSTER_DIR/kube-apiserver.cwd")" && exec "${argv[@]}" ) \
    </dev/null >>"$CLUSTER_DIR/logs/kube-apiserver.log" 2>&1 &
  echo $! >"$CLUSTER_DIR/pids/kube-apiserver.pid"
  for _ in $(seq 1 240); do
    kc get --raw /readyz >/dev/null 2>&1 && return 0; sleep 0.5
  done
  die "kube-apiserver did not become ready"
}

cmd_etcdctl() {
  local port
  port=$(sed -n 's/.*--listen-client-urls=http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$CLUSTER_DIR/kwok.yaml" | head -1)
  [ -n "$port" ] || port=$(grep -o 'etcdPort: [0-9]*' "$CLUSTER_DIR/kwok.yaml" | awk '{print $2}' | head -1)
  "$BIN/etcdctl" --endpoints "http://127.0.0.1:$port" "$@"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  kubeconfig) kubeconfig_path ;;
  kubectl) shift; kc "$@" ;;
  etcdctl) shift; cmd_etcdctl "$@" ;;
  stop-apiserver) cmd_stop_apiserver ;;
  start-apiserver) cmd_start_apiserver ;;
  *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
