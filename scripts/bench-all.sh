#!/usr/bin/env bash
# Every benchmark; each prints its numbers (and writes JSON to .artifacts/bench/).
#   scripts/bench-all.sh            simulated heap (medium, large, xl), the browser bench (medium,
#                                   large, xl; about 15 minutes), then the real-API bench at 10k pods
#   BENCH_CHURN_SECONDS=120 ...     a shorter churn window for the bytes comparison
#   BENCH_SIZES=medium,large ...    fewer sizes for the browser bench (see bench/browser-bench.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
scripts/ensure-chromium.sh
scripts/build-control-plane.sh >/dev/null
node --expose-gc --import tsx bench/heap-simulated.ts medium large xl
node --expose-gc --import tsx bench/browser-bench.ts
npm run --silent build:web && node --expose-gc --import tsx bench/topology-browser-bench.ts
node --expose-gc --import tsx bench/kube-bench.ts
