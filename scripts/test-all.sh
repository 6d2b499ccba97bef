#!/usr/bin/env bash
# The whole test suite, as CI runs it: types, unit tests, the build, integration tests against a
# real control plane (built into ~/.cache/kubeglance on the first run, reused afterwards), then the
# browser tests in Debian's Chromium (screenshots in test-artifacts/e2e/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
scripts/ensure-chromium.sh
scripts/ensure-test-service.sh prometheus prometheus
scripts/ensure-test-service.sh redis-server redis-server
step() { printf '\n== %s\n' "$*" >&2; }
step "typecheck (server and tests, browser app, browser tests)"
npm run --silent typecheck
step "unit tests"
npx vitest run --project unit
step "build (server and browser app)"
npm run --silent build
step "control plane build (cached after the first run)"
scripts/build-control-plane.sh >/dev/null
step "integration tests (real kube-apiserver, etcd, controller-manager, scheduler, KWOK, metrics-server)"
npx vitest run --project integration
step "browser tests (headless Chromium, WebGL on SwiftShader)"
npx vitest run --project e2e
