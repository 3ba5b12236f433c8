import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { concatBytes, toHex } from '../../util/index.js';
import { Name } from '../name.js';
import { RRType } from '../types.js';
import { rdataFromText, rdataToText, decodeRdata } from '../record.js';
import { codec as DNSKEY, type DNSKEY as DnskeyValue } from './dnskey.js';
import { codec as CDNSKEY } from './cdnskey.js';
import { assertCodecProperty, assertRoundTrips, hex } from '../../../tests/support/rdata-round-trip.js';

/** Key tag per RFC 4034 Appendix B (algorithm 1 aside). */
function keyTag(rdata: Uint8Array): number {
  let ac = 0;
  for (let i = 0; i < rdata.length; i++) ac += i & 1 ? rdata[i]! : rdata[i]! << 8;
  ac += (ac >> 16) & 0xffff;
  return ac & 0xffff;
}

// RFC 4034 §2.3 (BIND's named-compilezone also reports this key as id=2642)
const RFC4034_2_3 =
  '256 3 5 ( AQPSKmynfzW4kyBv015MUG2DeIQ3 Cbl+BBZH4b/0PY1kxkmvHjcZc8no kfzj31GajIQKY+5CptLr3buXA10h WqTkF7H6RfoRqXQeogmMHfpftf6z Mv1LyBUgia7za6ZEzOJBOztyvhjL 742iU/TpPSEDhm2SNKLijfUppn1U aNvv4w== )';
// RFC 4034 §5.4: dskey.example.com.'s key (key id 60485) and its SHA-1 DS digest
const RFC4034_5_4_KEY =
  '256 3 5 AQOeiiR0GOMYkDshWoSKz9Xz fwJr1AYtsmx3TGkJaNXVbfi/ 2pHm822aJ5iI9BMzNXxeYCmZ DRD99WYwYqUSdjMmmAphXdvx egXd/M5+X7OrzKBaMbCVdFLU Uh6DhweJBjEVv5f2wwjM9Xzc nOf+EPbtG9DMBmADjFDc2w/r ljwvFw==';

const strip = (s: string): string => s.replace(/[()]/g, ' ');

test('DNSKEY of RFC 4034 §2.3: wire layout and key tag 2642', () => {
  const w = rdataFromText(RRType.DNSKEY, strip(RFC4034_2_3));
  assert.equal(toHex(w.subarray(0, 4)), '01000305');
  assert.equal(w.length, 4 + 1 + 1 + 128); // RFC 3110: exponent length octet, exponent 3 (one octet), 1024-bit modulus
  assert.equal(toHex(w.subarray(4, 6)), '0103');
  assert.equal(keyTag(w), 2642);
  const v = decodeRdata<DnskeyValue>(RRType.DNSKEY, w);
  assert.deepEqual([v.flags, v.protocol, v.algorithm], [256, 3, 5]);
});

test('DNSKEY of RFC 4034 §5.4: key tag 60485 and SHA-1 digest 2BB183AF… over owner|RDATA', () => {
  const w = rdataFromText(RRType.DNSKEY, RFC4034_5_4_KEY);
  assert.equal(keyTag(w), 60485);
  const digest = createHash('sha1').update(concatBytes([Name.parse('dskey.example.com.').wire, w])).digest('hex');
  assert.equal(digest.toUpperCase(), '2BB183AF5F22588179A53B0A98631FAD1A292118');
});

test('DNSKEY text round trips, mnemonic algorithms, single-token base64 on output', () => {
  const t = assertRoundTrips(RRType.DNSKEY, strip(RFC4034_2_3));
  assert.match(t, /^256 3 5 AQPSKmynfzW4kyBv015MUG2DeIQ3Cbl\+BBZH4b\/0PY1kxkmvHjcZc8no[^ ]*==$/);
  assert.equal(rdataToText(RRType.DNSKEY, rdataFromText(RRType.DNSKEY, '257 3 RSASHA256 AwEAAQ==')), '257 3 8 AwEAAQ==');
  assert.equal(rdataToText(RRType.DNSKEY, rdataFromText(RRType.DNSKEY, '257 3 ed25519 AwEAAQ==')), '257 3 15 AwEAAQ==');
});

test('CDNSKEY delete form 0 3 0 AA== (RFC 8078 §4)', () => {
  const w = rdataFromText(RRType.CDNSKEY, '0 3 0 AA==');
  assert.deepEqual(w, hex('0000 03 00 00'));
  assert.equal(rdataToText(RRType.CDNSKEY, w), '0 3 0 AA==');
});

test('malformed DNSKEY is rejected with typed errors', () => {
  for (const bad of ['256 3 5', '256 3 5 !!!!', '65536 3 5 AA==', '256 256 5 AA==', '256 3 NOSUCHALG AA==', '256 3 5 A']) {
    assert.throws(() => rdataFromText(RRType.DNSKEY, bad), { code: 'ZONE_BAD_RDATA' }, bad);
  }
  assert.throws(() => decodeRdata(RRType.DNSKEY, hex('0100 03')), { code: 'WIRE_SHORT' });
  assert.throws(() => decodeRdata(RRType.DNSKEY, hex('0100 03 05')), { code: 'WIRE_SHORT' });
});

test('DNSKEY and CDNSKEY codecs agree in all directions (property)', () => {
  const arb = fc.record({
    flags: fc.integer({ min: 0, max: 0xffff }),
    protocol: fc.integer({ min: 0, max: 255 }),
    algorithm: fc.integer({ min: 0, max: 255 }),
    publicKey: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  });
  assertCodecProperty(DNSKEY, arb);
  assertCodecProperty(CDNSKEY, arb, 50);
});
