#!/usr/bin/env node
// bench/answer-micro: in-process answering speed (DnsServer.handle, no sockets) over a query file, DO off then on,
// for iterating on the answering path with `node --cpu-prof`. Usage: node bench/answer-micro.mjs <signed zone> <queries> [origin] [n]
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
const server = new DnsServer(ZoneSet.of([ServedZone.build(ZoneModel.build(read.records, origin))]));
process.stderr.write(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
const lines = readFileSync(qfile, 'utf8').trim().split('\n').slice(0, 50_000);
const make = (dnssec) => lines.map((l, i) => {
  const [name, type] = l.trim().split(/\s+/);
  return encodeMessage({
    id: i & 0xffff, flags: { ...NO_FLAGS, rd: true }, rcode: 0,
    question: [{ name: Name.parse(name), type: RRType[type] ?? 1, class: 1 }],
    answer: [], authority: [], additional: [],
    ...(dnssec ? { edns: { udpSize: 4096, version: 0, dnssecOk: true, extendedRcode: 0, options: [] } } : {}),
  });
});
const ctx = { transport: 'udp' };
for (const dnssec of [false, true]) {
  const reqs = make(dnssec);
  const n = Number(count);
  let bytes = 0;
  for (let i = 0; i < 20_000; i++) server.handle(reqs[i % reqs.length], ctx); // warm-up
  t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) bytes += server.handle(reqs[i % reqs.length], ctx).length;
  const c = process.cpuUsage(c0);
  const s = (performance.now() - t0) / 1000;
  const cpu = (c.user + c.system) / 1e6;
  console.log(`DO ${dnssec ? 'on ' : 'off'}: ${(n / s).toFixed(0)} q/s wall, ${(n / cpu).toFixed(0)} q per CPU-second (${n} queries, ${(bytes / n).toFixed(0)} B avg)`);
}
