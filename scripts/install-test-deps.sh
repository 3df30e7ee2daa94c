#!/usr/bin/env bash
# Installs what the tests need besides npm packages, on a Debian (or Ubuntu) machine: the real
# etcd and ZooKeeper servers that namerd's storage tests start (Debian packages etcd-server,
# etcd-client and zookeeper, which brings Java), and the HTTP/2 clients the h2 router's tests run
# (curl and nghttp, from nghttp2-client), the Prometheus server the canary figures' tests
# start (prometheus), and the browser the admin pages' tests drive (chromium, through
# playwright-core, which downloads no browser). A missing program fails those tests, it never
# skips them. Does nothing when all of them are installed.
# Used by the README's Quick start (`scripts/install-test-deps.sh && npm ci && npm test`) and
# by .ci/run. Runs apt-get through sudo unless run as root.
set -euo pipefail

if command -v etcd >/dev/null && [ -f /usr/share/java/zookeeper.jar ] &&
  command -v nghttp >/dev/null && command -v curl >/dev/null && [ -x /usr/bin/prometheus ] &&
  [ -x /usr/bin/chromium ]; then
  echo "install-test-deps: etcd, ZooKeeper, nghttp, curl, Prometheus and Chromium are already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-test-deps: no apt-get here; install etcd (server and etcdctl), ZooKeeper" \
    "(/usr/share/java/zookeeper.jar, java), nghttp (nghttp2), curl, prometheus" \
    "(/usr/bin/prometheus) and chromium (/usr/bin/chromium, or set CHROMIUM) by other means" >&2
  exit 1
fi
sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
"${sudo[@]}" apt-get update -qq
# Through env: sudo would drop a DEBIAN_FRONTEND set in front of it.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  etcd-server etcd-client zookeeper nghttp2-client curl prometheus chromium
