#!/usr/bin/env bash
# Rewrites cross-folder imports of inner files (e.g. ../util/errors.js) to that folder's index.js,
# as tests/meta/architecture.test.ts requires. Handy after merging work written against inner files.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in $(find src -name '*.ts'); do
  top=$(echo "$f" | cut -d/ -f2)
  TOP="$top" perl -0pi -e 's{from (["\x27])((?:\.\./)+)(util|wire|zone|tsig|dnssec|policy|registry|net|transfer|server|keystore|store|messaging|workers|zone-events|monitor|api|web|epp|cli|app)/[A-Za-z0-9/_-]+\.js\1}{($ENV{TOP} eq $3) ? $& : "from $1$2$3/index.js$1"}ge' "$f"
done
