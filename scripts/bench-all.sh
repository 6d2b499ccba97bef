#!/usr/bin/env bash
# Every benchmark; each prints its numbers (and writes JSON to .artifacts/bench/).
#   scripts/bench-all.sh            simulated heap (medium, xl), then the real-API bench at 10k pods
#   BENCH_CHURN_SECONDS=120 ...     a shorter churn window for the bytes comparison
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
scripts/build-control-plane.sh >/dev/null
node --expose-gc --import tsx bench/heap-simulated.ts medium large xl
node --expose-gc --import tsx bench/kube-bench.ts
