#!/usr/bin/env node
// bench/pipeline's Signet process: `startSignet` (SQLite store, key vault, DNS on 127.0.0.1) with a benchmark policy,
// started by bench/pipeline.mjs over IPC so it can run under `node --cpu-prof` apart from the measuring process.
// Messages in: {enroll: {zone, source, destination, policy}}; out: {ready: dnsPort}, {enrolled: true}.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist', 'src');
const { SystemClock, silentLogger } = await import(join(dist, 'util', 'index.js'));
const { loadConfig, startSignet } = await import(join(dist, 'app', 'index.js'));
const { DOTGOV_CSS } = await import(join(dist, 'policy', 'index.js'));

const dataDir = process.env.PIPELINE_DATA_DIR;
const dnsPort = process.env.PIPELINE_DNS_PORT;
const alg = Number(process.env.PIPELINE_ALG ?? 13);
if (!dataDir || !dnsPort) throw new Error('PIPELINE_DATA_DIR and PIPELINE_DNS_PORT are required');

// dotgov-css (14-day signatures, re-signed at 7) with the benchmark's algorithm, and NSEC (as BIND is given)
const size = alg === 13 || alg === 15 ? 256 : 2048;
const policy = { ...DOTGOV_CSS, name: `bench-alg${alg}`, algorithm: alg, ksk: { ...DOTGOV_CSS.ksk, size }, zsk: { ...DOTGOV_CSS.zsk, size }, denial: { type: 'nsec' } };
const warnings = [];
// BENCH_CPU_PROF=changes: a CPU profile of the change loop only (from the first version changed in place to stop)
const profileChanges = process.env.BENCH_CPU_PROF === 'changes';
let session;
async function startProfile() {
  const { Session } = await import('node:inspector/promises');
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
}
async function stopProfile() {
  if (!session) return;
  const { profile } = await session.post('Profiler.stop');
  const { writeFileSync } = await import('node:fs');
  const file = join(dataDir, `changes-${Date.now()}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  process.stderr.write(`signet: change-loop CPU profile in ${file}\n`);
}
const logger = {
  ...silentLogger,
  info: () => {},
  // the pipeline's per-step timings of each published version
  debug: (obj, msg) => {
    if (msg === 'published') {
      process.stderr.write(`signet published serial ${obj.serial}: made ${obj.made}, ${obj.inPlace ? 'in place' : `reused ${obj.reused}`}, ms ${JSON.stringify(obj.ms)}\n`);
      if (profileChanges && obj.inPlace && !session) void startProfile();
    }
  },
  warn: (obj, msg) => {
    warnings.push(msg);
    process.stderr.write(`signet warn: ${msg} ${JSON.stringify(obj, (_k, v) => (v instanceof Error ? v.message : v)).slice(0, 300)}\n`);
  },
};
const config = loadConfig({ cwd: dataDir, env: { SIGNET_DATA_DIR: join(dataDir, 'data'), SIGNET_DNS_PORT: dnsPort, SIGNET_HTTP_PORT: '0' } });
const running = await startSignet(config, {
  clock: new SystemClock(),
  logger,
  version: 'bench',
  policies: { [policy.name]: policy },
  // the first SOA check of the destination soon after the NOTIFY, then doubling
  destinationChecks: { attempts: 16, firstDelayMs: 50 },
});
process.send({ ready: running.dnsPort });

process.on('message', async (m) => {
  try {
    if (m.enroll) {
      const e = m.enroll;
      await running.service.enroll(
        { zone: e.zone, policy: policy.name, sources: [{ address: '127.0.0.1', port: e.source }], destinations: [{ address: '127.0.0.1', port: e.destination }], technicalContact: 'bench@example.gov' },
        { name: 'bench' },
      );
      process.send({ enrolled: true });
    } else if (m.status) {
      process.send({ status: (await running.service.get(m.status)).status, memory: process.memoryUsage().rss });
    } else if (m.stop) {
      await stopProfile();
      await running.close();
      process.send({ stopped: true, warnings: warnings.length });
      process.disconnect();
    }
  } catch (err) {
    process.send({ error: String(err?.stack ?? err) });
  }
});
