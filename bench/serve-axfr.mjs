#!/usr/bin/env node
// bench/serve-axfr: AXFR of a large signed zone out of Signet (DnsServer + XfrResponder, one Node thread) and out of
// knotd, in the same run, both fetched by the same client (kdig); prints records/s and Signet ÷ Knot.
// The zone is /work/shared/bench's generated `gov.` TLD (N delegations, default 100k), signed by Signet (alg 13,
// NSEC) once and written as text for Knot. Usage: npm run build && node bench/serve-axfr.mjs [N|1m] [runs]
// (npm run bench:axfr:1m runs the 1M-delegation zone with a larger heap; a signed zone of that size already in
// BENCH_OUT is reused unless BENCH_AXFR_RESIGN=1, since signing it takes minutes.)
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, rmSync, createWriteStream } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = join(root, 'dist', 'src');
const kit = process.env.BENCH_KIT ?? join(root, '..', 'shared', 'bench');
const out = process.env.BENCH_OUT ?? join(here, 'out', 'serve-axfr');
mkdirSync(out, { recursive: true });
const n = process.argv[2] === '1m' ? 1_000_000 : Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 3);

const { SystemClock, silentLogger } = await import(join(dist, 'util', 'index.js'));
const { Name, recordToText } = await import(join(dist, 'wire', 'index.js'));
const { loadZoneFile, ZoneModel } = await import(join(dist, 'zone', 'index.js'));
const { generateKeyPair, MemoryKeyStore, KSK_FLAGS, ZSK_FLAGS, signZone } = await import(join(dist, 'dnssec', 'index.js'));
const { UdpServer, TcpServer } = await import(join(dist, 'net', 'index.js'));
const { DnsServer, ServedZone, ZoneSet } = await import(join(dist, 'server', 'index.js'));
const { AccessList, XfrResponder } = await import(join(dist, 'transfer', 'index.js'));

const origin = Name.parse('gov.');
const unsignedFile = join(out, `gov-${n}.zone`);
if (!existsSync(unsignedFile)) execFileSync(process.execPath, [join(kit, '03-gen-zones.mjs'), 'tld', String(n), unsignedFile], { stdio: 'inherit' });

const clock = new SystemClock();
const signedFile = join(out, `gov-${n}-signed.zone`);
let signed;
if (n >= 1_000_000 && existsSync(signedFile) && process.env.BENCH_AXFR_RESIGN !== '1') {
  process.stderr.write(`reading the signed zone ${signedFile}…\n`);
  const read = await loadZoneFile(signedFile, { origin });
  if (read.errors.length > 0) throw new Error(`zone errors: ${read.errors.slice(0, 3).map((e) => e.message).join('; ')}`);
  signed = read.records;
} else {
  process.stderr.write(`reading and signing gov. with ${n} delegations…\n`);
  const loaded = await loadZoneFile(unsignedFile, { origin });
  if (loaded.errors.length > 0) throw new Error(`zone errors: ${loaded.errors.slice(0, 3).map((e) => e.message).join('; ')}`);
  const store = new MemoryKeyStore();
  const mk = async (flags) => store.signerSync(store.importKeyPair(await generateKeyPair(13)), flags);
  signed = signZone(loaded.records, { origin, keys: { ksks: [await mk(KSK_FLAGS)], zsks: [await mk(ZSK_FLAGS)] }, now: Math.floor(clock.now() / 1000) - 3600, denial: { nsec: true } });
  const ws = createWriteStream(signedFile);
  for (const rr of signed) ws.write(`${recordToText(rr)}\n`);
  await new Promise((r) => ws.end(r));
}
process.stderr.write(`${signed.length} signed records\n`);

/** Run kdig AXFR against port; resolve with wall seconds and the record count kdig reports. */
function kdigAxfr(port) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn('kdig', ['@127.0.0.1', '-p', String(port), '+time=60', '+retry=0', '+noall', '+stats', 'AXFR', 'gov.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    p.stdout.setEncoding('utf8').on('data', (d) => (text += d));
    p.stderr.setEncoding('utf8').on('data', (d) => (text += d));
    p.on('exit', (code) => {
      const wall = (performance.now() - t0) / 1000;
      const m = /\((\d+) messages, (\d+) records\)/.exec(text);
      if (code !== 0 || !m) return reject(new Error(`kdig failed (${code}): ${text.slice(-500)}`));
      resolve({ wall, messages: Number(m[1]), records: Number(m[2]) });
    });
  });
}

async function best(label, port) {
  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    last = await kdigAxfr(port);
    times.push(last.wall);
    process.stderr.write(`${label} run ${i + 1}: ${last.wall.toFixed(2)} s, ${last.records} records, ${last.messages} messages\n`);
  }
  const first = times[0];
  times.sort((a, b) => a - b);
  return { label, first, wall: times[0], median: times[Math.floor(times.length / 2)], records: last.records, messages: last.messages };
}

// Signet
const server = new DnsServer(ZoneSet.of([ServedZone.build(ZoneModel.build(signed, origin))]));
signed = undefined; // the model holds what is served
new XfrResponder({ acl: () => AccessList.parse(['127.0.0.1']), keyring: () => undefined, clock, log: silentLogger }).attach(server);
await server.listen({ addresses: ['127.0.0.1'], port: 0, udp: (o) => UdpServer.listen(o), tcp: (o) => TcpServer.listen(o) });
const signetResult = await best('signet', server.port);
await server.close();

// Knot (config as /work/shared/bench/08-serve.sh's "2w")
const kd = join(out, 'knot');
rmSync(kd, { recursive: true, force: true });
mkdirSync(join(kd, 'db'), { recursive: true });
const kport = 20000 + (process.pid % 20000);
writeFileSync(join(kd, 'knot.conf'), `server:
    rundir: "${kd}"
    listen: 127.0.0.1@${kport}
    udp-workers: 2
    tcp-workers: 1
    background-workers: 1
log:
  - target: "${kd}/knot.log"
    any: info
database:
    storage: "${kd}/db"
control:
    listen: "${kd}/knot.sock"
acl:
  - id: xfr
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "${out}"
    semantic-checks: off
    zonefile-load: whole
    journal-content: none
    zonefile-sync: -1
zone:
  - domain: gov.
    file: "${signedFile}"
    acl: xfr
`);
const knot = spawn('knotd', ['-c', join(kd, 'knot.conf')], { stdio: 'ignore' });
let knotResult;
try {
  for (let i = 0; i < 1200; i++) {
    try {
      const s = execFileSync('kdig', ['@127.0.0.1', '-p', String(kport), '+time=1', '+retry=0', '+short', 'SOA', 'gov.'], { encoding: 'utf8' });
      if (s.trim() !== '') break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  knotResult = await best('knot', kport);
} finally {
  knot.kill('SIGTERM');
}

const rate = (r) => Math.round(r.records / r.wall);
console.log(`| server | records | messages | first wall s | best wall s | median wall s | records/s (best) |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const r of [signetResult, knotResult]) console.log(`| ${r.label} | ${r.records} | ${r.messages} | ${r.first.toFixed(2)} | ${r.wall.toFixed(2)} | ${r.median.toFixed(2)} | ${rate(r)} |`);
console.log(`\nSignet ÷ Knot records/s: ${(rate(signetResult) / rate(knotResult)).toFixed(2)}×`);
