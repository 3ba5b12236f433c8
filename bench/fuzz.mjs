#!/usr/bin/env node
// bench/fuzz: the long fuzz runs of issue 2 — the message decoder and the zone reader, each over N random and
// mutated inputs (default 1,000,000). Fails when anything other than a typed parse error escapes.
// Usage: npm run bench:fuzz [-- <iterations>]
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const n = String(Number(process.argv[2] ?? 1_000_000));
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, ${n} iterations each`);
let failed = false;
for (const [label, args] of [
  ['message decoder', [join(root, 'dist', 'bench', 'message-fuzz.js'), n]],
  ['zone reader', [join(root, 'dist', 'bench', 'zone-read.js'), '--fuzz', n]],
]) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label}: exit ${r.status}, ${s.toFixed(1)} s\n${r.stdout.trim()}${r.stderr.trim() ? `\n${r.stderr.trim()}` : ''}`);
  if (r.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
