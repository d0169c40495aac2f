#!/usr/bin/env bash
# Installs what Millwright needs on a Debian machine with Node 20, then builds. Safe to run again:
# each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v nats-server >/dev/null 2>&1 || need_apt+=(nats-server)
# The asset platform's tests run it on PostgreSQL too (a throwaway server per test, as the postgres
# user); the demo does not need it.
if [ "${MILLWRIGHT_WITH_TESTS:-0}" = "1" ]; then ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql); fi
# The identity provisioning CLI (and its tests) makes the private CA and certificates with openssl.
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# The demo waits for its services with curl.
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
if [ "${MILLWRIGHT_WITH_BROWSER:-0}" = "1" ] && ! command -v chromium >/dev/null 2>&1; then need_apt+=(chromium); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "setup: please install these Debian packages first: ${need_apt[*]}" >&2
    exit 1
  fi
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "setup: installing ${need_apt[*]} with apt-get"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
  # Debian starts the package's own nats-server on port 4222 under systemd; Millwright starts its own
  # servers (the demo on 4222, tests on free ports), so the packaged one is only in the way.
  if [[ " ${need_apt[*]} " == *" nats-server "* ]] && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now nats-server.service >/dev/null 2>&1 || true
  fi
fi

if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "setup: Node 20.19 or newer is required (found $(node --version))" >&2
  exit 1
fi

# onnxruntime-node's install script would download CUDA files; the CPU binaries ship in the package.
export ONNXRUNTIME_NODE_INSTALL=skip
stamp=node_modules/.millwright-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

npm run --silent build
