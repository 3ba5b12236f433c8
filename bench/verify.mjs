#!/usr/bin/env node
// bench/verify: verify a gov. TLD zone signed by dnssec-signzone with Signet's verifyZone and with BIND's dnssec-verify
// in the same run; prints wall times, signatures/s, peak RSS, and the ratio.
// Usage: npm run bench:verify [-- <delegations> [alg]]   (default 100,000 delegations, algorithm 13)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = process.env.BENCH_OUT ?? join(here, 'out');
mkdirSync(out, { recursive: true });
const n = Number(process.argv[2] ?? 100_000);
const alg = process.argv[3] ?? '13';
const algName = { 8: 'RSASHA256', 13: 'ECDSAP256SHA256', 15: 'ED25519' }[alg];
const zone = join(out, `gov-${n}.zone`);
const gen = join(root, '..', 'shared', 'bench', '03-gen-zones.mjs');
if (!existsSync(zone)) execFileSync(process.execPath, [gen, 'tld', String(n), zone], { stdio: 'inherit' });

// keys and signing (once; reused by later runs)
const keys = join(out, `verify-keys-gov-${alg}`);
if (!existsSync(keys)) {
  mkdirSync(keys, { recursive: true });
  const bits = alg === '8' ? ['-b', '2048'] : [];
  execFileSync('dnssec-keygen', ['-q', '-a', algName, ...bits, '-f', 'KSK', '-K', keys, 'gov.']);
  execFileSync('dnssec-keygen', ['-q', '-a', algName, ...bits, '-K', keys, 'gov.']);
}
const signed = join(out, `gov-${n}-alg${alg}.signed`);
if (!existsSync(signed)) {
  console.log(`signing ${zone} with dnssec-signzone (alg ${alg}, NSEC) ...`);
  execFileSync('dnssec-signzone', ['-q', '-P', '-n', String(cpus().length), '-O', 'full', '-S', '-K', keys, '-d', out, '-o', 'gov.', '-f', signed, zone], { stdio: 'inherit' });
}

function timed(label, cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, rssKb] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr.slice(-800)}`);
  return { label, wall, rssMiB: rssKb / 1024, stdout: r.stdout };
}

console.log(`zone: ${signed}, machine: ${cpus().length} × ${cpus()[0]?.model}`);
const bind = timed('dnssec-verify', 'dnssec-verify', ['-q', '-o', 'gov.', signed]);
const s = timed('signet', process.execPath, ['--max-old-space-size=8192', join(root, 'dist', 'bench', 'verify-signet.js'), signed, 'gov.']);
const info = JSON.parse(s.stdout.trim().split('\n').pop());
if (!info.ok) throw new Error(`signet found ${info.failures} failures in a zone dnssec-verify accepts`);
const sigs = info.stats.signatures;
console.log(`records ${info.records}, RRSIGs ${sigs}, names ${info.stats.names}`);
console.log(`dnssec-verify  wall ${bind.wall.toFixed(2)} s  ${(sigs / bind.wall / 1000).toFixed(1)}k sig/s  peak RSS ${bind.rssMiB.toFixed(0)} MiB (load + verify)`);
console.log(`signet         wall ${s.wall.toFixed(2)} s  peak RSS ${s.rssMiB.toFixed(0)} MiB; read ${info.readSeconds.toFixed(2)} s (test adapter), verifyZone ${info.verifySeconds.toFixed(2)} s = ${(sigs / info.verifySeconds / 1000).toFixed(1)}k sig/s`);
console.log(`ratio verifyZone / dnssec-verify wall: ${(info.verifySeconds / bind.wall).toFixed(2)} (lower is faster)`);
