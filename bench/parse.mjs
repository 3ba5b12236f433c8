#!/usr/bin/env node
// bench/parse: parse a large TLD zone with Signet, named-checkzone and kzonecheck in the same run, and print
// records/s, wall time, peak RSS and Signet's heap bytes per record held, with ratios.
// Usage: npm run bench:parse [-- <delegations>]   (default 1,000,000 delegations ≈ 2.1M records)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = process.env.BENCH_OUT ?? join(here, 'out');
mkdirSync(out, { recursive: true });
const n = Number(process.argv[2] ?? 1_000_000);
const zone = join(out, `gov-${n}.zone`);
const gen = join(root, '..', 'shared', 'bench', '03-gen-zones.mjs');
if (!existsSync(zone)) execFileSync(process.execPath, [gen, 'tld', String(n), zone], { stdio: 'inherit' });
// the generator writes one record per line, plus $ORIGIN/$TTL directives
const records = Number(execFileSync('sh', ['-c', `grep -vc '^\\$' ${zone}`]).toString().trim());

function timed(label, cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, rssKb] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr.slice(-500)}`);
  return { label, wall, rssMiB: rssKb / 1024, stdout: r.stdout };
}

console.log(`zone: ${zone} (${records} records), machine: ${cpus().length} × ${cpus()[0]?.model}`);
const results = [];
results.push(timed('named-checkzone', 'named-checkzone', ['-i', 'none', 'gov.', zone]));
results.push(timed('kzonecheck', 'kzonecheck', ['-o', 'gov.', zone]));
const s = timed('signet', process.execPath, ['--expose-gc', '--max-old-space-size=8192', join(root, 'dist', 'bench', 'zone-read.js'), zone, 'gov.']);
const info = JSON.parse(s.stdout.trim().split('\n').pop());
if (info.errors) throw new Error(`signet reported ${info.errors} errors: ${info.firstError}`);
s.parseSeconds = info.seconds;
s.heapPerRecord = info.heapBytesPerRecord;
results.push(s);

const by = Object.fromEntries(results.map((r) => [r.label, r]));
for (const r of results) console.log(`${r.label.padEnd(16)} wall ${r.wall.toFixed(2)} s  ${(records / r.wall / 1000).toFixed(0)}k rec/s  peak RSS ${r.rssMiB.toFixed(0)} MiB`);
console.log(`signet heap per record held: ${s.heapPerRecord.toFixed(0)} bytes (${info.records} records)`);
console.log(`ratio signet/named-checkzone speed: ${(by['named-checkzone'].wall / s.wall).toFixed(2)}×`);
console.log(`ratio signet/kzonecheck speed:      ${(by['kzonecheck'].wall / s.wall).toFixed(2)}×`);
