import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { toHex } from '../../util/index.js';
import { Name } from '../name.js';
import { RRType } from '../types.js';
import { decodeRdata, rdataFromText, rdataToText } from '../record.js';
import { codec as NSEC3, type NSEC3 as Nsec3Value } from './nsec3.js';
import { codec as NSEC3PARAM } from './nsec3param.js';
import { assertCodecProperty, assertRoundTrips, hex } from '../../../tests/support/rdata-round-trip.js';

/** RFC 5155 §5 iterated hash. */
function nsec3Hash(name: string, salt: Uint8Array, iterations: number): Uint8Array {
  let d = createHash('sha1').update(Name.parse(name).toLowerCase().wire).update(salt).digest();
  for (let i = 0; i < iterations; i++) d = createHash('sha1').update(d).update(salt).digest();
  return Uint8Array.from(d);
}

// RFC 5155 Appendix A: the record owned by H(example) whose next hashed owner is H(ns1.example)
const APEX_NSEC3 = '1 1 12 aabbccdd ( 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG )'.replace(/[()]/g, '');

test('NSEC3 of RFC 5155 Appendix A: next hashed owner decodes to H(ns1.example)', () => {
  const w = rdataFromText(RRType.NSEC3, APEX_NSEC3);
  const v = decodeRdata<Nsec3Value>(RRType.NSEC3, w);
  const salt = hex('aabbccdd');
  assert.equal(toHex(v.nextHashed), toHex(nsec3Hash('ns1.example.', salt, 12)));
  assert.deepEqual(w.subarray(0, 9), hex('01 01 000c 04 aabbccdd'));
  assert.equal(w[9], 20);
  // NS SOA MX RRSIG DNSKEY NSEC3PARAM = types 2 6 15 46 48 51
  assert.deepEqual(w.subarray(30), hex('00 07 22 01 00 00 00 02 90'));
  assert.equal(rdataToText(RRType.NSEC3, w), '1 1 12 AABBCCDD 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA MX RRSIG DNSKEY NSEC3PARAM');
  // the owner label of the same record is H(example)
  assert.equal(Buffer.from(nsec3Hash('example.', salt, 12)).length, 20);
  assertRoundTrips(RRType.NSEC3, APEX_NSEC3);
});

test('NSEC3 with empty salt and no types; base32hex is lower case on output', () => {
  const t = assertRoundTrips(RRType.NSEC3, '1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR');
  assert.equal(t, '1 0 0 - 2t7b4g4vsa5smi47k61mv5bv1a22bojr');
});

test('NSEC3PARAM of RFC 5155 Appendix A', () => {
  const w = rdataFromText(RRType.NSEC3PARAM, '1 0 12 aabbccdd');
  assert.deepEqual(w, hex('01 00 000c 04 aabbccdd'));
  assert.equal(rdataToText(RRType.NSEC3PARAM, w), '1 0 12 AABBCCDD');
  assert.equal(rdataToText(RRType.NSEC3PARAM, rdataFromText(RRType.NSEC3PARAM, '1 0 0 -')), '1 0 0 -');
});

test('malformed NSEC3 and NSEC3PARAM are rejected with typed errors', () => {
  for (const bad of ['1 0 12 xyz 2t7b4g4vsa5smi47k61mv5bv1a22bojr', '1 0 12 aabbccdd zzzz', '1 0 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr A BOGUS', '1 0 65536 - 2t7b4g4v', '1 0 12 aabbccdd']) {
    assert.throws(() => rdataFromText(RRType.NSEC3, bad), { code: 'ZONE_BAD_RDATA' }, bad);
  }
  assert.throws(() => rdataFromText(RRType.NSEC3PARAM, '1 0 12'), { code: 'ZONE_BAD_RDATA' });
  assert.throws(() => rdataFromText(RRType.NSEC3PARAM, '1 0 12 abc'), { code: 'ZONE_BAD_RDATA' });
  assert.throws(() => decodeRdata(RRType.NSEC3, hex('01 00 0000 00 00')), { code: 'WIRE_BAD_FIELD' });
  assert.throws(() => decodeRdata(RRType.NSEC3, hex('01 00 0000 04 aabb')), { code: 'WIRE_SHORT' });
  assert.throws(() => decodeRdata(RRType.NSEC3PARAM, hex('01 00 0000 00 ff')), { code: 'WIRE_TRAILING' });
});

test('NSEC3 and NSEC3PARAM codecs agree in all directions (property)', () => {
  const common = {
    hashAlgorithm: fc.integer({ min: 0, max: 255 }),
    flags: fc.integer({ min: 0, max: 255 }),
    iterations: fc.integer({ min: 0, max: 0xffff }),
    salt: fc.uint8Array({ maxLength: 255 }),
  };
  assertCodecProperty(NSEC3PARAM, fc.record(common));
  assertCodecProperty(
    NSEC3,
    fc.record({ ...common, nextHashed: fc.uint8Array({ minLength: 1, maxLength: 64 }), types: fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 }).map((a) => a.sort((x, y) => x - y)) }),
  );
});
