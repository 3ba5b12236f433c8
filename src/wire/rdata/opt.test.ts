import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RRType } from '../types.js';
import { decodeRdata, rdataFromText, rdataToText } from '../record.js';
import { codec as OPT, type OPT as OptValue } from './opt.js';
import { assertCodecProperty, assertRoundTrips, hex } from '../../../tests/support/rdata-round-trip.js';

test('OPT options: an empty NSID request (RFC 5001 §2.1) and a client COOKIE (RFC 7873 §4)', () => {
  const w = rdataFromText(RRType.OPT, '3: 10:0102030405060708');
  assert.deepEqual(w, hex('0003 0000  000a 0008 0102030405060708'));
  const v = decodeRdata<OptValue>(RRType.OPT, w);
  assert.deepEqual(v.options.map((o) => o.code), [3, 10]);
  assert.equal(rdataToText(RRType.OPT, w), '3: 10:0102030405060708');
  assertRoundTrips(RRType.OPT, '65001:abcd 3:');
  assert.equal(rdataToText(RRType.OPT, new Uint8Array(0)), '');
});

test('malformed OPT is rejected with typed errors', () => {
  for (const bad of ['3', '70000:00', '10:abc', 'x:00']) assert.throws(() => rdataFromText(RRType.OPT, bad), { code: 'ZONE_BAD_RDATA' }, bad);
  assert.throws(() => decodeRdata(RRType.OPT, hex('000a 0008 0102')), { code: 'WIRE_SHORT' });
  assert.throws(() => decodeRdata(RRType.OPT, hex('000a')), { code: 'WIRE_SHORT' });
});

test('OPT codec agrees in all directions (property)', () => {
  assertCodecProperty(OPT, fc.record({ options: fc.array(fc.record({ code: fc.integer({ min: 0, max: 0xffff }), data: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 6 }) }));
});
