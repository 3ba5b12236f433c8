// The signed answers of RFC 4035 Appendix B (NSEC) and RFC 5155 Appendix B (NSEC3 with Opt-Out), asked of the
// example zones of their Appendix A: every section must hold exactly the RRsets the RFC shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRdata, makeQuery, Rcode, RRType, typeFromString, type Message, type RRSIG } from '../wire/index.js';
import { answerQuery, ServedZone, ZoneSet } from './index.js';
import { RFC4035_ZONE, RFC5155_ZONE, rfcExampleZone } from '../../tests/fixtures/rfc-example-zones.js';
import { rrsetsOf } from '../../tests/support/answer-sections.js';

const nsecZones = ZoneSet.of([ServedZone.build(rfcExampleZone(RFC4035_ZONE, 5))]);
const nsec3Zones = ZoneSet.of([ServedZone.build(rfcExampleZone(RFC5155_ZONE, 7))]);

function ask(zones: ZoneSet, name: string, type: string, dnssecOk = true): Message {
  // the RFC responses carry the apex NS RRset in the authority section of positive answers
  return answerQuery(zones, makeQuery(name, typeFromString(type)!, { dnssecOk, id: 1 }), { authorityNs: true });
}

interface Expected {
  readonly rcode: number;
  readonly aa: boolean;
  readonly answer: readonly string[];
  readonly authority: readonly string[];
  readonly additional: readonly string[];
}

function check(m: Message, want: Expected): void {
  assert.equal(m.rcode, want.rcode, 'rcode');
  assert.equal(m.flags.aa, want.aa, 'AA');
  assert.equal(m.flags.ad, false, 'AD is never set by an authoritative server');
  assert.equal(m.flags.qr, true);
  assert.deepEqual(rrsetsOf(m.answer), [...want.answer].sort(), 'answer');
  assert.deepEqual(rrsetsOf(m.authority), [...want.authority].sort(), 'authority');
  assert.deepEqual(rrsetsOf(m.additional), [...want.additional].sort(), 'additional');
}

/** An RRset and its RRSIG. */
const signed = (owner: string, type: string): string[] => [`${owner} ${type}`, `${owner} RRSIG/${type}`];

test('RFC 4035 B.1: positive answer with signatures and additional addresses', () => {
  check(ask(nsecZones, 'x.w.example.', 'MX'), {
    rcode: Rcode.NOERROR, aa: true,
    answer: signed('x.w.example.', 'MX'),
    authority: signed('example.', 'NS'),
    additional: [...signed('xx.example.', 'A'), ...signed('xx.example.', 'AAAA'), ...signed('ns1.example.', 'A'), ...signed('ns2.example.', 'A')],
  });
});

test('RFC 4035 B.2: name error proven by the NSEC covering the qname and the one covering *.example', () => {
  check(ask(nsecZones, 'ml.example.', 'A'), {
    rcode: Rcode.NXDOMAIN, aa: true, answer: [],
    authority: [...signed('example.', 'SOA'), ...signed('b.example.', 'NSEC'), ...signed('example.', 'NSEC')],
    additional: [],
  });
});

test('RFC 4035 B.3: no data proven by the matching NSEC', () => {
  check(ask(nsecZones, 'ns1.example.', 'MX'), {
    rcode: Rcode.NOERROR, aa: true, answer: [],
    authority: [...signed('example.', 'SOA'), ...signed('ns1.example.', 'NSEC')],
    additional: [],
  });
});

test('RFC 4035 B.4: referral to a signed zone carries the signed DS and glue', () => {
  check(ask(nsecZones, 'mc.a.example.', 'MX'), {
    rcode: Rcode.NOERROR, aa: false, answer: [],
    authority: ['a.example. NS', ...signed('a.example.', 'DS')],
    additional: ['ns1.a.example. A', 'ns2.a.example. A'],
  });
});

test('RFC 4035 B.5: referral to an unsigned zone carries the NSEC proving no DS', () => {
  check(ask(nsecZones, 'mc.b.example.', 'MX'), {
    rcode: Rcode.NOERROR, aa: false, answer: [],
    authority: ['b.example. NS', ...signed('b.example.', 'NSEC')],
    additional: ['ns1.b.example. A', 'ns2.b.example. A'],
  });
});

test('RFC 4035 B.6: wildcard expansion with the NSEC proving no closer match', () => {
  const m = ask(nsecZones, 'a.z.w.example.', 'MX');
  check(m, {
    rcode: Rcode.NOERROR, aa: true,
    answer: signed('a.z.w.example.', 'MX'),
    authority: [...signed('example.', 'NS'), ...signed('x.y.w.example.', 'NSEC')],
    additional: [...signed('ai.example.', 'A'), ...signed('ai.example.', 'AAAA'), ...signed('ns1.example.', 'A'), ...signed('ns2.example.', 'A')],
  });
  // the RRSIG is the wildcard's: its Labels field (2) is below the owner's label count (RFC 4035 §5.3.4)
  const sig = m.answer.find((r) => r.type === RRType.RRSIG)!;
  assert.equal(decodeRdata<RRSIG>(RRType.RRSIG, sig.rdata).labels, 2);
});

test('RFC 4035 B.7: wildcard no data', () => {
  check(ask(nsecZones, 'a.z.w.example.', 'AAAA'), {
    rcode: Rcode.NOERROR, aa: true, answer: [],
    authority: [...signed('example.', 'SOA'), ...signed('x.y.w.example.', 'NSEC'), ...signed('*.w.example.', 'NSEC')],
    additional: [],
  });
});

test('RFC 4035 B.8: DS at the apex of a zone whose parent is not served is no data from the child', () => {
  check(ask(nsecZones, 'example.', 'DS'), {
    rcode: Rcode.NOERROR, aa: true, answer: [],
    authority: [...signed('example.', 'SOA'), ...signed('example.', 'NSEC')],
    additional: [],
  });
});

test('RFC 4035 B.1 without DO: no DNSSEC records', () => {
  check(ask(nsecZones, 'x.w.example.', 'MX', false), {
    rcode: Rcode.NOERROR, aa: true,
    answer: ['x.w.example. MX'],
    authority: ['example. NS'],
    additional: ['xx.example. A', 'xx.example. AAAA', 'ns1.example. A', 'ns2.example. A'],
  });
  check(ask(nsecZones, 'ml.example.', 'A', false), { rcode: Rcode.NXDOMAIN, aa: true, answer: [], authority: ['example. SOA'], additional: [] });
  check(ask(nsecZones, 'mc.a.example.', 'MX', false), {
    rcode: Rcode.NOERROR, aa: false, answer: [], authority: ['a.example. NS'], additional: ['ns1.a.example. A', 'ns2.a.example. A'],
  });
});

test('RFC 4035: DNSSEC types asked for directly are answered without DO', () => {
  check(ask(nsecZones, 'ai.example.', 'NSEC', false), { rcode: Rcode.NOERROR, aa: true, answer: ['ai.example. NSEC'], authority: ['example. NS'], additional: ['ns1.example. A', 'ns2.example. A'] });
  const m = ask(nsecZones, 'example.', 'DNSKEY', false);
  assert.deepEqual(rrsetsOf(m.answer), ['example. DNSKEY']);
  const sigs = ask(nsecZones, 'xx.example.', 'RRSIG', false);
  assert.deepEqual(rrsetsOf(sigs.answer), ['xx.example. RRSIG/A', 'xx.example. RRSIG/AAAA', 'xx.example. RRSIG/HINFO', 'xx.example. RRSIG/NSEC']);
});

test('RFC 4035 §3.1.4.1: DS at a delegation point is answered from the parent side, authoritatively', () => {
  check(ask(nsecZones, 'a.example.', 'DS'), { rcode: Rcode.NOERROR, aa: true, answer: signed('a.example.', 'DS'), authority: signed('example.', 'NS'), additional: ['ns1.example. A', 'ns1.example. RRSIG/A', 'ns2.example. A', 'ns2.example. RRSIG/A'] });
  check(ask(nsecZones, 'b.example.', 'DS'), {
    rcode: Rcode.NOERROR, aa: true, answer: [], authority: [...signed('example.', 'SOA'), ...signed('b.example.', 'NSEC')], additional: [],
  });
});

test('RFC 5155 B.1: name error with the closest encloser proof and the wildcard cover', () => {
  check(ask(nsec3Zones, 'a.c.x.w.example.', 'A'), {
    rcode: Rcode.NXDOMAIN, aa: true, answer: [],
    authority: [
      ...signed('example.', 'SOA'),
      ...signed('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.', 'NSEC3'),
      ...signed('b4um86eghhds6nea196smvmlo4ors995.example.', 'NSEC3'),
      ...signed('35mthgpgcu1qg68fab165klnsnk3dpvl.example.', 'NSEC3'),
    ],
    additional: [],
  });
});

test('RFC 5155 B.2: no data with the matching NSEC3', () => {
  check(ask(nsec3Zones, 'ns1.example.', 'MX'), {
    rcode: Rcode.NOERROR, aa: true, answer: [],
    authority: [...signed('example.', 'SOA'), ...signed('2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.', 'NSEC3')],
    additional: [],
  });
});

test('RFC 5155 B.2.1: no data at an empty non-terminal', () => {
  check(ask(nsec3Zones, 'y.w.example.', 'A'), {
    rcode: Rcode.NOERROR, aa: true, answer: [],
    authority: [...signed('example.', 'SOA'), ...signed('ji6neoaepv8b5o6k4ev33abha8ht9fgc.example.', 'NSEC3')],
    additional: [],
  });
});

test('RFC 5155 B.3: referral to an unsigned zone in an Opt-Out span', () => {
  check(ask(nsec3Zones, 'mc.c.example.', 'MX'), {
    rcode: Rcode.NOERROR, aa: false, answer: [],
    authority: ['c.example. NS', ...signed('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.', 'NSEC3'), ...signed('35mthgpgcu1qg68fab165klnsnk3dpvl.example.', 'NSEC3')],
    additional: ['ns1.c.example. A', 'ns2.c.example. A'],
  });
});

test('RFC 5155 B.4: wildcard expansion with the NSEC3 covering the next closer name', () => {
  check(ask(nsec3Zones, 'a.z.w.example.', 'MX'), {
    rcode: Rcode.NOERROR, aa: true,
    answer: signed('a.z.w.example.', 'MX'),
    authority: [...signed('example.', 'NS'), ...signed('q04jkcevqvmu85r014c7dkba38o0ji5r.example.', 'NSEC3')],
    additional: [...signed('ai.example.', 'A'), ...signed('ai.example.', 'AAAA'), ...signed('ns1.example.', 'A'), ...signed('ns2.example.', 'A')],
  });
});

test('RFC 5155 B.5: wildcard no data', () => {
  check(ask(nsec3Zones, 'a.z.w.example.', 'AAAA'), {
    rcode: Rcode.NOERROR, aa: true, answer: [],
    authority: [
      ...signed('example.', 'SOA'),
      ...signed('k8udemvp1j2f7eg6jebps17vp3n8i58h.example.', 'NSEC3'),
      ...signed('q04jkcevqvmu85r014c7dkba38o0ji5r.example.', 'NSEC3'),
      ...signed('r53bq7cc2uvmubfu5ocmm6pers9tk9en.example.', 'NSEC3'),
    ],
    additional: [],
  });
});

test('RFC 5155 B.6: DS at the apex, parent not served', () => {
  check(ask(nsec3Zones, 'example.', 'DS'), {
    rcode: Rcode.NOERROR, aa: true, answer: [],
    authority: [...signed('example.', 'SOA'), ...signed('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.', 'NSEC3')],
    additional: [],
  });
});

test('RFC 5155 §7.2.4: DS no data at an Opt-Out delegation is a closest encloser proof', () => {
  check(ask(nsec3Zones, 'c.example.', 'DS'), {
    rcode: Rcode.NOERROR, aa: true, answer: [],
    authority: [...signed('example.', 'SOA'), ...signed('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.', 'NSEC3'), ...signed('35mthgpgcu1qg68fab165klnsnk3dpvl.example.', 'NSEC3')],
    additional: [],
  });
});

test('RFC 5155 B.4 referral to the signed child a.example carries the DS, not an NSEC3', () => {
  check(ask(nsec3Zones, 'mc.a.example.', 'MX'), {
    rcode: Rcode.NOERROR, aa: false, answer: [],
    authority: ['a.example. NS', ...signed('a.example.', 'DS')],
    additional: ['ns1.a.example. A', 'ns2.a.example. A'],
  });
});

test('RFC 5155 §7.2.8: an NSEC3 owner name does not exist, but a real name spelled like a hash does', () => {
  const hidden = ask(nsec3Zones, '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.', 'A');
  assert.equal(hidden.rcode, Rcode.NXDOMAIN);
  const real = ask(nsec3Zones, '2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.', 'A');
  assert.equal(real.rcode, Rcode.NOERROR);
  assert.deepEqual(rrsetsOf(real.answer), signed('2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.', 'A').sort());
});
