#!/usr/bin/env node
// bench/serve-axfr: AXFR of a large signed zone out of Signet (DnsServer + XfrResponder, one Node thread) and out of
// knotd, in the same run, each fetched by two clients: kdig (which parses and prints every record, and is the
// bottleneck on this machine) and bench/axfr-client.mjs (reads frames and sums ANCOUNT only, so the server is what is
// measured); prints records/s and Signet ÷ Knot for each client. With more than one core, the servers run on core 0
// and the clients on core 1 (taskset), as bench/serve.mjs does.
// The zone is /work/shared/bench's generated `gov.` TLD (N delegations, default 100k), signed by Signet (alg 13,
// NSEC) once and written as text for Knot. Usage: npm run build && node bench/serve-axfr.mjs [N|1m] [runs]
// (npm run bench:axfr:1m runs the 1M-delegation zone with a larger heap; a signed zone of that size already in
// BENCH_OUT is reused unless BENCH_AXFR_RESIGN=1, since signing it takes minutes.)
// For Signet, each client gets a fresh XfrResponder whose `prepare` starts when the zone is published; the first
// transfer ("at publish") is asked for at that moment, while the warm-up runs; the others after it finished.
import { spawn, execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
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
const pinned = cpus().length > 1;
/** The command and arguments to run `cmd` on `core` (as bench/serve.mjs). */
const pin = (core, cmd, args) => (pinned ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args]);
// the Signet server runs in this process: every thread of it on core 0
if (pinned) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });

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
// what reading and signing 4M records left behind is collected before the servers are timed (as it would be by the
// time a served zone is transferred), so no transfer pays for it (node --expose-gc; a no-op without it)
globalThis.gc?.();

/** Run kdig AXFR against port; resolve with wall seconds (spawn to exit) and the record count kdig reports. */
function kdigAxfr(port) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const [cmd, args] = pin(1, 'kdig', ['@127.0.0.1', '-p', String(port), '+time=60', '+retry=0', '+noall', '+stats', 'AXFR', 'gov.']);
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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

/** Run bench/axfr-client.mjs against port; wall seconds from its connect to the closing SOA (its startup excluded). */
function rawAxfr(port) {
  return new Promise((resolve, reject) => {
    const [cmd, args] = pin(1, process.execPath, [join(here, 'axfr-client.mjs'), '127.0.0.1', String(port), 'gov.']);
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    p.stdout.setEncoding('utf8').on('data', (d) => (text += d));
    p.stderr.setEncoding('utf8').on('data', (d) => (text += d));
    p.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        const r = JSON.parse(text);
        resolve({ wall: r.seconds, messages: r.messages, records: r.records });
      } catch (e) {
        reject(new Error(`axfr-client failed (${e.message}): ${text.slice(-500)}`));
      }
    });
  });
}

// BENCH_AXFR_CLIENTS=raw (or kdig) runs one client only
const clients = Object.fromEntries(Object.entries({ kdig: kdigAxfr, raw: rawAxfr }).filter(([k]) => (process.env.BENCH_AXFR_CLIENTS ?? 'kdig,raw').split(',').includes(k)));

/** `runs` transfers by `client`; `atPublish`, when given, is a transfer already under way, reported apart. */
async function series(label, client, port, atPublish) {
  const times = [];
  let last;
  let publish;
  if (atPublish) {
    publish = await atPublish;
    process.stderr.write(`${label} ${client} at publish: ${publish.wall.toFixed(2)} s, ${publish.records} records, ${publish.messages} messages\n`);
  }
  for (let i = 0; i < runs; i++) {
    last = await clients[client](port);
    times.push(last.wall);
    process.stderr.write(`${label} ${client} run ${i + 1}: ${last.wall.toFixed(2)} s, ${last.records} records, ${last.messages} messages\n`);
  }
  const first = times[0];
  times.sort((a, b) => a - b);
  return { label, client, publish: publish?.wall, first, wall: times[0], median: times[Math.floor(times.length / 2)], records: last.records, messages: last.messages };
}

// Signet: for each client a fresh responder (empty cache), prepared as a publish would, the first transfer asked at once
const zone = ServedZone.build(ZoneModel.build(signed, origin));
signed = undefined; // the model holds what is served
const server = new DnsServer(ZoneSet.of([zone]));
await server.listen({ addresses: ['127.0.0.1'], port: 0, udp: (o) => UdpServer.listen(o), tcp: (o) => TcpServer.listen(o) });
const signetResults = {};
const prepareSeconds = {};
for (const client of Object.keys(clients)) {
  const responder = new XfrResponder({ acl: () => AccessList.parse(['127.0.0.1']), keyring: () => undefined, clock, log: silentLogger });
  responder.attach(server);
  const t0 = performance.now();
  const warm = responder.prepare(zone).then(() => (prepareSeconds[client] = (performance.now() - t0) / 1000));
  const atPublish = clients[client](server.port);
  await atPublish.catch(() => {});
  await warm;
  globalThis.gc?.();
  signetResults[client] = await series('signet', client, server.port, atPublish);
}
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
const knot = spawn(...pin(0, 'knotd', ['-c', join(kd, 'knot.conf')]), { stdio: 'ignore' });
const knotResults = {};
try {
  for (let i = 0; i < 1200; i++) {
    try {
      const s = execFileSync('kdig', ['@127.0.0.1', '-p', String(kport), '+time=1', '+retry=0', '+short', 'SOA', 'gov.'], { encoding: 'utf8' });
      if (s.trim() !== '') break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const client of Object.keys(clients)) knotResults[client] = await series('knot', client, kport);
} finally {
  // wait for knotd to go (a 1M-zone knotd once outlived the bench after SIGTERM); SIGKILL after 20 s
  const gone = knot.exitCode !== null ? Promise.resolve() : new Promise((r) => knot.once('exit', r));
  knot.kill('SIGTERM');
  const force = setTimeout(() => knot.kill('SIGKILL'), 20_000);
  await gone;
  clearTimeout(force);
}

const rate = (r, w = r.wall) => Math.round(r.records / w);
const f2 = (x) => (x === undefined ? '' : x.toFixed(2));
console.log(`${runs} runs per client and server; servers on core 0, clients on core 1: ${pinned}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`Signet prepare (warm-up while the at-publish transfer ran): ${Object.entries(prepareSeconds).map(([c, t]) => `${c} ${t.toFixed(2)} s`).join(', ')}\n`);
console.log(`| client | server | records | messages | at publish s | first s | best s | median s | records/s (best) | records/s (median) |`);
console.log(`|---|---|---|---|---|---|---|---|---|---|`);
for (const client of Object.keys(clients)) {
  for (const r of [signetResults[client], knotResults[client]]) {
    console.log(`| ${client} | ${r.label} | ${r.records} | ${r.messages} | ${f2(r.publish)} | ${f2(r.first)} | ${f2(r.wall)} | ${f2(r.median)} | ${rate(r)} | ${rate(r, r.median)} |`);
  }
}
console.log('');
for (const client of Object.keys(clients)) {
  const s = signetResults[client];
  const k = knotResults[client];
  const at = s.publish === undefined ? '' : `, Signet at publish ÷ Knot best ${(k.wall / s.publish).toFixed(2)}×`;
  console.log(`${client}: Signet ÷ Knot records/s best ${(k.wall / s.wall).toFixed(2)}×, median ${(k.median / s.median).toFixed(2)}×, first ${(k.first / s.first).toFixed(2)}×${at}`);
}
