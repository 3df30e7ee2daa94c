#!/usr/bin/env bash
# Installs what the tests need besides npm packages, on a Debian (or Ubuntu) machine: the real
# etcd and ZooKeeper servers that namerd's storage tests start (Debian packages etcd-server,
# etcd-client and zookeeper, which brings Java). A missing server fails those tests, it never
# skips them. Does nothing when etcd is on the PATH and ZooKeeper's jar is installed.
# Used by the README's Quick start (`scripts/install-test-deps.sh && npm ci && npm test`) and
# by .ci/run. Runs apt-get through sudo unless run as root.
set -euo pipefail

if command -v etcd >/dev/null && [ -f /usr/share/java/zookeeper.jar ]; then
  echo "install-test-deps: etcd and ZooKeeper are already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-test-deps: no apt-get here; install etcd (server and etcdctl) and ZooKeeper" \
    "(/usr/share/java/zookeeper.jar, java) by other means" >&2
  exit 1
fi
sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
"${sudo[@]}" apt-get update -qq
# Through env: sudo would drop a DEBIAN_FRONTEND set in front of it.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  etcd-server etcd-client zookeeper
