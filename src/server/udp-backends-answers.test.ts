// The batch UDP backend (native/udp-batch) must answer byte for byte what the node:dgram backend answers: a few
// hundred queries against a signed zone from several IPv4 and IPv6 clients at once (truncation on small EDNS
// sizes included), and malformed datagrams (FORMERR or silence, the same on both), with the server still up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { encodeMessage, makeQuery, Name, RRType } from '../wire/index.js';
import { ZoneModel } from '../zone/index.js';
import { generateKeyPair, KSK_FLAGS, MemoryKeyStore, signZone, ZSK_FLAGS } from '../dnssec/index.js';
import { UdpServer, udpBatchAvailability, type RequestContext } from '../net/index.js';
import { DnsServer, listenDns, ServedZone, ZoneSet } from './index.js';
import { zoneLines } from '../../tests/support/zone-lines.js';

const T = { timeout: 120_000 };
const origin = Name.parse('example.');
const LINES = [
  'example. 3600 IN SOA ns1.example. host.example. 7 3600 600 86400 300',
  'example. 3600 IN NS ns1.example.',
  'example. 3600 IN NS ns2.example.',
  'example. 3600 IN MX 10 mail.example.',
  'ns1.example. 3600 IN A 192.0.2.1',
  'ns2.example. 3600 IN AAAA 2001:db8::2',
  'mail.example. 3600 IN A 192.0.2.3',
  'www.example. 300 IN CNAME host.a.example.',
  'host.a.example. 300 IN A 192.0.2.4',
  '*.w.example. 300 IN TXT "wild"',
  'big.example. 300 IN TXT "' + 'x'.repeat(250) + '" "' + 'y'.repeat(250) + '"',
  'big.example. 300 IN TXT "' + 'z'.repeat(250) + '"',
  'sub.example. 3600 IN NS ns.sub.example.',
  'ns.sub.example. 3600 IN A 192.0.2.5',
  ...Array.from({ length: 20 }, (_, i) => `d${i}.example. 3600 IN NS ns${i % 3}.d${i}.example.`),
  ...Array.from({ length: 20 }, (_, i) => `ns${i % 3}.d${i}.example. 3600 IN A 198.51.100.${i}`),
];
const NAMES = ['example.', 'www.example.', 'host.a.example.', 'x.w.example.', 'big.example.', 'sub.example.', 'deep.sub.example.', 'nx.example.', 'd7.example.', 'x.d3.example.'];
const TYPES = [RRType.A, RRType.NS, RRType.MX, RRType.TXT, RRType.SOA, RRType.DNSKEY, RRType.DS, RRType.AAAA];

async function zones(): Promise<ZoneSet> {
  const store = new MemoryKeyStore();
  const mk = async (flags: number) => store.signerSync(store.importKeyPair(await generateKeyPair(13)), flags);
  const records = signZone(zoneLines(LINES, origin).records, { origin, keys: { ksks: [await mk(KSK_FLAGS)], zsks: [await mk(ZSK_FLAGS)] }, now: 1_800_000_000, denial: { nsec: true } });
  return ZoneSet.of([ServedZone.build(ZoneModel.build(records, origin))]);
}

/**
 * Every query of the corpus, each with its own ID: names × types × (no EDNS | EDNS 512 with DO | EDNS 1232 with DO),
 * three times over (the second and third time answered from the cache, as views the batch backend copies).
 */
function corpus(): Uint8Array[] {
  const out: Uint8Array[] = [];
  let id = 1;
  for (let round = 0; round < 3; round++) {
    for (const name of NAMES) {
      for (const type of TYPES) {
        out.push(encodeMessage(makeQuery(name, type, { id: id++, edns: false })));
        out.push(encodeMessage(makeQuery(name, type, { id: id++, edns: true, dnssecOk: true, udpSize: 512 })));
        out.push(encodeMessage(makeQuery(name, type, { id: id++, edns: true, dnssecOk: true, udpSize: 1232 })));
      }
    }
  }
  return out;
}

async function clientSocket(family: 4 | 6): Promise<{ socket: Socket; got: Map<number, Uint8Array[]> }> {
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  const got = new Map<number, Uint8Array[]>();
  socket.on('message', (m) => {
    const id = m.length >= 2 ? m.readUInt16BE(0) : -1;
    got.set(id, [...(got.get(id) ?? []), new Uint8Array(m)]);
  });
  socket.bind(0, family === 6 ? '::1' : '127.0.0.1');
  await once(socket, 'listening');
  return { socket, got };
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!cond() && performance.now() < end) await new Promise((r) => setTimeout(r, 2));
}

/** Send `queries` (distinct IDs) from `c`, a window at a time, resending what went unanswered; returns the answers by ID. */
async function ask(c: { socket: Socket; got: Map<number, Uint8Array[]> }, port: number, queries: Uint8Array[]): Promise<Map<number, Uint8Array>> {
  const host = c.socket.address().family === 'IPv6' ? '::1' : '127.0.0.1';
  const idOf = (q: Uint8Array): number => (q[0]! << 8) | q[1]!;
  for (let round = 0; round < 20; round++) {
    const missing = queries.filter((q) => !c.got.has(idOf(q)));
    if (missing.length === 0) break;
    for (let i = 0; i < missing.length; i += 32) {
      const part = missing.slice(i, i + 32);
      for (const q of part) c.socket.send(q, port, host);
      await waitFor(() => part.every((q) => c.got.has(idOf(q))), 500);
    }
  }
  const out = new Map<number, Uint8Array>();
  for (const q of queries) out.set(idOf(q), c.got.get(idOf(q))?.[0] ?? assert.fail(`no answer to ID ${idOf(q)}`));
  return out;
}

test('batch backend answers every query of a corpus exactly as the dgram backend, from 6 clients over IPv4 and ::1', T, async (t) => {
  assert.ok(udpBatchAvailability().ok || process.env['CI'] !== 'true', 'CI must have the addon (npm run build:native)');
  const set = await zones();
  const servers = await Promise.all((['batch', 'dgram'] as const).filter((b) => b === 'dgram' || udpBatchAvailability().ok).map(async (backend) => {
    const dns = new DnsServer<RequestContext>(set);
    const l = await listenDns(dns, { addresses: ['127.0.0.1', '::1'], port: 0, udp: { backend } });
    t.after(() => dns.close());
    assert.equal(l.udp.backend, backend);
    return { backend, dns, port: l.port, udp: l.udp };
  }));
  const queries = corpus();
  const reference = new DnsServer<RequestContext>(set);
  const results = await Promise.all(servers.map(async (s) => {
    const clients = await Promise.all([4, 4, 4, 6, 6, 6].map((f) => clientSocket(f as 4 | 6)));
    t.after(() => clients.forEach((c) => c.socket.close()));
    const parts = await Promise.all(clients.map((c, ci) => ask(c, s.port, queries.filter((_, qi) => qi % clients.length === ci))));
    return { s, answers: new Map(parts.flatMap((p) => [...p])) };
  }));
  let truncated = 0;
  for (const q of queries) {
    const id = (q[0]! << 8) | q[1]!;
    const expected = reference.handle(q, { transport: 'udp' } as RequestContext) as Uint8Array;
    for (const r of results) assert.deepEqual(r.answers.get(id), Uint8Array.from(expected), `${r.s.backend}: ID ${id}`);
    if ((expected[2]! & 0x02) !== 0) truncated++;
  }
  assert.ok(truncated > 0, 'the corpus has truncated (TC=1) answers');
  for (const r of results) assert.equal(r.s.udp.stats.failed, 0);
  for (const r of results) assert.ok((r.s.dns.answerCache?.stats.exactHits ?? 0) > queries.length / 3, `${r.s.backend}: repeats were answered from the cache`);
});

/** Malformed requests: too short, header only with a question count, a compression loop, a bad label, random bytes. */
function malformed(): Uint8Array[] {
  const hdr = (id: number, qd: number): number[] => [id >> 8, id & 0xff, 0x01, 0x00, 0, qd, 0, 0, 0, 0, 0, 0];
  return [
    Uint8Array.of(0x12),
    Uint8Array.of(0x10, 0x02, 0x01),
    Uint8Array.from(hdr(0x1003, 1)),
    Uint8Array.from([...hdr(0x1004, 1), 0xc0, 0x0c, 0, 1, 0, 1]),
    Uint8Array.from([...hdr(0x1005, 1), 0x50, 0x41, 0, 0, 1, 0, 1]),
    Uint8Array.from([...hdr(0x1006, 2), 3, 0x77, 0x77, 0x77, 0, 0, 1]),
    Uint8Array.from([0x10, 0x07, ...Array.from({ length: 60 }, (_, i) => (i * 73 + 11) & 0xff)]),
    Uint8Array.from([...hdr(0x1008, 0), 0xff, 0xff]),
  ];
}

test('malformed datagrams: the batch backend answers (FORMERR) or stays silent exactly as dgram, and keeps serving', T, async (t) => {
  const set = await zones();
  const backends = (['batch', 'dgram'] as const).filter((b) => b === 'dgram' || udpBatchAvailability().ok);
  const seen: Record<string, string[]> = {};
  for (const backend of backends) {
    const dns = new DnsServer<RequestContext>(set);
    const udp = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, backend, handler: (r, ctx) => dns.handle(r, ctx) });
    t.after(() => udp.close());
    const c = await clientSocket(4);
    t.after(() => c.socket.close());
    const out: string[] = [];
    for (const m of malformed()) {
      // each malformed datagram is followed by a good query: whatever arrives before its answer answers the first
      const good = encodeMessage(makeQuery('example.', RRType.SOA, { id: 0x7777, edns: false }));
      c.got.clear();
      c.socket.send(m, udp.port, '127.0.0.1');
      c.socket.send(good, udp.port, '127.0.0.1');
      await waitFor(() => c.got.has(0x7777), 2000);
      assert.ok(c.got.has(0x7777), `${backend}: the server still answers after malformed input`);
      out.push([...c.got.entries()].filter(([id]) => id !== 0x7777).map(([, v]) => v.map((b) => Buffer.from(b).toString('hex')).join()).join('|'));
    }
    seen[backend] = out;
    assert.ok(out.some((s) => s !== ''), 'some malformed queries get FORMERR');
  }
  if (seen['batch']) assert.deepEqual(seen['batch'], seen['dgram']);
});
