#!/usr/bin/env bash
# Installs what the tests need: the Debian peers (BIND, Knot, NSD, Unbound, ldns, dnsperf) and npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(bind9 bind9-utils bind9-dnsutils knot knot-dnsutils knot-dnssecutils nsd unbound ldnsutils dnsperf time softhsm2 postgresql openssl python3-cryptography g++ make python3)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts these daemons on install; the tests run their own instances on high ports.
for svc in named bind9 knot nsd unbound postgresql; do
  (command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null) || true
done
npm ci --no-audit --no-fund
