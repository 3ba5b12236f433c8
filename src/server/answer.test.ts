// Answering rules one by one on a small unsigned zone: exact matches, CNAME and DNAME chains, wildcards (RFC 4592),
// empty non-terminals, referrals and glue, DS on the parent side, ANY (RFC 8482), negative TTLs (RFC 2308 §3),
// header and EDNS handling (RFC 6891), truncation, and robustness against arbitrary queries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeMessage, makeQuery, Name, NO_FLAGS, Opcode, Rcode, RRClass, RRType, typeFromString, recordToText,
  type Message, type ResourceRecord,
} from '../wire/index.js';
import { ZoneModel } from '../zone/index.js';
import { answerQuery, encodeResponse, ServedZone, ZoneSet } from './index.js';
import { zoneLines } from '../../tests/support/zone-lines.js';
import { rrsetsOf } from '../../tests/support/answer-sections.js';

const LONG = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.org.`;
const PARENT = [
  'test. 3600 IN SOA ns1.test. host.test. 1 3600 600 86400 300',
  'test. 3600 IN NS ns1.test.',
  'test. 3600 IN NS ns.example.org.',
  'ns1.test. 3600 IN A 192.0.2.1',
  'www.test. 300 IN A 192.0.2.2',
  'www.test. 300 IN AAAA 2001:db8::2',
  'alias.test. 600 IN CNAME www.test.',
  'chain.test. 600 IN CNAME alias.test.',
  'ext.test. 600 IN CNAME www.example.org.',
  'dangling.test. 600 IN CNAME missing.test.',
  'loop1.test. 600 IN CNAME loop2.test.',
  'loop2.test. 600 IN CNAME loop1.test.',
  'mx.test. 3600 IN MX 10 www.test.',
  'mx.test. 3600 IN MX 20 mail.example.org.',
  '_sip._tcp.test. 3600 IN SRV 0 0 5060 ns1.test.',
  'dn.test. 900 IN DNAME target.test.',
  'x.target.test. 3600 IN A 192.0.2.9',
  `far.test. 900 IN DNAME ${LONG}`,
  '*.wild.test. 3600 IN A 192.0.2.3',
  '*.wild.test. 3600 IN TXT "wild"',
  'exists.wild.test. 3600 IN A 192.0.2.4',
  '*.cw.test. 3600 IN CNAME www.test.',
  'a.b.ent.test. 3600 IN TXT "deep"',
  'sub.test. 3600 IN NS ns1.sub.test.',
  'sub.test. 3600 IN NS ns1.test.',
  'ns1.sub.test. 3600 IN A 192.0.2.5',
  'x.sub.test. 3600 IN A 192.0.2.6',
  'child.test. 3600 IN NS ns1.child.test.',
  'child.test. 3600 IN DS 12345 13 2 0000000000000000000000000000000000000000000000000000000000000000',
  'ns1.child.test. 3600 IN A 192.0.2.7',
  ...Array.from({ length: 40 }, (_, i) => `big.test. 3600 IN TXT "${'x'.repeat(40)}${i}"`),
];
const CHILD = [
  'child.test. 3600 IN SOA ns1.child.test. host.child.test. 1 3600 600 86400 3600',
  'child.test. 3600 IN NS ns1.child.test.',
  'ns1.child.test. 3600 IN A 192.0.2.7',
];

function served(lines: readonly string[], origin: string): ServedZone {
  const o = Name.parse(origin);
  return ServedZone.build(ZoneModel.build(zoneLines(lines, o).records, o));
}
const parent = served(PARENT, 'test.');
const child = served(CHILD, 'child.test.');
const both = ZoneSet.of([parent, child]);
const parentOnly = ZoneSet.of([parent]);
const childOnly = ZoneSet.of([child]);

function ask(name: string, type: string, zones: ZoneSet = both): Message {
  return answerQuery(zones, makeQuery(name, typeFromString(type)!, { id: 7 }));
}
const texts = (rs: readonly ResourceRecord[]): string[] => rs.map(recordToText);

test('exact match: the RRset, AA, nothing else', () => {
  const m = ask('www.test.', 'A');
  assert.equal(m.rcode, Rcode.NOERROR);
  assert.equal(m.flags.aa, true);
  assert.deepEqual(texts(m.answer), ['www.test.\t300\tIN\tA\t192.0.2.2']);
  assert.deepEqual(m.authority, []);
  assert.deepEqual(m.additional, []);
  assert.equal(m.id, 7);
});

test('names compare case-insensitively and the question is echoed as asked', () => {
  const m = ask('WwW.TeSt.', 'A');
  assert.equal(m.answer.length, 1);
  assert.equal(m.question[0]!.name.toString(), 'WwW.TeSt.');
});

test('CNAME chains are followed inside the zone (RFC 1034 §4.3.2 step 3a)', () => {
  const m = ask('chain.test.', 'A');
  assert.deepEqual(rrsetsOf(m.answer), ['alias.test. CNAME', 'chain.test. CNAME', 'www.test. A']);
  assert.equal(m.rcode, Rcode.NOERROR);
  // a CNAME asked for is not followed
  assert.deepEqual(rrsetsOf(ask('chain.test.', 'CNAME').answer), ['chain.test. CNAME']);
});

test('a CNAME out of the zone stops the chain; a dangling one ends in NXDOMAIN (RFC 6604)', () => {
  const ext = ask('ext.test.', 'A');
  assert.deepEqual(rrsetsOf(ext.answer), ['ext.test. CNAME']);
  assert.equal(ext.rcode, Rcode.NOERROR);
  const dang = ask('dangling.test.', 'A');
  assert.deepEqual(rrsetsOf(dang.answer), ['dangling.test. CNAME']);
  assert.equal(dang.rcode, Rcode.NXDOMAIN);
  assert.deepEqual(rrsetsOf(dang.authority), ['test. SOA']);
});

test('a CNAME loop terminates with the loop in the answer', () => {
  const m = ask('loop1.test.', 'A');
  assert.deepEqual(rrsetsOf(m.answer), ['loop1.test. CNAME', 'loop2.test. CNAME']);
  assert.equal(m.rcode, Rcode.NOERROR);
});

test('DNAME: the DNAME, a synthesised CNAME with the DNAME TTL, then the target (RFC 6672 §2.2, §3.1)', () => {
  const m = ask('x.dn.test.', 'A');
  assert.deepEqual(texts(m.answer), [
    'dn.test.\t900\tIN\tDNAME\ttarget.test.',
    'x.dn.test.\t900\tIN\tCNAME\tx.target.test.',
    'x.target.test.\t3600\tIN\tA\t192.0.2.9',
  ]);
  const miss = ask('y.dn.test.', 'A');
  assert.equal(miss.rcode, Rcode.NXDOMAIN);
  assert.deepEqual(rrsetsOf(miss.answer), ['dn.test. DNAME', 'y.dn.test. CNAME']);
  // the DNAME owner itself is ordinary data
  assert.deepEqual(rrsetsOf(ask('dn.test.', 'DNAME').answer), ['dn.test. DNAME']);
  const own = ask('dn.test.', 'A');
  assert.equal(own.rcode, Rcode.NOERROR);
  assert.deepEqual(own.answer, []);
});

test('DNAME: a substituted name too long is YXDOMAIN (RFC 6672 §2.2)', () => {
  const label = 'q'.repeat(63);
  const m = ask(`${label}.${label}.far.test.`, 'A');
  assert.equal(m.rcode, Rcode.YXDOMAIN);
  assert.deepEqual(rrsetsOf(m.answer), ['far.test. DNAME']);
});

test('wildcards synthesise for any depth below the closest encloser (RFC 4592 §3.3.1)', () => {
  const m = ask('foo.wild.test.', 'A');
  assert.deepEqual(texts(m.answer), ['foo.wild.test.\t3600\tIN\tA\t192.0.2.3']);
  assert.deepEqual(rrsetsOf(ask('a.b.wild.test.', 'TXT').answer), ['a.b.wild.test. TXT']);
  const nodata = ask('foo.wild.test.', 'MX');
  assert.equal(nodata.rcode, Rcode.NOERROR);
  assert.deepEqual(rrsetsOf(nodata.authority), ['test. SOA']);
});

test('no wildcard match at or below an existing name (RFC 4592 §2.2.1, §3.3.1)', () => {
  const below = ask('q.exists.wild.test.', 'A');
  assert.equal(below.rcode, Rcode.NXDOMAIN);
  const at = ask('exists.wild.test.', 'TXT');
  assert.equal(at.rcode, Rcode.NOERROR);
  assert.deepEqual(at.answer, []);
});

test('a wildcard CNAME is synthesised and followed', () => {
  const m = ask('z.cw.test.', 'AAAA');
  assert.deepEqual(texts(m.answer), ['z.cw.test.\t3600\tIN\tCNAME\twww.test.', 'www.test.\t300\tIN\tAAAA\t2001:db8::2']);
});

test('an empty non-terminal is NOERROR with no data, not NXDOMAIN', () => {
  for (const n of ['b.ent.test.', 'ent.test.']) {
    const m = ask(n, 'A');
    assert.equal(m.rcode, Rcode.NOERROR, n);
    assert.deepEqual(m.answer, []);
    assert.deepEqual(rrsetsOf(m.authority), ['test. SOA']);
  }
});

test('negative answers carry the SOA with TTL min(SOA TTL, MINIMUM) (RFC 2308 §3)', () => {
  const m = ask('nope.test.', 'A');
  assert.equal(m.rcode, Rcode.NXDOMAIN);
  assert.equal(m.flags.aa, true);
  assert.equal(m.authority.length, 1);
  assert.equal(m.authority[0]!.ttl, 300);
});

test('referral: NS in authority, AA clear, glue and in-zone addresses in additional', () => {
  for (const [name, type] of [['x.sub.test.', 'A'], ['sub.test.', 'NS'], ['sub.test.', 'A'], ['deep.x.sub.test.', 'ANY']] as const) {
    const m = ask(name, type);
    assert.equal(m.rcode, Rcode.NOERROR, name);
    assert.equal(m.flags.aa, false, name);
    assert.deepEqual(m.answer, [], name);
    assert.deepEqual(rrsetsOf(m.authority), ['sub.test. NS'], name);
    assert.deepEqual(rrsetsOf(m.additional), ['ns1.sub.test. A', 'ns1.test. A'], name);
  }
});

test('DS at a delegation point is answered by the parent; at a served child apex too (RFC 4035 §3.1.4.1)', () => {
  const fromParent = ask('child.test.', 'DS');
  assert.equal(fromParent.flags.aa, true);
  assert.deepEqual(rrsetsOf(fromParent.answer), ['child.test. DS']);
  const parentOnlyAnswer = ask('child.test.', 'DS', parentOnly);
  assert.deepEqual(rrsetsOf(parentOnlyAnswer.answer), ['child.test. DS']);
  // only the child served: no data from the child's apex
  const childSide = ask('child.test.', 'DS', childOnly);
  assert.equal(childSide.rcode, Rcode.NOERROR);
  assert.deepEqual(childSide.answer, []);
  assert.deepEqual(rrsetsOf(childSide.authority), ['child.test. SOA']);
  // other types at the child apex come from the child
  assert.deepEqual(rrsetsOf(ask('child.test.', 'NS').answer), ['child.test. NS']);
  assert.equal(ask('child.test.', 'NS').flags.aa, true);
  // an insecure delegation: no data from the parent
  const noDs = ask('sub.test.', 'DS');
  assert.equal(noDs.flags.aa, true);
  assert.deepEqual(rrsetsOf(noDs.authority), ['test. SOA']);
});

test('additional section: addresses of in-zone MX, SRV and NS targets only', () => {
  assert.deepEqual(rrsetsOf(ask('mx.test.', 'MX').additional), ['www.test. A', 'www.test. AAAA']);
  assert.deepEqual(rrsetsOf(ask('_sip._tcp.test.', 'SRV').additional), ['ns1.test. A']);
  assert.deepEqual(rrsetsOf(ask('test.', 'NS').additional), ['ns1.test. A']);
});

test('authorityNs puts the apex NS in positive answers only', () => {
  const q = makeQuery('www.test.', RRType.A, { id: 1 });
  assert.deepEqual(rrsetsOf(answerQuery(both, q, { authorityNs: true }).authority), ['test. NS']);
  const neg = answerQuery(both, makeQuery('nope.test.', RRType.A), { authorityNs: true });
  assert.deepEqual(rrsetsOf(neg.authority), ['test. SOA']);
});

test('ANY is answered with one RRset (RFC 8482 §4.1)', () => {
  const m = ask('www.test.', 'ANY');
  assert.deepEqual(rrsetsOf(m.answer), ['www.test. A']);
  assert.deepEqual(rrsetsOf(ask('test.', 'ANY').answer), ['test. NS']);
  assert.deepEqual(rrsetsOf(ask('foo.wild.test.', 'ANY').answer), ['foo.wild.test. A']);
});

test('names in no served zone are REFUSED without AA', () => {
  const m = ask('www.example.org.', 'A');
  assert.equal(m.rcode, Rcode.REFUSED);
  assert.equal(m.flags.aa, false);
  assert.deepEqual(m.answer, []);
  const ch = answerQuery(both, makeQuery('www.test.', RRType.A, { class: RRClass.CH }));
  assert.equal(ch.rcode, Rcode.REFUSED);
});

test('header: QR set, RD and CD copied, RA and AD clear, ID and opcode echoed', () => {
  const q = makeQuery('www.test.', RRType.A, { id: 4242, rd: true, cd: true, dnssecOk: true });
  const m = answerQuery(both, q);
  assert.deepEqual({ ...m.flags }, { ...NO_FLAGS, qr: true, aa: true, rd: true, cd: true });
  assert.equal(m.id, 4242);
});

test('EDNS: OPT echoed with our size and the DO bit; none without one in the query (RFC 6891 §7)', () => {
  const m = answerQuery(both, makeQuery('www.test.', RRType.A, { udpSize: 4096, dnssecOk: true }), { udpSize: 1400 });
  assert.equal(m.edns?.udpSize, 1400);
  assert.equal(m.edns?.dnssecOk, true);
  assert.equal(m.edns?.version, 0);
  assert.equal(answerQuery(both, makeQuery('www.test.', RRType.A, { edns: false })).edns, undefined);
  assert.equal(answerQuery(both, makeQuery('www.test.', RRType.A)).edns?.udpSize, 1232);
});

test('EDNS version 1 gets BADVERS with a version-0 OPT (RFC 6891 §6.1.3)', () => {
  const q = makeQuery('www.test.', RRType.A);
  const m = answerQuery(both, { ...q, edns: { ...q.edns!, version: 1 } });
  assert.equal(m.rcode, Rcode.BADVERS);
  assert.equal(m.edns?.version, 0);
  assert.deepEqual(m.answer, []);
  const back = decodeMessage(encodeResponse(q, m, 'udp'));
  assert.equal(back.rcode, Rcode.BADVERS);
});

test('opcodes other than QUERY are NOTIMP; QDCOUNT other than 1 is FORMERR; meta and pseudo types', () => {
  const q = makeQuery('www.test.', RRType.A);
  for (const op of [Opcode.IQUERY, Opcode.STATUS, Opcode.NOTIFY, Opcode.UPDATE, 3, 15]) {
    const m = answerQuery(both, { ...q, flags: { ...q.flags, opcode: op } });
    assert.equal(m.rcode, Rcode.NOTIMP, `opcode ${op}`);
    assert.equal(m.flags.opcode, op);
  }
  assert.equal(answerQuery(both, { ...q, question: [] }).rcode, Rcode.FORMERR);
  const two = answerQuery(both, { ...q, question: [q.question[0]!, q.question[0]!] });
  assert.equal(two.rcode, Rcode.FORMERR);
  assert.deepEqual(two.question, []);
  assert.equal(ask('test.', 'AXFR').rcode, Rcode.NOTIMP);
  assert.equal(ask('test.', 'IXFR').rcode, Rcode.NOTIMP);
  // OPT as a QTYPE is looked up like any type (no data), as NSD and Knot answer it
  assert.equal(ask('test.', 'OPT').rcode, Rcode.NOERROR);
  assert.equal(answerQuery(both, { ...q, flags: { ...q.flags, qr: true } }).rcode, Rcode.FORMERR);
});

test('truncation over UDP: 512 without EDNS, min(client, ours) with it; TCP carries everything', () => {
  const plain = makeQuery('big.test.', RRType.TXT, { edns: false });
  const full = answerQuery(both, plain);
  assert.equal(full.answer.length, 40);
  const udp = encodeResponse(plain, full, 'udp');
  assert.ok(udp.length <= 512);
  assert.equal(decodeMessage(udp).flags.tc, true);
  const tcp = decodeMessage(encodeResponse(plain, full, 'tcp'));
  assert.equal(tcp.flags.tc, false);
  assert.equal(tcp.answer.length, 40);

  const big = makeQuery('big.test.', RRType.TXT, { udpSize: 65000 });
  const r = answerQuery(both, big);
  const capped = encodeResponse(big, r, 'udp', { udpSize: 1232 });
  // the answer is one RRset: it goes whole or not at all (RFC 2181 §9)
  assert.ok(capped.length <= 1232);
  assert.equal(decodeMessage(capped).flags.tc, true);
  const small = makeQuery('big.test.', RRType.TXT, { udpSize: 2000 });
  assert.equal(decodeMessage(encodeResponse(small, answerQuery(both, small), 'udp', { udpSize: 4096 })).flags.tc, true);
  const fits = decodeMessage(encodeResponse(big, r, 'udp', { udpSize: 4096 }));
  assert.equal(fits.flags.tc, false);
  // a client size below 512 counts as 512 (RFC 6891 §6.2.5)
  const tiny = makeQuery('www.test.', RRType.A, { udpSize: 100 });
  assert.equal(decodeMessage(encodeResponse(tiny, answerQuery(both, tiny), 'udp')).flags.tc, false);
});

const nameArb = fc
  .array(fc.constantFrom('www', 'wild', '*', 'sub', 'x', 'dn', 'far', 'ent', 'b', 'a', 'child', 'ns1', 'cw', 'test', 'org', 'q'.repeat(63)), { maxLength: 6 })
  .map((labels) => {
    try {
      return Name.parse(labels.length === 0 ? '.' : `${labels.join('.')}.test.`);
    } catch {
      return Name.parse('test.');
    }
  });

test('property: no query makes answerQuery throw, and every answer encodes for UDP and TCP', () => {
  fc.assert(
    fc.property(nameArb, fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 15 }), fc.boolean(), fc.integer({ min: 0, max: 3 }), (name, type, cls, opcode, dnssecOk, version) => {
      const q = makeQuery(name, type, { class: cls, opcode, dnssecOk });
      const query: Message = { ...q, edns: { ...q.edns!, version } };
      const m = answerQuery(both, query);
      assert.equal(m.flags.qr, true);
      assert.equal(m.flags.ad, false);
      decodeMessage(encodeResponse(query, m, 'udp'));
      decodeMessage(encodeResponse(query, m, 'tcp'));
    }),
    { numRuns: 2000 },
  );
});
