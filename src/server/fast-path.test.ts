// The speed-ups of the answering path must not change a single response byte: random queries against a signed
// zone, answered through the UDP server's synchronous path, equal the general path's bytes, decode to the answer
// model, and survive later writers reusing buffers; derived Name keys equal freshly built ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeMessage, encodeMessage, makeQuery, Name, RRType, type Message } from '../wire/index.js';
import { ZoneModel } from '../zone/index.js';
import { generateKeyPair, KSK_FLAGS, MemoryKeyStore, signZone, ZSK_FLAGS } from '../dnssec/index.js';
import { queryUdp, UdpServer } from '../net/index.js';
import { answerQuery, DnsServer, encodeResponse, ServedZone, ZoneSet } from './index.js';
import { zoneLines } from '../../tests/support/zone-lines.js';

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
  'dn.example. 300 IN DNAME example.net.',
  'sub.example. 3600 IN NS ns.sub.example.',
  'ns.sub.example. 3600 IN A 192.0.2.5',
  'sec.example. 3600 IN NS ns.other.test.',
  'sec.example. 3600 IN DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  ...Array.from({ length: 40 }, (_, i) => `d${i}.example. 3600 IN NS ns${i % 3}.d${i}.example.`),
  ...Array.from({ length: 40 }, (_, i) => `ns${i % 3}.d${i}.example. 3600 IN A 198.51.100.${i}`),
];
const NAMES = ['example.', 'www.example.', 'host.a.example.', 'a.example.', 'x.w.example.', 'y.z.w.example.', 'w.example.', 'q.dn.example.',
  'sub.example.', 'deep.sub.example.', 'sec.example.', 'ns1.example.', 'mail.example.', 'nx.example.', 'd7.example.', 'x.d3.example.', 'zz.example.'];
const TYPES = [RRType.A, RRType.AAAA, RRType.NS, RRType.MX, RRType.TXT, RRType.SOA, RRType.DS, RRType.DNSKEY, RRType.CNAME, RRType.NSEC, RRType.RRSIG, RRType.ANY, 99];

async function signedZones(): Promise<ZoneSet> {
  const store = new MemoryKeyStore();
  const mk = async (flags: number) => store.signerSync(store.importKeyPair(await generateKeyPair(13)), flags);
  const records = signZone(zoneLines(LINES, origin).records, { origin, keys: { ksks: [await mk(KSK_FLAGS)], zsks: [await mk(ZSK_FLAGS)] }, now: 1_800_000_000, denial: { nsec: true } });
  return ZoneSet.of([ServedZone.build(ZoneModel.build(records, origin))]);
}

/** Random letter case (answers echo the question's case; compression must fold it). */
function mixCase(text: string, mask: number): string {
  return [...text].map((c, i) => ((mask >>> (i % 31)) & 1 ? c.toUpperCase() : c)).join('');
}

const queryArb: fc.Arbitrary<RandomQuery> = fc.record({
  name: fc.oneof(fc.constantFrom(...NAMES), fc.tuple(fc.stringMatching(/^[a-z0-9-]{1,12}$/), fc.constantFrom(...NAMES)).map(([l, n]) => `${l}.${n}`)),
  type: fc.constantFrom(...TYPES),
  caseMask: fc.integer({ min: 0, max: 0x7fffffff }),
  edns: fc.boolean(),
  dnssecOk: fc.boolean(),
  udpSize: fc.constantFrom(512, 1232, 4096),
  id: fc.integer({ min: 0, max: 0xffff }),
});

type RandomQuery = { name: string; type: number; caseMask: number; edns: boolean; dnssecOk: boolean; udpSize: number; id: number };

function request(q: RandomQuery): Uint8Array {
  const m = makeQuery(Name.parse(mixCase(q.name, q.caseMask)), q.type, { id: q.id, edns: q.edns, dnssecOk: q.edns && q.dnssecOk, udpSize: q.udpSize });
  return encodeMessage(m);
}

/**
 * The answer model as it must read back from the wire (OPT and TSIG live outside the sections). RDATA is compared
 * with ASCII letters folded on both sides: names inside it are compressed case-insensitively against the question,
 * so they read back in the question's case (RFC 4343).
 */
function sections(m: Message): string[] {
  const fold = (b: Uint8Array): string => Buffer.from(b.map((x) => (x >= 0x41 && x <= 0x5a ? x + 32 : x))).toString('hex');
  return [...m.answer, ...m.authority, ...m.additional].map((r) => `${r.owner.key()}|${r.type}|${r.class}|${r.ttl}|${fold(r.rdata)}`);
}

test('answer bytes: DnsServer.handle equals the general path and decodes to the answer model', async () => {
  const zones = await signedZones();
  const server = new DnsServer(zones);
  fc.assert(
    fc.property(queryArb, fc.array(queryArb, { maxLength: 3 }), (q, others) => {
      check(q, others);
    }),
    { numRuns: 400 },
  );
  function check(q: RandomQuery, others: RandomQuery[]): void {
      const req = request(q);
      const fast = server.handle(req, { transport: 'udp' }) as Uint8Array;
      const copy = Uint8Array.from(fast);
      // other messages encoded afterwards reuse the writer's buffer: the returned bytes must not change
      for (const o of others) server.handle(request(o), { transport: 'udp' });
      assert.deepEqual(fast, copy, 'bytes changed after later writes');
      const query = decodeMessage(req);
      const model = answerQuery(zones, query);
      const general = encodeResponse(query, model, 'udp');
      assert.deepEqual(fast, general, 'handle differs from the general path');
      const back = decodeMessage(fast);
      if (!back.flags.tc) assert.deepEqual(sections(back), sections(model), 'wire differs from the model');
      assert.equal(back.question[0]!.name.toString(), query.question[0]!.name.toString()); // case echoed
  }
});

test('Name keys of ancestors derived from a key equal those built from the wire', () => {
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), { minLength: 1, maxLength: 8 }), (labels) => {
      const n = Name.parse(`${labels.join('.')}.`);
      n.key();
      for (let k = 0; k <= n.labelCount; k++) {
        assert.equal(n.suffix(k).key(), Name.fromWire(Uint8Array.from(n.suffix(k).wire)).key());
      }
      let p = n;
      while (!p.isRoot()) {
        p = p.parent();
        assert.equal(p.key(), Name.fromWire(Uint8Array.from(p.wire)).key());
      }
      assert.equal(n.key(), n.toLowerCase().key());
    }),
  );
});

test('answers over UDP (synchronous send path) are the bytes DnsServer.handle makes', async (t) => {
  const zones = await signedZones();
  const server = new DnsServer(zones);
  const udp = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler: (r, ctx) => server.handle(r, ctx) });
  t.after(() => udp.close());
  const qs = fc.sample(queryArb, { numRuns: 40, seed: 42 });
  for (const q of qs) {
    const req = request(q);
    const got = await queryUdp({ address: '127.0.0.1', port: udp.port }, req, { timeoutMs: 2000, retries: 2 });
    assert.deepEqual(Uint8Array.from(got), server.handle(req, { transport: 'udp' }));
  }
  assert.equal(udp.stats.answered, qs.length);
  assert.equal(udp.inFlight, 0);
});
