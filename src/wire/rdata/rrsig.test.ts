import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toHex } from '../../util/index.js';
import { RRType } from '../types.js';
import { canonicalRdata, decodeRdata, rdataFromText, rdataToText } from '../record.js';
import { codec as RRSIG, type RRSIG as RrsigValue } from './rrsig.js';
import { arbName, assertCodecProperty, assertRoundTrips, hex } from '../../../tests/support/rdata-round-trip.js';

// RFC 4034 §3.3
const SIG =
  'oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTr PYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6o B9wfuh3DTJXUAfI/M0zmO/zz8bW0Rznl8O3t GNazPwQKkRN20XPXV6nwwfoXmJQbsLNrLfkG J5D6fwFm8nN+6pBzeDQfsS3Ap3o=';
const RFC4034_3_3 = `A 5 3 86400 20030322173103 20030220173103 2642 example.com. ${SIG}`;

test('RRSIG of RFC 4034 §3.3: wire fields and presentation', () => {
  const w = rdataFromText(RRType.RRSIG, RFC4034_3_3);
  // type A, alg 5, 3 labels, TTL 86400, expiration 1048354263, inception 1045762263 (per `date -u +%s`), tag 2642
  assert.equal(toHex(w.subarray(0, 18)), '0001' + '05' + '03' + '00015180' + '3e7c9dd7' + '3e5510d7' + '0a52');
  assert.deepEqual(w.subarray(18, 31), hex('07 6578616d706c65 03 636f6d 00'));
  assert.equal(w.length - 31, 128);
  assert.equal(rdataToText(RRType.RRSIG, w), `A 5 3 86400 20030322173103 20030220173103 2642 example.com. ${SIG.replace(/ /g, '')}`);
  const v = decodeRdata<RrsigValue>(RRType.RRSIG, w);
  assert.equal(v.expiration, 1048354263);
  assert.equal(v.signerName.toString(), 'example.com.');
});

test('RRSIG accepts numeric times and mnemonic algorithms; presents YYYYMMDDHHmmSS', () => {
  const t = rdataToText(RRType.RRSIG, rdataFromText(RRType.RRSIG, `TYPE65280 RSASHA1 3 1d 1048354263 1045762263 2642 example.com. ${SIG}`));
  assert.match(t, /^TYPE65280 5 3 86400 20030322173103 20030220173103 2642 example\.com\. oJB1/);
  assertRoundTrips(RRType.RRSIG, RFC4034_3_3);
});

test('RRSIG signer name is lower-cased in canonical form (RFC 4034 §6.2)', () => {
  const w = rdataFromText(RRType.RRSIG, RFC4034_3_3.replace('example.com.', 'EXAMPLE.Com.'));
  assert.match(rdataToText(RRType.RRSIG, w), / 2642 EXAMPLE\.Com\. /);
  assert.equal(toHex(canonicalRdata(RRType.RRSIG, w)), toHex(rdataFromText(RRType.RRSIG, RFC4034_3_3)));
});

test('malformed RRSIG is rejected with typed errors', () => {
  const bad = [
    'NOTATYPE 5 3 86400 20030322173103 20030220173103 2642 example.com. AA==',
    'A 5 3 86400 20030231173103 20030220173103 2642 example.com. AA==',
    'A 5 3 86400 4294967296 20030220173103 2642 example.com. AA==',
    'A 5 256 86400 20030322173103 20030220173103 2642 example.com. AA==',
    'A 5 3 86400 20030322173103 20030220173103 2642 example.com.',
    'A 5 3 86400 20030322173103 20030220173103 2642 example.com. **',
  ];
  for (const b of bad) assert.throws(() => rdataFromText(RRType.RRSIG, b), { code: 'ZONE_BAD_RDATA' }, b);
  assert.throws(() => decodeRdata(RRType.RRSIG, hex('0001 05 03 00015180 3e7c9dd7 3e5510d7 0a52 00')), { code: 'WIRE_SHORT' });
  // a compression pointer in the signer name is not allowed (RFC 4034 §3.1.7)
  assert.throws(() => decodeRdata(RRType.RRSIG, hex('0001 05 03 00015180 3e7c9dd7 3e5510d7 0a52 c000 aa')), { code: 'WIRE_COMPRESSION_NOT_ALLOWED' });
});

test('RRSIG codec agrees in all directions (property)', () => {
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  assertCodecProperty(
    RRSIG,
    fc.record({
      typeCovered: fc.integer({ min: 0, max: 0xffff }),
      algorithm: fc.integer({ min: 0, max: 255 }),
      labels: fc.integer({ min: 0, max: 255 }),
      originalTtl: u32,
      expiration: u32,
      inception: u32,
      keyTag: fc.integer({ min: 0, max: 0xffff }),
      signerName: arbName,
      signature: fc.uint8Array({ minLength: 1, maxLength: 200 }),
    }),
  );
});
