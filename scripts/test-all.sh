#!/usr/bin/env bash
# One command for a fresh machine: install everything the tests need, build, and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
export SIGNET_REQUIRE_PEERS=1   # a missing peer fails its test instead of skipping it
export SIGNET_REQUIRE_NATIVE=1  # native/udp-batch and native/batch-sign must build and load (npm test builds them; tests/meta checks it)
npm test
