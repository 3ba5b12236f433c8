import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RRType } from '../types.js';
import { decodeRdata, rdataFromText, rdataToText } from '../record.js';
import { codec as DS } from './ds.js';
import { codec as CDS } from './cds.js';
import { assertCodecProperty, assertRoundTrips, hex } from '../../../tests/support/rdata-round-trip.js';

test('DS of RFC 4034 §5.4 encodes field by field and presents upper-case hex', () => {
  const w = rdataFromText(RRType.DS, '60485 5 1 ( 2BB183AF5F22588179A53B0A 98631FAD1A292118 )'.replace(/[()]/g, ''));
  assert.deepEqual(w, hex('ec45 05 01 2bb183af5f22588179a53b0a98631fad1a292118'));
  assert.equal(rdataToText(RRType.DS, w), '60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118');
  assertRoundTrips(RRType.DS, '60485 RSASHA1 1 2bb183af5f22588179a53b0a98631fad1a292118');
});

test('CDS delete form 0 0 0 00 (RFC 8078 §4)', () => {
  const w = rdataFromText(RRType.CDS, '0 0 0 00');
  assert.deepEqual(w, hex('0000 00 00 00'));
  assert.equal(rdataToText(RRType.CDS, w), '0 0 0 00');
});

test('digests of known types must have their length; malformed DS is rejected', () => {
  for (const bad of ['60485 5 2 2BB183AF5F22588179A53B0A98631FAD1A292118', '60485 5 1', '60485 5 1 XYZ', '60485 5 1 2BB', '70000 5 1 00']) {
    assert.throws(() => rdataFromText(RRType.DS, bad), { code: 'ZONE_BAD_RDATA' }, bad);
  }
  assert.throws(() => decodeRdata(RRType.DS, hex('ec45 05 02 2bb183af5f22588179a53b0a98631fad1a292118')), { code: 'WIRE_BAD_FIELD' });
  assert.throws(() => decodeRdata(RRType.DS, hex('ec45 05 01')), { code: 'WIRE_SHORT' });
});

test('DS and CDS codecs agree in all directions (property)', () => {
  const lens: Record<number, number> = { 1: 20, 2: 32, 3: 32, 4: 48 };
  const arb = fc.integer({ min: 0, max: 255 }).chain((digestType) =>
    fc.record({
      keyTag: fc.integer({ min: 0, max: 0xffff }),
      algorithm: fc.integer({ min: 0, max: 255 }),
      digestType: fc.constant(digestType),
      digest: lens[digestType] !== undefined ? fc.uint8Array({ minLength: lens[digestType]!, maxLength: lens[digestType]! }) : fc.uint8Array({ minLength: 1, maxLength: 80 }),
    }),
  );
  assertCodecProperty(DS, arb);
  assertCodecProperty(CDS, arb, 50);
});
