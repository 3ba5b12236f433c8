#!/usr/bin/env bash
# Installs Signet from this checkout and starts it on the embedded default (SQLite under ./data, DNS on
# 127.0.0.1:5353, HTTP API on 127.0.0.1:8053). Needs Node.js 20 with npm; builds native modules with the
# machine's compiler (python3, make, g++). Set SIGNET_* variables (see README) to change addresses and ports.
set -euo pipefail
cd "$(dirname "$0")/.."
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "signet needs Node.js 20 or later (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
npm ci --no-audit --no-fund
npm run build
if [ "${SIGNET_NO_START:-}" = "1" ]; then
  echo "installed; start with: bin/signet serve"
  exit 0
fi
exec bin/signet serve ${SIGNET_CONFIG:+--config "$SIGNET_CONFIG"}
