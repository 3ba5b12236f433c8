import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toHex } from '../../util/index.js';
import { RRType } from '../types.js';
import { canonicalRdata, decodeRdata, rdataFromText, rdataToText } from '../record.js';
import { codec as NSEC } from './nsec.js';
import { arbName, assertCodecProperty, assertRoundTrips, hex, wireOf } from '../../../tests/support/rdata-round-trip.js';

test('NSEC of RFC 4034 §4.3 matches the RFC wire dump octet for octet', () => {
  const w = rdataFromText(RRType.NSEC, 'host.example.com. ( A MX RRSIG NSEC TYPE1234 )'.replace(/[()]/g, ''));
  const rfc = hex(`04 686f7374 07 6578616d706c65 03 636f6d 00
    00 06 40 01 00 00 00 03
    04 1b ${'00 '.repeat(26)} 20`);
  assert.equal(toHex(w), toHex(rfc));
  assert.equal(rdataToText(RRType.NSEC, w), 'host.example.com. A MX RRSIG NSEC TYPE1234');
  assertRoundTrips(RRType.NSEC, 'host.example.com. A MX RRSIG NSEC TYPE1234');
});

test('NSEC with no types, relative next name, types in any order', () => {
  assert.equal(rdataToText(RRType.NSEC, wireOf(RRType.NSEC, 'b')), 'b.example.');
  assert.equal(rdataToText(RRType.NSEC, wireOf(RRType.NSEC, 'b NSEC rrsig a ns')), 'b.example. A NS RRSIG NSEC');
});

test('NSEC next name keeps its case in canonical form (RFC 6840 §5.1)', () => {
  const w = rdataFromText(RRType.NSEC, 'Host.Example.COM. A');
  assert.equal(toHex(canonicalRdata(RRType.NSEC, w)), toHex(w));
});

test('malformed NSEC is rejected with typed errors', () => {
  assert.throws(() => rdataFromText(RRType.NSEC, 'host.example. A FOO'), { code: 'ZONE_BAD_RDATA' });
  assert.throws(() => rdataFromText(RRType.NSEC, ''), { code: 'ZONE_BAD_RDATA' });
  assert.throws(() => decodeRdata(RRType.NSEC, hex('00 0002 4000')), { code: 'WIRE_BAD_TYPE_BITMAP' });
  assert.throws(() => decodeRdata(RRType.NSEC, hex('01 61')), { code: 'WIRE_SHORT' });
});

test('NSEC codec agrees in all directions (property)', () => {
  assertCodecProperty(NSEC, fc.record({ next: arbName, types: fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }), { maxLength: 20 }).map((a) => a.sort((x, y) => x - y)) }));
});
