#!/usr/bin/env bash
# Installs a Debian package whose server the integration tests start themselves, when its binary
# is missing: `ensure-test-service.sh <binary> <package>`, e.g. `prometheus prometheus`,
# `redis-server redis-server`. The tests run the binary with their own config on a free port on
# 127.0.0.1; the packaged service is never wanted.
#
# A package's postinst enables and starts its service through invoke-rc.d. In a container without
# systemd (or init scripts that can run) that start fails and fails the install, so while
# installing, /usr/sbin/policy-rc.d answers 101 ("action not allowed"): invoke-rc.d then skips the
# start and the install succeeds. An existing policy-rc.d (Docker images ship one) is left as it
# is; one put in place here is removed again, whatever happens.
set -euo pipefail
binary=$1
package=$2
if command -v "$binary" >/dev/null 2>&1; then exit 0; fi
echo "[kubeglance] installing Debian's $package for the integration tests" >&2
sudo_cmd=()
if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

policy=/usr/sbin/policy-rc.d
placed_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# Placed by kubeglance scripts/ensure-test-service.sh while installing: start no services.\nexit 101\n' |
    "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  placed_policy=true
fi
remove_policy() {
  if [ "$placed_policy" = true ]; then "${sudo_cmd[@]}" rm -f "$policy"; fi
}
trap remove_policy EXIT

"${sudo_cmd[@]}" apt-get update -qq >&2 || true
# --no-install-recommends: recommended extras (Prometheus' node exporter) are of no use to the tests.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$package" >&2
# The package may still have started its service where an init system exists: the tests use
# their own instance on a free port, so a packaged one on the default port is only in the way.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  "${sudo_cmd[@]}" systemctl disable --now "$package" >/dev/null 2>&1 || true
fi
command -v "$binary" >/dev/null
