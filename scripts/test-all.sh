#!/usr/bin/env bash
# The whole test suite, as CI runs it: types, unit tests, then integration tests against a real
# control plane (built into ~/.cache/kubeglance on the first run, reused afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
step() { printf '\n== %s\n' "$*" >&2; }
step "typecheck"
npx tsc -p tsconfig.json --noEmit
step "unit tests"
npx vitest run --project unit
step "control plane build (cached after the first run)"
scripts/build-control-plane.sh >/dev/null
step "integration tests (real kube-apiserver, etcd, controller-manager, scheduler, KWOK, metrics-server)"
npx vitest run --project integration
