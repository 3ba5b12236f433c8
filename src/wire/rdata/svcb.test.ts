import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toHex } from '../../util/index.js';
import { RRType } from '../types.js';
import { decodeRdata, rdataToText } from '../record.js';
import { codec as SVCB, SvcParamKey } from './svcb.js';
import { codec as HTTPS } from './https.js';
import { arbName, assertCodecProperty, assertRoundTrips, hex, hexOf, wireOf } from '../../../tests/support/rdata-round-trip.js';

const FOO_COM = '03 666f6f 07 6578616d706c65 03 636f6d 00';
const FOO_ORG = '03 666f6f 07 6578616d706c65 03 6f7267 00';

// RFC 9460 Appendix D: presentation → exact wire
const VECTORS: readonly (readonly [string, number, string, string])[] = [
  ['D.1 AliasMode', RRType.HTTPS, '0 foo.example.com.', `0000 ${FOO_COM}`],
  ['D.2 use the owner name', RRType.SVCB, '1 .', '0001 00'],
  ['D.2 port only', RRType.SVCB, '16 foo.example.com. port=53', `0010 ${FOO_COM} 0003 0002 0035`],
  ['D.2 unregistered key, unquoted', RRType.SVCB, '1 foo.example.com. key667=hello', `0001 ${FOO_COM} 029b 0005 68656c6c6f`],
  ['D.2 unregistered key, quoted with \\DDD', RRType.SVCB, '1 foo.example.com. key667="hello\\210qoo"', `0001 ${FOO_COM} 029b 0009 68656c6c6f d2 716f6f`],
  [
    'D.2 two quoted IPv6 hints',
    RRType.SVCB,
    '1 foo.example.com. ( ipv6hint="2001:db8::1,2001:db8::53:1" )',
    `0001 ${FOO_COM} 0006 0020 20010db8000000000000000000000001 20010db8000000000000000000530001`,
  ],
  ['D.2 IPv6 hint with embedded IPv4', RRType.SVCB, '1 example.com. ( ipv6hint="2001:db8:122:344::192.0.2.33" )', '0001 07 6578616d706c65 03 636f6d 00 0006 0010 20010db8012203440000 0000 c0000221'],
  [
    'D.2 unsorted keys and mandatory list',
    RRType.SVCB,
    '16 foo.example.org. ( alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1 )',
    `0010 ${FOO_ORG} 0000 0004 0001 0004  0001 0009 02 6832 05 68332d3139  0004 0004 c0000201`,
  ],
  ['D.2 alpn with escaped comma and backslash', RRType.SVCB, '16 foo.example.org. alpn="f\\\\\\\\oo\\\\,bar,h2"', `0010 ${FOO_ORG} 0001 000c 08 665c6f6f2c626172 02 6832`],
  ['D.2 alpn, the \\092 spelling', RRType.SVCB, '16 foo.example.org. alpn=f\\\\\\092oo\\092,bar,h2', `0010 ${FOO_ORG} 0001 000c 08 665c6f6f2c626172 02 6832`],
];

for (const [name, type, text, wire] of VECTORS) {
  test(`RFC 9460 ${name}: exact wire, and round trips`, () => {
    const origin = undefined;
    assert.equal(hexOf(type, text.replace(/[()]/g, ''), origin), toHex(hex(wire)));
    assertRoundTrips(type, text.replace(/[()]/g, ''));
    const back = rdataToText(type, hex(wire));
    assert.equal(toHex(wireOf(type, back)), toHex(hex(wire)));
  });
}

test('presentation follows BIND: sorted keys, quoted alpn and generic values, bare empty keys, unquoted ech', () => {
  assert.equal(
    rdataToText(RRType.SVCB, wireOf(RRType.SVCB, '16 foo.example.org. alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1')),
    '16 foo.example.org. mandatory=alpn,ipv4hint alpn="h2,h3-19" ipv4hint=192.0.2.1',
  );
  assert.equal(rdataToText(RRType.SVCB, hex(`0010 ${FOO_ORG} 0001 000c 08 665c6f6f2c626172 02 6832`)), '16 foo.example.org. alpn="f\\\\\\\\oo\\\\,bar,h2"');
  assert.equal(rdataToText(RRType.SVCB, wireOf(RRType.SVCB, '1 . key999 key1000="" key65534=abc')), '1 . key999 key1000 key65534="abc"');
  assert.equal(rdataToText(RRType.HTTPS, wireOf(RRType.HTTPS, '1 . alpn="h3 x,h2" no-default-alpn ech="AEj+CgA=" port=443')), '1 . alpn="h3\\032x,h2" no-default-alpn port=443 ech=AEj+CgA=');
  assert.equal(rdataToText(RRType.SVCB, wireOf(RRType.SVCB, '1 . ipv6hint=::ffff:1.2.3.4,::1,2001:DB8::,::')), '1 . ipv6hint=::ffff:1.2.3.4,::1,2001:db8::,::');
});

test('keyNNNNN takes a generic value even for registered keys, checked against the key', () => {
  assert.equal(rdataToText(RRType.SVCB, wireOf(RRType.SVCB, '1 . key3="\\000\\053"')), '1 . port=53');
  // "53" is the two octets 0x35 0x33: a valid port value, 13619
  assert.equal(rdataToText(RRType.SVCB, wireOf(RRType.SVCB, '1 . key3=53')), '1 . port=13619');
  // "h2" read as an alpn wire value claims a 104-octet id: rejected, as BIND does
  assert.throws(() => wireOf(RRType.SVCB, '1 . key1=h2'), { code: 'ZONE_BAD_RDATA' });
});

// RFC 9460 Appendix D.3 failure cases, plus a few more
const FAILURES = [
  '1 foo.example.com. key123=abc key123=def',
  '1 foo.example.com. mandatory',
  '1 foo.example.com. alpn',
  '1 foo.example.com. port',
  '1 foo.example.com. ipv4hint',
  '1 foo.example.com. ipv6hint',
  '1 foo.example.com. no-default-alpn=abc',
  '1 foo.example.com. mandatory=key123',
  '1 foo.example.com. mandatory=mandatory',
  '1 foo.example.com. mandatory=key123,key123 key123=abc',
  '0 foo.example.com. alpn=h2',
  '1 . port=65536',
  '1 . ipv4hint=192.0.2',
  '1 . ipv6hint=192.0.2.1',
  '1 . alpn=h2,,h3',
  '1 . bogus=1',
  '1 . key65535=x',
  '1 . key65536=x',
  '1 . ech=!!',
  '1 . alpn="h2',
  '65536 .',
];
test('RFC 9460 Appendix D.3 failure cases and other bad presentation are rejected', () => {
  for (const bad of FAILURES) {
    assert.throws(() => wireOf(RRType.SVCB, bad), { code: 'ZONE_BAD_RDATA' }, bad);
    assert.throws(() => wireOf(RRType.HTTPS, bad), { code: 'ZONE_BAD_RDATA' }, bad);
  }
});

test('malformed SVCB wire is rejected with WIRE_BAD_SVCPARAM or WIRE_SHORT', () => {
  const bad = (h: string): void => assert.throws(() => decodeRdata(RRType.SVCB, hex(h)), { code: 'WIRE_BAD_SVCPARAM' }, h);
  bad('0001 00 0003 0002 0035 0001 0003 02 6832'); // keys out of order
  bad('0001 00 0003 0002 0035 0003 0002 0035'); // duplicate key
  bad('0001 00 0003 0001 35'); // port of one octet
  bad('0001 00 0000 0002 0003'); // mandatory lists a missing key
  bad('0001 00 0000 0002 0000'); // mandatory lists itself
  bad('0001 00 0001 0003 00 6832'); // empty alpn id
  bad('0001 00 0004 0003 c00002'); // short IPv4 hint
  bad('0001 00 0006 0004 20010db8'); // short IPv6 hint
  bad('0001 00 0002 0001 00'); // no-default-alpn with a value
  bad('0001 00 ffff 0000'); // key65535
  assert.throws(() => decodeRdata(RRType.SVCB, hex('0001 00 0003 0004 0035')), { code: 'WIRE_SHORT' });
  assert.throws(() => decodeRdata(RRType.SVCB, hex('0001')), { code: 'WIRE_SHORT' });
});

const arbParamValue = (key: number): fc.Arbitrary<Uint8Array> => {
  switch (key) {
    case SvcParamKey.alpn:
      return fc.array(fc.uint8Array({ minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 3 }).map((ids) => Uint8Array.from(ids.flatMap((i) => [i.length, ...i])));
    case SvcParamKey['no-default-alpn']:
      return fc.constant(new Uint8Array(0));
    case SvcParamKey.port:
      return fc.uint8Array({ minLength: 2, maxLength: 2 });
    case SvcParamKey.ipv4hint:
      return fc.integer({ min: 1, max: 3 }).chain((n) => fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n }));
    case SvcParamKey.ipv6hint:
      return fc.integer({ min: 1, max: 3 }).chain((n) => fc.uint8Array({ minLength: 16 * n, maxLength: 16 * n }));
    case SvcParamKey.ech:
      return fc.uint8Array({ minLength: 1, maxLength: 40 });
    default:
      return fc.uint8Array({ maxLength: 20 });
  }
};
const arbSvcb = fc
  .record({
    priority: fc.integer({ min: 1, max: 0xffff }),
    target: arbName,
    keys: fc.uniqueArray(fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 7, max: 65534 })), { maxLength: 6 }),
    withMandatory: fc.boolean(),
  })
  .chain(({ priority, target, keys, withMandatory }) =>
    fc.tuple(...keys.map((k) => arbParamValue(k).map((value) => ({ key: k, value })))).map((params) => {
      const sorted = [...params].sort((a, b) => a.key - b.key);
      if (withMandatory && sorted.length > 0) {
        const m = new Uint8Array(sorted.length * 2);
        sorted.forEach((p, i) => m.set([p.key >> 8, p.key & 0xff], 2 * i));
        sorted.unshift({ key: 0, value: m });
      }
      return { priority, target, params: sorted };
    }),
  );

test('SVCB and HTTPS codecs agree in all directions (property)', () => {
  assertCodecProperty(SVCB, arbSvcb);
  assertCodecProperty(HTTPS, arbSvcb, 100);
  assertCodecProperty(SVCB, fc.record({ priority: fc.constant(0), target: arbName, params: fc.constant([]) }), 50);
});
