import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RRType } from '../types.js';
import { decodeRdata, rdataFromText, rdataToText } from '../record.js';
import { codec as ZONEMD } from './zonemd.js';
import { assertCodecProperty, assertRoundTrips, hex } from '../../../tests/support/rdata-round-trip.js';

// RFC 8976 Appendix A.1 (simple EXAMPLE zone)
const A1_DIGEST = 'c68090d90a7aed716bc459f9340e3d7c1370d4d24b7e2fc3a1ddc0b9a87153b9a9713b3c9ae5cc27777f98b8e730044c';

test('ZONEMD of RFC 8976 Appendix A.1', () => {
  const w = rdataFromText(RRType.ZONEMD, `2018031900 1 1 ( ${A1_DIGEST.slice(0, 48)} ${A1_DIGEST.slice(48)} )`.replace(/[()]/g, ''));
  assert.deepEqual(w, hex(`7848b91c 01 01 ${A1_DIGEST}`));
  assert.equal(rdataToText(RRType.ZONEMD, w), `2018031900 1 1 ${A1_DIGEST.toUpperCase()}`);
  assertRoundTrips(RRType.ZONEMD, `2018031900 1 1 ${A1_DIGEST}`);
});

test('ZONEMD digests: fixed lengths for SHA-384/512, at least 12 octets otherwise (RFC 8976 §2.2.4)', () => {
  assertRoundTrips(RRType.ZONEMD, `1 1 240 ${'ab'.repeat(12)}`);
  for (const bad of [`1 1 1 ${'ab'.repeat(47)}`, `1 1 2 ${A1_DIGEST}`, `1 1 240 ${'ab'.repeat(11)}`, '1 1 1', `4294967296 1 1 ${A1_DIGEST}`]) {
    assert.throws(() => rdataFromText(RRType.ZONEMD, bad), { code: 'ZONE_BAD_RDATA' }, bad);
  }
  assert.throws(() => decodeRdata(RRType.ZONEMD, hex(`7848b91c 01 02 ${A1_DIGEST}`)), { code: 'WIRE_BAD_FIELD' });
  assert.throws(() => decodeRdata(RRType.ZONEMD, hex('7848b9')), { code: 'WIRE_SHORT' });
});

test('ZONEMD codec agrees in all directions (property)', () => {
  const arb = fc.integer({ min: 0, max: 255 }).chain((hashAlgorithm) =>
    fc.record({
      serial: fc.integer({ min: 0, max: 0xffffffff }),
      scheme: fc.integer({ min: 0, max: 255 }),
      hashAlgorithm: fc.constant(hashAlgorithm),
      digest: hashAlgorithm === 1 ? fc.uint8Array({ minLength: 48, maxLength: 48 }) : hashAlgorithm === 2 ? fc.uint8Array({ minLength: 64, maxLength: 64 }) : fc.uint8Array({ minLength: 12, maxLength: 100 }),
    }),
  );
  assertCodecProperty(ZONEMD, arb);
});
