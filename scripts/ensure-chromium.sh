#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests and benchmarks when it is missing. Tests drive
# it with playwright-core; no test tool ever downloads a browser of its own.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "[kubeglance] installing Debian's chromium for the browser tests" >&2
sudo_cmd=()
if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >&2 || true
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
command -v chromium >/dev/null
