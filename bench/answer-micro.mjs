#!/usr/bin/env node
// bench/answer-micro: in-process answering speed (DnsServer.handle, no sockets) over a query file, DO off then on,
// for iterating on the answering path with `node --cpu-prof`. Usage: node bench/answer-micro.mjs <signed zone> <queries> [origin] [n]
// Per DO setting: one cold pass over every query (the answer cache empty), then n queries cycling the file.
// SIGNET_ANSWER_CACHE=<entries per generation> sizes the answer cache (0: off; default the server's);
// SIGNET_COLD_PASSES=<k> repeats the cold pass k times on fresh caches and prints the best.
import { join, dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const dist = process.env.SIGNET_DIST ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src');
const { Name, encodeMessage, RRType, NO_FLAGS } = await import(join(dist, 'wire', 'index.js'));
const { loadZoneFile, ZoneModel } = await import(join(dist, 'zone', 'index.js'));
const { DnsServer, ServedZone, ZoneSet } = await import(join(dist, 'server', 'index.js'));

const [file, qfile, originText = 'gov.', count = '200000'] = process.argv.slice(2);
const origin = Name.parse(originText);
let t0 = performance.now();
const read = await loadZoneFile(file, { origin });
const served = ServedZone.build(ZoneModel.build(read.records, origin));
const zones = ZoneSet.of([served]);
const cacheSize = process.env.SIGNET_ANSWER_CACHE === undefined ? {} : { answerCache: Number(process.env.SIGNET_ANSWER_CACHE) };
const server = new DnsServer(zones, cacheSize);
process.stderr.write(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
const lines = readFileSync(qfile, 'utf8').trim().split('\n').slice(0, 200_000);
const make = (dnssec) => lines.map((l, i) => {
  const [name, type] = l.trim().split(/\s+/);
  return encodeMessage({
    id: i & 0xffff, flags: { ...NO_FLAGS, rd: true }, rcode: 0,
    question: [{ name: Name.parse(name), type: RRType[type] ?? 1, class: 1 }],
    answer: [], authority: [], additional: [],
    ...(dnssec ? { edns: { udpSize: 4096, version: 0, dnssecOk: true, extendedRcode: 0, options: [] } } : {}),
  });
});
// SIGNET_BORROW=1: answer as for net/'s batch backend, which copies each answer at once (cache hits are views)
const ctx = { transport: 'udp', borrow: process.env.SIGNET_BORROW === '1' };
for (const dnssec of [false, true]) {
  const reqs = make(dnssec);
  const n = Number(count);
  let bytes = 0;
  for (let i = 0; i < 20_000; i++) server.handle(reqs[i % reqs.length], ctx); // warm-up, then a fresh (empty) cache:
  // the cold pass: SIGNET_COLD_PASSES times (default 1), each on a fresh cache; the best (least CPU) is printed
  let best = Infinity;
  for (let pass = 0; pass < Number(process.env.SIGNET_COLD_PASSES ?? 1); pass++) {
    server.publish(ZoneSet.of([served]));
    const c0 = process.cpuUsage();
    for (const r of reqs) server.handle(r, ctx);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1e6);
  }
  {
    const st = server.answerCache?.stats;
    console.log(`DO ${dnssec ? 'on ' : 'off'}: cold pass ${(reqs.length / best).toFixed(0)} q per CPU-second (${reqs.length} queries${st ? `, template hits ${st.templateHits}, exact hits ${st.exactHits}` : ''})`);
  }
  t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) bytes += server.handle(reqs[i % reqs.length], ctx).length;
  const c = process.cpuUsage(c0);
  const s = (performance.now() - t0) / 1000;
  const cpu = (c.user + c.system) / 1e6;
  const st = server.answerCache?.stats;
  console.log(`DO ${dnssec ? 'on ' : 'off'}: ${st ? `(hits: template ${st.templateHits}, exact ${st.exactHits}, misses ${st.misses}) ` : ''}${(n / s).toFixed(0)} q/s wall, ${(n / cpu).toFixed(0)} q per CPU-second (${n} queries, ${(bytes / n).toFixed(0)} B avg)`);
}
