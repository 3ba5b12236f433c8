import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WireFormatError } from '../../util/index.js';
import { toHex } from '../../util/index.js';
import { WireReader } from '../reader.js';
import { WireWriter } from '../writer.js';
import { RdataTokens } from './tokens.js';
import { parseTypeList, presentTypeList, readTypeBitmap, typeBitmapBytes, writeTypeBitmap } from './type-bitmap.js';

function encode(types: number[]): Uint8Array {
  const w = new WireWriter();
  writeTypeBitmap(w, types);
  return w.finish();
}
function decode(hex: string): number[] {
  const b = Uint8Array.from(Buffer.from(hex, 'hex'));
  return new WireReader(b).within(b.length, 'bitmap', (r) => readTypeBitmap(r, 'bitmap'));
}

test('bitmap of RFC 4034 §4.3 (A MX RRSIG NSEC TYPE1234)', () => {
  const expected = '0006400100000003' + '041b' + '00'.repeat(26) + '20';
  assert.equal(toHex(encode([1234, 47, 1, 46, 15, 1])), expected);
  assert.deepEqual(decode(expected), [1, 15, 46, 47, 1234]);
  assert.equal(presentTypeList([1234, 47, 1, 46, 15]), 'A MX RRSIG NSEC TYPE1234');
});

test('malformed bitmaps are rejected with WIRE_BAD_TYPE_BITMAP', () => {
  const code = (e: unknown): boolean => e instanceof WireFormatError && e.code === 'WIRE_BAD_TYPE_BITMAP';
  assert.throws(() => decode('000240' + '00'), code); // trailing zero octet
  assert.throws(() => decode('01014000' + '0140'), code); // window 0 after window 1
  assert.throws(() => decode('0000'), code); // zero-length window
  assert.throws(() => decode('0021' + '01'.repeat(33)), code); // 33 octets
  assert.throws(() => decode('000140' + '000140'), code); // repeated window
  assert.throws(() => decode('0002'), (e: unknown) => e instanceof WireFormatError && e.code === 'WIRE_SHORT');
});

test('type lists parse mnemonics and TYPEnnn, sorted and de-duplicated; unknown words are errors', () => {
  assert.deepEqual(parseTypeList(RdataTokens.fromString('rrsig A TYPE1 TYPE65535 nsec'), 'type'), [1, 46, 47, 65535]);
  assert.throws(() => parseTypeList(RdataTokens.fromString('A BOGUS'), 'type'), { code: 'ZONE_BAD_RDATA' });
});

test('bitmap encode/decode is the identity on type sets (property)', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }), (types) => {
      const sorted = [...types].sort((a, b) => a - b);
      assert.deepEqual(decode(toHex(encode(types))), sorted);
    }),
  );
});

test('typeBitmapBytes decodes back to the type set, on its one-window fast path and across windows (property)', () => {
  const small = fc.array(fc.integer({ min: 0, max: 0xff }), { maxLength: 20 });
  const any = fc.array(fc.oneof(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffff })), { maxLength: 20 });
  fc.assert(
    fc.property(fc.oneof(small, any), (types) => {
      assert.deepEqual(decode(toHex(typeBitmapBytes(types))), [...new Set(types)].sort((a, b) => a - b));
    }),
    { numRuns: 500 },
  );
  // RFC 4034 §4.3's example through the general path, and its window 0 through the fast path
  assert.equal(toHex(typeBitmapBytes([1234, 47, 1, 46, 15, 1])), '0006400100000003' + '041b' + '00'.repeat(26) + '20');
  assert.equal(toHex(typeBitmapBytes([47, 1, 46, 15, 1])), '0006400100000003');
});
