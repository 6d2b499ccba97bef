#!/usr/bin/env bash
# Builds a real Kubernetes control plane from Go modules into a cache outside the repo:
# kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (k8s.io/kubernetes),
# etcd 3.6, kwok + kwokctl, and metrics-server. A second run reuses the cache and returns
# in well under a second.
#
# Why a wrapper module: `go install k8s.io/kubernetes/cmd/...@v1.x` refuses modules that
# carry replace directives, and k8s.io/kubernetes maps every staging module with one.
# The wrapper requires k8s.io/kubernetes and re-points each staging module to its published
# v0.x version, read from the go.mod the proxy serves for that release.
set -euo pipefail

K8S_VERSION="${KUBEGLANCE_K8S_VERSION:-1.36.3}"
ETCD_VERSION="${KUBEGLANCE_ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${KUBEGLANCE_KWOK_VERSION:-v0.8.0}"
METRICS_SERVER_VERSION="${KUBEGLANCE_METRICS_SERVER_VERSION:-v0.8.0}"
CACHE="${KUBEGLANCE_CACHE:-$HOME/.cache/kubeglance}"
BIN="$CACHE/bin/k8s-$K8S_VERSION"
SRC="$CACHE/src"

export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
mkdir -p "$BIN" "$SRC"

say() { printf '[control-plane] %s\n' "$*" >&2; }
have() { [ -x "$BIN/$1" ]; }
elapsed() { echo "$(( $(date +%s) - START ))s"; }
START=$(date +%s)

build_kubernetes() {
  if have kube-apiserver && have kube-controller-manager && have kube-scheduler && have kubectl; then
    say "kubernetes v$K8S_VERSION: cached in $BIN"; return
  fi
  local dir="$SRC/kubernetes-$K8S_VERSION" staging="v0.${K8S_VERSION#1.}" minor
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  mkdir -p "$dir"; cd "$dir"
  [ -f go.mod ] || go mod init local.invalid/kubeglance-k8s >/dev/null 2>&1
  say "kubernetes v$K8S_VERSION: resolving staging modules ($(elapsed))"
  local kmod
  kmod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  local count=0
  for m in $(sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => \./staging/.*#\1#p' "$kmod"); do
    go mod edit -replace="$m=$m@$staging"; count=$((count + 1))
  done
  say "kubernetes v$K8S_VERSION: $count staging modules pinned to $staging"
  local godebug; godebug=$(sed -n 's/^godebug //p' "$kmod" | head -1)
  [ -n "$godebug" ] && go mod edit -godebug="$godebug"
  local cmds="kube-apiserver kube-controller-manager kube-scheduler kubectl" pkgs=""
  for c in $cmds; do pkgs="$pkgs k8s.io/kubernetes/cmd/$c"; done
  say "kubernetes v$K8S_VERSION: downloading modules ($(elapsed))"
  # shellcheck disable=SC2086
  go get "k8s.io/kubernetes@v$K8S_VERSION" $(for p in $pkgs; do echo "$p@v$K8S_VERSION"; done) >/dev/null 2>&1 || \
    go get "k8s.io/kubernetes@v$K8S_VERSION"
  cat > tools.go <<GO
//go:build tools
package tools
import (
$(for p in $pkgs; do echo "	_ \"$p\""; done)
)
GO
  go mod tidy >/dev/null 2>&1 || true
  local ldflags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  for c in $cmds; do
    have "$c" && continue
    say "kubernetes v$K8S_VERSION: building $c ($(elapsed))"
    go build -trimpath -ldflags "$ldflags" -o "$BIN/$c.tmp" "k8s.io/kubernetes/cmd/$c"
    mv "$BIN/$c.tmp" "$BIN/$c"
  done
  "$BIN/kube-apiserver" --version >&2
}

build_etcd() {
  if have etcd && have etcdctl; then say "etcd $ETCD_VERSION: cached"; return; fi
  local dir="$SRC/etcd-$ETCD_VERSION"
  mkdir -p "$dir"; cd "$dir"
  [ -f go.mod ] || go mod init local.invalid/kubeglance-etcd >/dev/null 2>&1
  say "etcd $ETCD_VERSION: downloading ($(elapsed))"
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" "go.etcd.io/etcd/etcdctl/v3@$ETCD_VERSION" >/dev/null 2>&1
  cat > tools.go <<GO
//go:build tools
package tools
import (
	_ "go.etcd.io/etcd/server/v3"
	_ "go.etcd.io/etcd/etcdctl/v3"
)
GO
  go mod tidy >/dev/null 2>&1 || true
  say "etcd $ETCD_VERSION: building etcd and etcdctl ($(elapsed))"
  go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3 && mv "$BIN/etcd.tmp" "$BIN/etcd"
  go build -trimpath -ldflags "-s -w" -o "$BIN/etcdctl.tmp" go.etcd.io/etcd/etcdctl/v3 && mv "$BIN/etcdctl.tmp" "$BIN/etcdctl"
  "$BIN/etcd" --version >&2
}

go_install() { # name module@version
  if have "$1"; then say "$1: cached"; return; fi
  say "$1: go install $2 ($(elapsed))"
  GOBIN="$BIN" go install -trimpath -ldflags "-s -w" "$2"
}

build_kubernetes
build_etcd
go_install kwok "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
go_install kwokctl "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION"
go_install metrics-server "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION"
say "all binaries in $BIN ($(elapsed))"
echo "$BIN"
