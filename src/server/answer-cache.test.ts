// The answer cache must not change a single response byte: random query sequences against a signed zone with many
// delegations (glue at, below and beside the cut, case variations, EDNS sizes, DO, UDP and TCP) answered through
// DnsServer with its cache equal the general path's bytes for every query, hits included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeMessage, makeQuery, Name, RRType } from '../wire/index.js';
import { ZoneModel } from '../zone/index.js';
import { generateKeyPair, KSK_FLAGS, MemoryKeyStore, signZone, ZSK_FLAGS } from '../dnssec/index.js';
import { DnsServer, respondToWire, ServedZone, ZoneSet } from './index.js';
import { zoneLines } from '../../tests/support/zone-lines.js';

const origin = Name.parse('example.');
const LINES = [
  'example. 3600 IN SOA ns1.example. host.example. 7 3600 600 86400 300',
  'example. 3600 IN NS ns1.example.',
  'example. 3600 IN NS ns2.example.',
  'ns1.example. 3600 IN A 192.0.2.1',
  'ns2.example. 3600 IN AAAA 2001:db8::2',
  'www.example. 300 IN CNAME host.a.example.',
  'host.a.example. 300 IN A 192.0.2.4',
  '*.w.example. 300 IN TXT "wild"',
  'dn.example. 300 IN DNAME example.net.',
  // glue at the cut's child, deeper below the cut, and a sibling's name server
  'sub.example. 3600 IN NS ns.sub.example.',
  'sub.example. 3600 IN NS ns.deep.in.sub.example.',
  'ns.sub.example. 3600 IN A 192.0.2.5',
  'ns.deep.in.sub.example. 3600 IN AAAA 2001:db8::5',
  'sec.example. 3600 IN NS ns.other.test.',
  'sec.example. 3600 IN DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  'long-name-to-make-referrals-big.example. 3600 IN NS ns.sub.example.',
  ...Array.from({ length: 12 }, (_, i) => `long-name-to-make-referrals-big.example. 3600 IN NS ns${i}.a-rather-long-name-server-name-${i}.test.`),
  ...Array.from({ length: 30 }, (_, i) => `d${i}.example. 3600 IN NS ns${i % 3}.d${i}.example.`),
  ...Array.from({ length: 30 }, (_, i) => `d${i}.example. 3600 IN NS ns.d${(i + 1) % 30}.example.`),
  ...Array.from({ length: 30 }, (_, i) => `ns${i % 3}.d${i}.example. 3600 IN A 198.51.100.${i}`),
  ...Array.from({ length: 30 }, (_, i) => `ns.d${i}.example. 3600 IN A 203.0.113.${i}`),
];
const BASES = ['example.', 'www.example.', 'x.w.example.', 'q.dn.example.', 'sub.example.', 'ns.sub.example.', 'in.sub.example.',
  'deep.in.sub.example.', 'ns.deep.in.sub.example.', 'sec.example.', 'long-name-to-make-referrals-big.example.', 'nx.example.',
  'd1.example.', 'd2.example.', 'ns1.d1.example.', 'ns.d2.example.', 'ns.d1.example.', 'ns2.d2.example.'];
const TYPES = [RRType.A, RRType.AAAA, RRType.NS, RRType.MX, RRType.TXT, RRType.SOA, RRType.DS, RRType.DNSKEY, RRType.NSEC, RRType.RRSIG, RRType.ANY];

async function signedZones(): Promise<ZoneSet> {
  const store = new MemoryKeyStore();
  const mk = async (flags: number) => store.signerSync(store.importKeyPair(await generateKeyPair(13)), flags);
  const records = signZone(zoneLines(LINES, origin).records, { origin, keys: { ksks: [await mk(KSK_FLAGS)], zsks: [await mk(ZSK_FLAGS)] }, now: 1_800_000_000, denial: { nsec: true } });
  return ZoneSet.of([ServedZone.build(ZoneModel.build(records, origin))]);
}

function mixCase(text: string, mask: number): string {
  return [...text].map((c, i) => ((mask >>> (i % 31)) & 1 ? c.toUpperCase() : c)).join('');
}

type RandomQuery = { name: string; type: number; caseMask: number; edns: boolean; dnssecOk: boolean; udpSize: number; id: number; rd: boolean; cd: boolean; tcp: boolean; borrow: boolean };

const queryArb: fc.Arbitrary<RandomQuery> = fc.record({
  name: fc.oneof(
    fc.constantFrom(...BASES),
    fc.tuple(fc.constantFrom('a', 'www', 'ns', 'ns1', 'in', 'deep', 'x-very-long-label-for-the-question-name'), fc.constantFrom(...BASES)).map(([l, n]) => `${l}.${n}`),
  ),
  type: fc.constantFrom(...TYPES),
  // mostly lower case, so that exact repeats happen
  caseMask: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0x7fffffff })),
  edns: fc.boolean(),
  dnssecOk: fc.boolean(),
  udpSize: fc.constantFrom(512, 1232, 4096),
  id: fc.integer({ min: 0, max: 0xffff }),
  rd: fc.boolean(),
  cd: fc.boolean(),
  tcp: fc.boolean(),
  borrow: fc.boolean(),
});

function request(q: RandomQuery): Uint8Array {
  return encodeMessage(makeQuery(Name.parse(mixCase(q.name, q.caseMask)), q.type, { id: q.id, edns: q.edns, dnssecOk: q.edns && q.dnssecOk, udpSize: q.udpSize, rd: q.rd, cd: q.cd }));
}

test('answer cache: every response equals the general path, for misses, template hits and exact hits', async () => {
  const zones = await signedZones();
  let templateHits = 0;
  let exactHits = 0;
  fc.assert(
    fc.property(fc.array(queryArb, { minLength: 1, maxLength: 60 }), (qs) => {
      const server = new DnsServer(zones);
      // answers not borrowed must stay as they were returned, whatever the cache does later
      const kept: { got: Uint8Array; hex: string }[] = [];
      // each query three times (with other IDs; whole responses are kept from the first time), then below its name
      // and in other case (new requests, answered from a template when they are referrals)
      const again = (d: number, f: (x: RandomQuery) => Partial<RandomQuery> = () => ({})): RandomQuery[] => qs.map((x) => ({ ...x, id: (x.id + d) & 0xffff, ...f(x) }));
      for (const q of [...qs, ...again(1), ...again(2), ...again(3, (x) => ({ name: `zz.${x.name}` })), ...again(4, (x) => ({ caseMask: ~x.caseMask & 0x7fffffff }))]) {
        const req = request(q);
        const transport = q.tcp ? 'tcp' : 'udp';
        // borrow: the caller copies the answer before the next request (as net/'s batch backend does)
        const got = server.handle(req, { transport, borrow: q.borrow }) as Uint8Array;
        const want = respondToWire(zones, req, transport)!;
        const hex = Buffer.from(got).toString('hex');
        assert.deepEqual(hex, Buffer.from(want).toString('hex'), `${q.name} ${q.type} ${transport} ${JSON.stringify(q)}`);
        if (!q.borrow) kept.push({ got, hex });
      }
      for (const k of kept) assert.equal(Buffer.from(k.got).toString('hex'), k.hex, 'an answer changed after it was returned');
      templateHits += server.answerCache!.stats.templateHits;
      exactHits += server.answerCache!.stats.exactHits;
    }),
    { numRuns: 150 },
  );
  // the property exercised both kinds of hit
  assert.ok(templateHits > 100, `template hits ${templateHits}`);
  assert.ok(exactHits > 100, `exact hits ${exactHits}`);
});

test('answer cache: a published zone set starts a new cache; answerCache 0 turns it off', async () => {
  const zones = await signedZones();
  const server = new DnsServer(zones);
  const req = request({ name: 'a.d1.example.', type: RRType.A, caseMask: 0, edns: true, dnssecOk: true, udpSize: 1232, id: 1, rd: false, cd: false, tcp: false, borrow: false });
  server.handle(req, { transport: 'udp' });
  server.handle(req, { transport: 'udp' });
  assert.equal(server.answerCache!.stats.exactHits + server.answerCache!.stats.templateHits, 1);
  server.publish(ZoneSet.of([]));
  // the zone is gone: REFUSED, not the cached referral
  const refused = server.handle(req, { transport: 'udp' }) as Uint8Array;
  assert.equal(refused[3]! & 0xf, 5);
  const off = new DnsServer(zones, { answerCache: 0 });
  off.handle(req, { transport: 'udp' });
  assert.equal(off.answerCache, undefined);
});
