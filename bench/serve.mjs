#!/usr/bin/env node
// bench/serve: the same signed gov. TLD zone served by Signet (`signet serve-zone`), NSD and Knot in one run, each
// on its own high port on 127.0.0.1 and pinned to CPU 0 with one answering thread, hit by dnsperf (pinned to CPU 1)
// with the same query file, DO off and DO on; prints QPS, average and 99th-percentile latency, and Signet ÷ NSD.
// Signet runs with the batch UDP backend (native/udp-batch), and once more on node:dgram for comparison.
// Usage: npm run bench:serve [-- <delegations> [seconds]]   (default 100,000 delegations, 10 s per phase)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, totalmem } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = process.env.BENCH_OUT ?? join(here, 'out');
mkdirSync(out, { recursive: true });
const n = Number(process.argv[2] ?? 100_000);
const seconds = Number(process.argv[3] ?? 10);
const gen = join(root, '..', 'shared', 'bench', '03-gen-zones.mjs');
const pin = (core, cmd, args) => (cpus().length > 1 ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args]);

// 1. zone (generator of the shared bench kit), signed once with dnssec-signzone (ECDSA P-256, NSEC)
const zone = join(out, `gov-${n}.zone`);
if (!existsSync(zone)) execFileSync(process.execPath, [gen, 'tld', String(n), zone], { stdio: 'inherit' });
const keys = join(out, 'keys-gov-13');
if (!existsSync(keys)) {
  mkdirSync(keys, { recursive: true });
  execFileSync('dnssec-keygen', ['-q', '-a', 'ECDSAP256SHA256', '-f', 'KSK', '-K', keys, 'gov.']);
  execFileSync('dnssec-keygen', ['-q', '-a', 'ECDSAP256SHA256', '-K', keys, 'gov.']);
}
const signed = join(out, `gov-${n}-alg13.signed`);
if (!existsSync(signed)) {
  console.log(`signing ${zone} with dnssec-signzone ...`);
  execFileSync('dnssec-signzone', ['-q', '-P', '-n', String(cpus().length), '-O', 'full', '-S', '-K', keys, '-d', out, '-o', 'gov.', '-f', signed, zone], { stdio: 'inherit' });
}

// 2. queries: the kit's mix (delegations → referrals, some below the cut, DS, apex types) plus 15% names that do not
// exist (NXDOMAIN with NSEC proofs under DO), shuffled deterministically
const queries = join(out, `serve-gov-${n}.queries`);
if (!existsSync(queries)) {
  const base = readFileSync(zone.replace(/\.zone$/, '.queries'), 'utf8').trim().split('\n');
  const lines = [];
  base.forEach((q, i) => {
    lines.push(q);
    if (i % 6 === 0) lines.push(`nx${i}-${(i * 7919) % 10007}.gov. ${i % 12 === 0 ? 'A' : 'DS'}`);
  });
  writeFileSync(queries, lines.join('\n') + '\n');
}
const mix = readFileSync(queries, 'utf8').trim().split('\n');

// 3. the servers
const work = join(out, 'serve-run');
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'knot-db'), { recursive: true });
const PORTS = { signet: 25353, nsd: 25354, knot: 25355, 'signet-nocache': 25356, 'signet-dgram': 25357 };
writeFileSync(join(work, 'nsd.conf'), `server:
  ip-address: 127.0.0.1@${PORTS.nsd}
  server-count: 1
  database: ""
  zonelistfile: "${work}/zone.list"
  xfrdfile: "${work}/xfrd.state"
  xfrdir: "${work}"
  pidfile: "${work}/nsd.pid"
  username: ""
  chroot: ""
  do-ip6: no
  verbosity: 0
  refuse-any: yes
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: gov.
  zonefile: "${signed}"
`);
writeFileSync(join(work, 'knot.conf'), `server:
  rundir: "${work}"
  listen: 127.0.0.1@${PORTS.knot}
  udp-workers: 1
  tcp-workers: 1
  background-workers: 1
log:
  - target: stderr
    any: warning
database:
  storage: "${work}/knot-db"
template:
  - id: default
    storage: "${out}"
    semantic-checks: off
    zonefile-load: whole
    journal-content: none
    zonefile-sync: -1
zone:
  - domain: gov.
    file: "${signed}"
`);
const SERVERS = [
  { name: 'signet', threads: '1 (Node main thread), --udp-backend batch', cmd: pin(0, process.execPath, ['--max-old-space-size=8192', join(root, 'bin', 'signet'), 'serve-zone', signed, '--origin', 'gov.', '--port', String(PORTS.signet), '--udp-backend', 'batch']) },
  // the same on node:dgram (one recvmsg and one sendto per datagram): what the batch addon gains
  { name: 'signet-dgram', threads: '1 (Node main thread), --udp-backend dgram', cmd: pin(0, process.execPath, ['--max-old-space-size=8192', join(root, 'bin', 'signet'), 'serve-zone', signed, '--origin', 'gov.', '--port', String(PORTS['signet-dgram']), '--udp-backend', 'dgram']) },
  // the same with the answer cache off: what the general answering path alone makes
  { name: 'signet-nocache', threads: '1 (Node main thread), --udp-backend batch --answer-cache 0', cmd: pin(0, process.execPath, ['--max-old-space-size=8192', join(root, 'bin', 'signet'), 'serve-zone', signed, '--origin', 'gov.', '--port', String(PORTS['signet-nocache']), '--udp-backend', 'batch', '--answer-cache', '0']) },
  { name: 'nsd', threads: 'server-count 1', cmd: pin(0, 'nsd', ['-d', '-c', join(work, 'nsd.conf')]) },
  { name: 'knot', threads: 'udp-workers 1, tcp-workers 1, background-workers 1', cmd: pin(0, 'knotd', ['-c', join(work, 'knot.conf')]) },
];

function soaAnswered(port) {
  const r = spawnSync('kdig', ['@127.0.0.1', '-p', String(port), '+time=1', '+retry=0', '+short', 'SOA', 'gov.'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '';
}

async function start(s) {
  const t0 = performance.now();
  const child = spawn(s.cmd[0], s.cmd[1], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log = (log + d).slice(-4000)));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${s.name} exited: ${log}`);
    if (soaAnswered(PORTS[s.name])) break;
    if (performance.now() - t0 > 600_000) throw new Error(`${s.name} did not load within 600 s: ${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const load = (performance.now() - t0) / 1000;
  const rss = Number(spawnSync('ps', ['-o', 'rss=', '-p', String(child.pid)], { encoding: 'utf8' }).stdout.trim()) / 1024;
  return { child, load, rss };
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** One dnsperf phase; -v gives each query's latency, from which the 99th percentile is taken. */
function perf(port, dnssec) {
  const [cmd, args] = pin(1, 'dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', queries, '-l', String(seconds), '-c', '8', '-q', '100', '-T', '1', '-v', ...(dnssec ? ['-D'] : [])]);
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`dnsperf failed: ${r.stderr}`);
  const text = r.stdout;
  const num = (re) => Number(re.exec(text)?.[1] ?? NaN);
  const lat = [];
  const rcodes = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('> ')) continue;
    const f = line.split(' ');
    rcodes[f[1]] = (rcodes[f[1]] ?? 0) + 1;
    lat.push(Number(f[f.length - 1]));
  }
  lat.sort((a, b) => a - b);
  return {
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    p99Ms: (lat[Math.floor(lat.length * 0.99)] ?? NaN) * 1000,
    lost: num(/Queries lost:\s+(\d+)/),
    rcodes,
  };
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.log(`zone ${signed} (${n} delegations), ${mix.length} queries, ${seconds} s per phase, dnsperf -c 8 -q 100 -T 1 on CPU 1, servers on CPU 0`);
const results = {};
for (const s of SERVERS) {
  const { child, load, rss } = await start(s);
  try {
    results[s.name] = { load, rss, threads: s.threads, off: perf(PORTS[s.name], false), on: perf(PORTS[s.name], true) };
    // after both phases: what the answer cache (and the rest) holds once the query file has gone through
    results[s.name].rssAfter = Number(spawnSync('ps', ['-o', 'rss=', '-p', String(child.pid)], { encoding: 'utf8' }).stdout.trim()) / 1024;
  } finally {
    await stop(child);
  }
  const r = results[s.name];
  console.log(`${s.name}: loaded in ${load.toFixed(1)} s, RSS ${rss.toFixed(0)} MiB; DO off ${r.off.qps.toFixed(0)} QPS; DO on ${r.on.qps.toFixed(0)} QPS`);
}

const row = (name, phase) => {
  const p = results[name][phase];
  const codes = Object.entries(p.rcodes).map(([k, v]) => `${k} ${((v / Object.values(p.rcodes).reduce((a, b) => a + b, 0)) * 100).toFixed(0)}%`).join(', ');
  return `| ${name} | ${phase === 'on' ? 'on' : 'off'} | ${p.qps.toFixed(0)} | ${p.avgMs.toFixed(2)} | ${p.p99Ms.toFixed(2)} | ${p.lost} | ${codes} | ${(p.qps / results.nsd[phase].qps).toFixed(2)} |`;
};
console.log('\n| server | DO | QPS (1 core) | avg ms | p99 ms | lost | rcodes | ÷ NSD |');
console.log('|---|---|---|---|---|---|---|---|');
for (const phase of ['off', 'on']) for (const s of SERVERS) console.log(row(s.name, phase));
console.log('\n| server | threads | load s | RSS MiB after load | RSS MiB after the phases |');
console.log('|---|---|---|---|---|');
for (const s of SERVERS) console.log(`| ${s.name} | ${results[s.name].threads} | ${results[s.name].load.toFixed(1)} | ${results[s.name].rss.toFixed(0)} | ${results[s.name].rssAfter.toFixed(0)} |`);
const mixed = (name) => 2 / (1 / results[name].off.qps + 1 / results[name].on.qps); // equal query counts DO off and on
console.log(`\nSignet ÷ NSD per core (half the queries with DO): ${(mixed('signet') / mixed('nsd')).toFixed(2)} (target ≥ 0.5); Signet ÷ Knot: ${(mixed('signet') / mixed('knot')).toFixed(2)}`);
console.log(`Signet on node:dgram ÷ NSD: ${(mixed('signet-dgram') / mixed('nsd')).toFixed(2)}; batch ÷ dgram: ${(mixed('signet') / mixed('signet-dgram')).toFixed(2)}`);
console.log(`Signet with the answer cache off ÷ NSD: ${(mixed('signet-nocache') / mixed('nsd')).toFixed(2)}; each query of the file is sent ${((results.signet.off.qps * seconds) / mix.length).toFixed(1)}× (DO off) and ${((results.signet.on.qps * seconds) / mix.length).toFixed(1)}× (DO on) in a phase`);
