// The writer's shared compression table (stamped slots instead of a Map per writer) must compress exactly as a
// plain longest-suffix table: random name lists written with compression equal a reference encoder's bytes, read
// back to the same names, and are unaffected by the writers before them; truncate forgets what it cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toHex } from '../util/index.js';
import { Name } from './name.js';
import { WireReader } from './reader.js';
import { WireWriter } from './writer.js';

/** RFC 1035 §4.1.4 by the book: each name's longest suffix seen before (ignoring case) becomes a pointer. */
function reference(names: readonly Name[]): string {
  const out: number[] = [];
  const table = new Map<string, number>();
  for (const n of names) {
    const labels = n.labels();
    let k = 0;
    for (; k < labels.length; k++) {
      const key = labels.slice(k).map((l) => Buffer.from(l).toString('latin1').toLowerCase()).join('.');
      const at = table.get(key);
      if (at !== undefined) {
        out.push(0xc0 | (at >>> 8), at & 0xff);
        break;
      }
      if (out.length < 0x4000) table.set(key, out.length);
      out.push(labels[k]!.length, ...labels[k]!);
    }
    if (k === labels.length) out.push(0);
  }
  return Buffer.from(out).toString('hex');
}

const labelArb = fc.constantFrom('a', 'B', 'www', 'ns1', 'example', 'EXAMPLE', 'gov', 'x-longer-label', 'sub');
const nameArb = fc.array(labelArb, { minLength: 0, maxLength: 5 }).map((ls) => Name.parse(ls.length === 0 ? '.' : `${ls.join('.')}.`));

test('writer: compressed names equal a longest-suffix reference and read back, whatever was written before', () => {
  fc.assert(
    fc.property(fc.array(nameArb, { minLength: 1, maxLength: 40 }), fc.array(nameArb, { maxLength: 40 }), (names, before) => {
      // an earlier writer's entries must not leak into the next one
      const w0 = new WireWriter({ compress: true });
      for (const n of before) w0.name(n, { compress: true });
      w0.finish();
      const w = new WireWriter({ compress: true });
      for (const n of names) w.name(n, { compress: true });
      const bytes = w.finish();
      assert.equal(toHex(bytes), reference(names));
      const r = new WireReader(bytes);
      for (const n of names) assert.ok(r.name('name').equals(n));
    }),
    { numRuns: 300 },
  );
});

test('writer: truncate forgets the suffixes written after the cut', () => {
  const a = Name.parse('www.example.');
  const b = Name.parse('mail.example.');
  const w = new WireWriter({ compress: true });
  w.name(Name.parse('gov.'), { compress: true });
  const cut = w.offset;
  w.name(a, { compress: true });
  w.truncate(cut);
  w.name(b, { compress: true });
  w.name(a, { compress: true });
  // after the cut, example. is first written by mail.example.; www.example. then points at it
  assert.equal(toHex(w.finish()), reference([Name.parse('gov.'), b, a]));
});
