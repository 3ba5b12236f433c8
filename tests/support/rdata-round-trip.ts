// Test helpers for RDATA codecs: text↔wire conversion through the registry and a fast-check property that
// a codec's four directions agree (encode∘decode and parse∘present are identities on wire bytes).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Name, RdataTokens, WireReader, WireWriter, rdataFromText, rdataToText, type RdataCodec } from '../../src/wire/index.js';
import { fromHex, toHex } from '../../src/util/index.js';

/** Wire RDATA for presentation `text` of `type` (relative names against `origin`, default "example."). */
export function wireOf(type: number, text: string, origin: Name = Name.parse('example.')): Uint8Array {
  return rdataFromText(type, text, origin);
}

/** Hex of the wire RDATA for `text` (lower case, no spaces). */
export function hexOf(type: number, text: string, origin?: Name): string {
  return toHex(wireOf(type, text, origin));
}

/** Bytes from hex written with spaces, as RFCs print them. */
export function hex(s: string): Uint8Array {
  const v = fromHex(s.replace(/\s+/g, ''));
  if (!v) throw new Error(`bad hex in test: ${s}`);
  return v;
}

/** text → wire → text → wire gives the same wire twice, and wire → text → wire is the identity. */
export function assertRoundTrips(type: number, text: string, origin?: Name): string {
  const w1 = wireOf(type, text, origin);
  const t1 = rdataToText(type, w1);
  const w2 = wireOf(type, t1, origin);
  assert.equal(toHex(w2), toHex(w1), `wire differs after a text round trip of "${text}" (presented as "${t1}")`);
  assert.equal(rdataToText(type, w2), t1);
  return t1;
}

/** Encode `v` with `codec`. */
export function encodeWith<T>(codec: RdataCodec<T>, v: T): Uint8Array {
  const w = new WireWriter({ initialSize: 64 });
  codec.encode(w, v, { compress: false, canonical: false });
  return w.finish();
}

/** Decode `b` with `codec`, requiring every octet to be read. */
export function decodeWith<T>(codec: RdataCodec<T>, b: Uint8Array): T {
  return new WireReader(b).within(b.length, codec.mnemonic, (r) => codec.decode(r));
}

/** Property: for any generated value, decode(encode(v)) re-encodes identically and so does parse(present(v)). */
export function assertCodecProperty<T>(codec: RdataCodec<T>, arb: fc.Arbitrary<T>, numRuns = 300): void {
  fc.assert(
    fc.property(arb, (v) => {
      const b = encodeWith(codec, v);
      const back = encodeWith(codec, decodeWith(codec, b));
      assert.equal(toHex(back), toHex(b));
      const text = codec.present(decodeWith(codec, b));
      const t = RdataTokens.fromString(text);
      const parsed = codec.parse(t, { origin: undefined });
      t.end();
      assert.equal(toHex(encodeWith(codec, parsed)), toHex(b), `presentation "${text}" does not parse back`);
    }),
    { numRuns },
  );
}

/** Arbitrary absolute names of a few short labels (letters, digits, hyphen; mixed case). */
export const arbName: fc.Arbitrary<Name> = fc
  .array(fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/), { minLength: 0, maxLength: 4 })
  .map((labels) => (labels.length === 0 ? Name.ROOT : Name.parse(labels.join('.') + '.')));

/** Arbitrary non-empty byte strings. */
export const arbBytes = (min = 1, max = 64): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: min, maxLength: max });
