#!/usr/bin/env node
// bench/pipeline (issue #6): a customer zone of about 1M records (/work/shared/bench's `example.gov.`), pulled from a
// BIND primary, signed and served to an NSD destination — once by Signet (`startSignet` in its own process, see
// pipeline-signet.mjs) and once by BIND (`inline-signing yes; dnssec-policy` secondary), in the same run. Measures
// (a) the initial transfer → sign → publish time (and until the destination serves it) and (b) for a loop of
// one-record changes (a DNS UPDATE to the primary; once it is applied, the bench sends the source's NOTIFY to the
// signer itself and starts the clock — the issue measures from the source's NOTIFY) the time until the signer serves
// the new signed serial and until the destination does, polling SOA over UDP every POLL_MS.
// Usage: npm run build && node bench/pipeline.mjs   (env: BENCH_NAMES owner names, default 740000 ≈ 1M records;
// BENCH_CHANGES, default 30; BENCH_ALG, default 13; BENCH_ONLY=signet|bind; BENCH_CPU_PROF=1 profiles Signet, =changes only its change loop)
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, rmSync, copyFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = join(root, 'dist', 'src');
const kit = process.env.BENCH_KIT ?? join(root, '..', 'shared', 'bench');
const out = process.env.BENCH_OUT ?? join(here, 'out', 'pipeline');
const names = Number(process.env.BENCH_NAMES ?? 740_000);
const changes = Number(process.env.BENCH_CHANGES ?? 30);
const alg = Number(process.env.BENCH_ALG ?? 13);
const only = process.env.BENCH_ONLY;
const POLL_MS = 2;
const ZONE = 'example.gov.';
mkdirSync(out, { recursive: true });

const { Name, RRType, encodeMessage, decodeMessage, makeQuery, Opcode } = await import(join(dist, 'wire', 'index.js'));
const { soaSerial } = await import(join(dist, 'zone', 'index.js'));

const log = (s) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the zone ----
const zoneFile = join(out, `example-${names}.zone`);
if (!existsSync(zoneFile)) execFileSync(process.execPath, [join(kit, '03-gen-zones.mjs'), 'ent', String(names), zoneFile], { stdio: 'inherit' });
const recordCount = Number(execFileSync('sh', ['-c', `grep -vc '^\\$' ${zoneFile}`]).toString().trim());
log(`zone ${ZONE}: ${recordCount} records (${names} owner names)`);

// ---- small DNS client: SOA polls and UPDATE over UDP ----
const sock = createSocket('udp4');
await new Promise((r) => sock.bind(0, '127.0.0.1', r));
const pending = new Map();
let nextId = 1;
sock.on('message', (buf) => {
  const id = buf.readUInt16BE(0);
  const p = pending.get(id);
  if (!p) return;
  pending.delete(id);
  clearTimeout(p.timer);
  try {
    p.resolve(decodeMessage(new Uint8Array(buf.buffer, buf.byteOffset, buf.length)));
  } catch {
    p.resolve(undefined);
  }
});
function exchange(port, msg, timeoutMs = 250) {
  const id = nextId++ & 0xffff || nextId++;
  const bytes = encodeMessage({ ...msg, id });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      resolve(undefined);
    }, timeoutMs);
    pending.set(id, { resolve, timer });
    sock.send(bytes, port, '127.0.0.1');
  });
}
const zoneName = Name.parse(ZONE);
/** The SOA serial `port` serves authoritatively, or undefined. */
async function serial(port) {
  const m = await exchange(port, makeQuery(zoneName, RRType.SOA, { edns: false }));
  const soa = m?.flags.aa ? m.answer.find((r) => r.type === RRType.SOA) : undefined;
  return soa ? soaSerial(soa.rdata) : undefined;
}
async function hasType(port, type) {
  const m = await exchange(port, makeQuery(zoneName, type, { edns: false }));
  return (m?.answer ?? []).some((r) => r.type === type);
}
/** RFC 2136 UPDATE: add one A record (no prerequisites). Resolves with the rcode. */
async function updateAdd(port, owner, addr) {
  const base = makeQuery(zoneName, RRType.SOA, { edns: false });
  const rr = { owner: Name.parse(owner), type: RRType.A, class: 1, ttl: 300, rdata: new Uint8Array(addr) };
  const m = await exchange(port, { ...base, flags: { ...base.flags, opcode: Opcode.UPDATE, rd: false }, answer: [], authority: [rr], additional: [] }, 5000);
  return m?.rcode;
}
/** The source's NOTIFY for the zone (RFC 1996), as the primary would send it, to `port`; resolves on the answer. */
function notify(port) {
  const base = makeQuery(zoneName, RRType.SOA, { edns: false });
  return exchange(port, { ...base, flags: { ...base.flags, opcode: Opcode.NOTIFY, aa: true, rd: false } }, 2000);
}

// ---- processes ----
async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    const ok = await new Promise((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}
const children = new Set();
function daemon(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', ...(opts.ipc ? ['ipc'] : [])], ...(opts.env ? { env: opts.env } : {}) });
  let text = '';
  const add = (d) => {
    text = (text + d).slice(-400_000);
    opts.onLog?.(d);
  };
  child.stdout.setEncoding('utf8').on('data', add);
  child.stderr.setEncoding('utf8').on('data', add);
  const exited = new Promise((r) => child.once('exit', r));
  children.add(child);
  return {
    child,
    log: () => text,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(t);
      }
      children.delete(child);
    },
  };
}
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
async function waitFor(what, check, timeoutMs, everyMs = 20) {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

function namedConf(dir, port, zoneBlock, extraTop = '', tuning = '') {
  return `options {
  directory "${dir}";
  pid-file "${join(dir, 'named.pid')}";
  session-keyfile "${join(dir, 'session.key')}";
  managed-keys-directory "${dir}";
  key-directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify explicit;
  notify-delay 0;
  allow-transfer { any; };
  max-ixfr-ratio unlimited;
  max-journal-size unlimited;
  ${tuning}
};
controls { };
${extraTop}
${zoneBlock}
`;
}

/** The customer's primary: the unsigned zone, updates from 127.0.0.1, NOTIFY to `notifyPort`. */
async function startSource(tag, notifyPort) {
  const dir = join(out, `${tag}-source`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(zoneFile, join(dir, 'example.gov.zone'));
  const port = await freePort();
  // no NOTIFY of its own: the bench sends it once an UPDATE is applied, so the clock starts at the NOTIFY
  void notifyPort;
  const conf = namedConf(dir, port, `zone "${ZONE}" { type primary; file "${join(dir, 'example.gov.zone')}"; allow-update { 127.0.0.1; }; notify no; };`);
  writeFileSync(join(dir, 'named.conf'), conf);
  const d = daemon('named', ['-g', '-4', '-n', '1', '-c', join(dir, 'named.conf'), '-p', String(port)]);
  await waitFor('the source to load the zone', () => serial(port), 600_000, 200).catch((e) => {
    throw new Error(`${e.message}\n${d.log().slice(-3000)}`);
  });
  return { port, ...d };
}

/** The customer's destination: NSD pulling from the signer (IXFR, AXFR fallback), NOTIFY from 127.0.0.1. */
async function startDestination(tag, signerPort) {
  const dir = join(out, `${tag}-nsd`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = `server:
  ip-address: 127.0.0.1@${port}
  port: ${port}
  username: ""
  chroot: ""
  zonesdir: "${dir}"
  zonelistfile: "${join(dir, 'zone.list')}"
  database: ""
  pidfile: "${join(dir, 'nsd.pid')}"
  xfrdfile: "${join(dir, 'xfrd.state')}"
  xfrdir: "${dir}"
  server-count: 1
  verbosity: 1
  do-ip6: no
  zonefiles-write: 0
remote-control:
  control-enable: no
zone:
  name: "${ZONE}"
  zonefile: "${join(dir, 'secondary.zone')}"
  request-xfr: 127.0.0.1@${signerPort} NOKEY
  allow-notify: 127.0.0.1 NOKEY
`;
  writeFileSync(join(dir, 'nsd.conf'), conf);
  const d = daemon('nsd', ['-d', '-c', join(dir, 'nsd.conf')]);
  await waitFor('NSD to listen', async () => (await exchange(port, makeQuery(zoneName, RRType.SOA, { edns: false }), 100)) !== undefined, 30_000, 100);
  return { port, ...d };
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}
function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99), max: s[s.length - 1] };
}

/**
 * The change loop: one UPDATE per round; polls the signer and the destination until both serve a new serial.
 * `signerHas(serial, before)` decides whether the signer's serial is the new one.
 */
async function changeLoop(tag, sourcePort, signerPort, destPort) {
  const signerT = [];
  const destT = [];
  let signerSerial = await serial(signerPort);
  for (let i = 0; i < changes; i++) {
    const before = signerSerial;
    const owner = `${tag}-change-${i}.example.gov.`;
    const rcode = await updateAdd(sourcePort, owner, [192, 0, 2, (i % 250) + 1]);
    if (rcode !== 0) throw new Error(`UPDATE ${i} failed: rcode ${rcode}`);
    // the UPDATE's answer comes once the primary applied it; the source's NOTIFY starts the clock
    const t0 = performance.now();
    void notify(signerPort);
    let tSigner;
    let tDest;
    let newSerial;
    const end = t0 + 600_000;
    while ((tSigner === undefined || tDest === undefined) && performance.now() < end) {
      const [s, d] = await Promise.all([tSigner === undefined ? serial(signerPort) : undefined, tDest === undefined ? serial(destPort) : undefined]);
      const now = performance.now();
      if (tSigner === undefined && s !== undefined && s !== before) {
        tSigner = now - t0;
        newSerial = s;
      }
      if (tSigner !== undefined && tDest === undefined) {
        const dd = d ?? (await serial(destPort));
        if (dd === newSerial) tDest = performance.now() - t0;
      }
      if (tSigner === undefined || tDest === undefined) await sleep(POLL_MS);
    }
    if (tSigner === undefined || tDest === undefined) throw new Error(`${tag}: change ${i} not seen within 600 s (signer ${tSigner}, destination ${tDest})`);
    signerSerial = newSerial;
    signerT.push(tSigner);
    destT.push(tDest);
    log(`${tag} change ${i}: signer ${tSigner.toFixed(1)} ms, destination ${tDest.toFixed(1)} ms (serial ${newSerial})`);
    await sleep(300);
  }
  return { signer: stats(signerT), destination: stats(destT), raw: { signer: signerT.map((x) => Math.round(x * 10) / 10), destination: destT.map((x) => Math.round(x * 10) / 10) } };
}

// ---- Signet ----
async function runSignet() {
  const signetPort = await freePort();
  const source = await startSource('signet', signetPort);
  const dest = await startDestination('signet', signetPort);
  const dataDir = join(out, 'signet-data');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const nodeArgs = ['--max-old-space-size=16000'];
  if (process.env.BENCH_CPU_PROF === '1') nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(out, 'cpu-prof')}`);
  const signet = daemon(process.execPath, [...nodeArgs, join(here, 'pipeline-signet.mjs')], {
    ipc: true,
    env: { ...process.env, PIPELINE_DATA_DIR: dataDir, PIPELINE_DNS_PORT: String(signetPort), PIPELINE_ALG: String(alg) },
    onLog: (d) => process.stderr.write(d),
  });
  const messages = [];
  const waiters = [];
  signet.child.on('message', (m) => {
    messages.push(m);
    for (const w of [...waiters]) w();
  });
  const expect = (key) =>
    new Promise((resolve, reject) => {
      const look = () => {
        const i = messages.findIndex((m) => key in m || 'error' in m);
        if (i < 0) return;
        const [m] = messages.splice(i, 1);
        waiters.splice(waiters.indexOf(look), 1);
        if ('error' in m) reject(new Error(m.error));
        else resolve(m);
      };
      waiters.push(look);
      look();
    });
  await expect('ready');
  const t0 = performance.now();
  signet.child.send({ enroll: { zone: ZONE, source: source.port, destination: dest.port } });
  await expect('enrolled');
  const srcSerial = await serial(source.port);
  await waitFor('Signet to serve the signed zone', async () => (await serial(signetPort)) === srcSerial, 3_600_000, 50);
  const signed = performance.now() - t0;
  log(`Signet: initial transfer + sign + publish ${(signed / 1000).toFixed(1)} s`);
  await waitFor('NSD to serve Signet’s zone', async () => (await serial(dest.port)) === srcSerial, 3_600_000, 50);
  const destSigned = performance.now() - t0;
  log(`Signet: destination serves it after ${(destSigned / 1000).toFixed(1)} s`);
  if (!(await hasType(dest.port, RRType.DNSKEY))) throw new Error('the destination does not serve Signet’s DNSKEY');
  signet.child.send({ status: ZONE });
  const st = await expect('status');
  await sleep(1000);
  const loop = await changeLoop('signet', source.port, signetPort, dest.port);
  signet.child.send({ status: ZONE });
  const st2 = await expect('status');
  signet.child.send({ stop: true });
  await expect('stopped').catch(() => undefined);
  await sleep(500);
  await signet.stop();
  await dest.stop();
  await source.stop();
  return { initial: { signedMs: Math.round(signed), destinationMs: Math.round(destSigned), rssAfterInitial: st.memory }, rssAtEnd: st2.memory, status: st2.status, ...loop };
}

// ---- BIND inline-signing ----
async function runBind() {
  const signerPort = await freePort();
  const source = await startSource('bind', signerPort);
  const dest = await startDestination('bind', signerPort);
  const dir = join(out, 'bind-signer');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const policy = `dnssec-policy "bench" {
  keys { ksk lifetime unlimited algorithm ${alg}; zsk lifetime unlimited algorithm ${alg}; };
  signatures-validity 14d;
  signatures-refresh 7d;
  dnskey-ttl 3600;
  max-zone-ttl 86400;
};`;
  const zone = `zone "${ZONE}" { type secondary; file "${join(dir, 'example.gov.raw')}"; primaries { 127.0.0.1 port ${source.port}; }; inline-signing yes; dnssec-policy "bench"; also-notify { 127.0.0.1 port ${dest.port}; }; allow-notify { 127.0.0.1; }; };`;
  // BIND's defaults (100 nodes / 10 signatures per signing quantum) would take hours on 1M records
  writeFileSync(join(dir, 'named.conf'), namedConf(dir, signerPort, zone, policy, 'sig-signing-nodes 10000; sig-signing-signatures 10000;'));
  const t0 = performance.now();
  const signer = daemon('named', ['-g', '-4', '-n', '2', '-c', join(dir, 'named.conf'), '-p', String(signerPort)]);
  // signing is done when both of BIND's signing-state records (private type 65534 at the apex, one per key:
  // algorithm, key tag, removal flag, complete flag) say complete
  await waitFor(
    'BIND to finish signing',
    async () => {
      const m = await exchange(signerPort, makeQuery(zoneName, 65534, { edns: false }));
      const recs = (m?.answer ?? []).filter((r) => r.type === 65534);
      return recs.length >= 2 && recs.every((r) => r.rdata.length === 5 && r.rdata[4] === 1);
    },
    3_600_000,
    50,
  ).catch((e) => {
    throw new Error(`${e.message}\n${signer.log().slice(-3000)}`);
  });
  const signed = performance.now() - t0;
  const finalSerial = await serial(signerPort);
  log(`BIND: initial transfer + sign ${(signed / 1000).toFixed(1)} s (serial ${finalSerial})`);
  await waitFor('NSD to serve BIND’s zone', async () => (await serial(dest.port)) === (await serial(signerPort)), 3_600_000, 50);
  const destSigned = performance.now() - t0;
  log(`BIND: destination serves it after ${(destSigned / 1000).toFixed(1)} s`);
  await sleep(1000);
  const loop = await changeLoop('bind', source.port, signerPort, dest.port);
  await signer.stop();
  await dest.stop();
  await source.stop();
  return { initial: { signedMs: Math.round(signed), destinationMs: Math.round(destSigned) }, ...loop };
}

const started = new Date().toISOString();
const result = {
  started,
  machine: { nproc: cpus().length, model: cpus()[0]?.model, note: 'shared machine, other engineers running' },
  zone: { name: ZONE, ownerNames: names, records: recordCount },
  algorithm: alg,
  denial: 'NSEC (BIND 9.18 inline-signing builds an NSEC3 chain at ~1k records/s, hours for 1M)',
  changes,
  clock: 'from the source NOTIFY (sent by the bench once the primary has applied the UPDATE) until an SOA query sees the new serial',
  pollMs: POLL_MS,
};
try {
  if (only !== 'bind') result.signet = await runSignet();
  if (only !== 'signet') result.bind = await runBind();
} finally {
  sock.close();
}
if (result.signet && result.bind) {
  result.ratios = {
    initialSigned: +(result.signet.initial.signedMs / result.bind.initial.signedMs).toFixed(2),
    changeSignerP50: +(result.signet.signer.p50 / result.bind.signer.p50).toFixed(2),
    changeSignerP99: +(result.signet.signer.p99 / result.bind.signer.p99).toFixed(2),
  };
}
if (result.signet) result.targetMet = result.signet.signer.p99 < 100;
writeFileSync(join(out, 'results.json'), JSON.stringify(result, null, 2));
process.stdout.write(`${JSON.stringify({ ...result, signet: result.signet && { ...result.signet, raw: undefined }, bind: result.bind && { ...result.bind, raw: undefined } }, null, 2)}\n`);
