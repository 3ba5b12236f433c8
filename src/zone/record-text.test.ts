// RecordTextWriter must write exactly recordToText's lines: random records of the fast-path types (names with
// escapes, RRSIG, NSEC, DS/CDS of every digest length, A) and of the fallback types, through buffers small enough
// to flush in the middle of a line, compared octet for octet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Name, recordToText, RRType, wireNameLength, type ResourceRecord } from '../wire/index.js';
import { RecordTextWriter } from './record-text.js';

const labelArb = fc.oneof(
  fc.constantFrom('www', 'ns1', 'a-b', 'xn--bcher-kva', '*', 'Mixed', '_tcp'),
  fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => Buffer.from(b).toString('latin1')),
);
const nameArb = fc.array(labelArb, { maxLength: 4 }).map((labels) => Name.fromLabels(labels.map((l) => Uint8Array.from(Buffer.from(l, 'latin1')))));
const wire = (n: Name): Uint8Array => n.wire;

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

const u16 = (v: number): Uint8Array => Uint8Array.of(v >> 8, v & 255);
const u32 = (v: number): Uint8Array => Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);

const rrsigArb = fc
  .tuple(fc.constantFrom(1, 2, 6, 43, 46, 47, 65280), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 127 }), fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 65535 }), nameArb, fc.uint8Array({ minLength: 1, maxLength: 70 }))
  .map(([covered, alg, labels, ttl, exp, inc, tag, signer, sig]) => concat(u16(covered), Uint8Array.of(alg, labels), u32(ttl), u32(exp), u32(inc), u16(tag), wire(signer), sig));
const bitmapArb = fc.uniqueArray(fc.constantFrom(1, 2, 5, 6, 15, 16, 28, 43, 46, 47, 48, 99, 257, 1234, 65280), { maxLength: 6 }).map((types) => {
  const sorted = [...types].sort((a, b) => a - b);
  const windows = new Map<number, number[]>();
  for (const t of sorted) windows.set(t >> 8, [...(windows.get(t >> 8) ?? []), t & 255]);
  const parts: number[] = [];
  for (const [w, low] of windows) {
    const len = (Math.max(...low) >> 3) + 1;
    const bits = new Array<number>(len).fill(0);
    for (const l of low) bits[l >> 3]! |= 0x80 >> (l & 7);
    parts.push(w, len, ...bits);
  }
  return Uint8Array.from(parts);
});
const dsArb = fc.oneof(
  ...[1, 2, 4].map((dt) => fc.uint8Array({ minLength: { 1: 20, 2: 32, 4: 48 }[dt]!, maxLength: { 1: 20, 2: 32, 4: 48 }[dt]! }).map((d) => ({ dt, d }))),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((d) => ({ dt: 3, d })),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((d) => ({ dt: 200, d })),
).chain(({ dt, d }) => fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 255 })).map(([tag, alg]) => concat(u16(tag), Uint8Array.of(alg, dt), d)));

const recordArb: fc.Arbitrary<ResourceRecord> = fc
  .tuple(
    nameArb,
    fc.oneof(
      fc.tuple(fc.constantFrom(RRType.NS, RRType.CNAME, RRType.PTR, RRType.DNAME), nameArb.map(wire)),
      fc.tuple(fc.constant(RRType.RRSIG), rrsigArb),
      fc.tuple(fc.constant(RRType.NSEC), fc.tuple(nameArb, bitmapArb).map(([n, b]) => concat(n.wire, b))),
      fc.tuple(fc.constantFrom(RRType.DS, RRType.CDS), dsArb),
      fc.tuple(fc.constant(RRType.A), fc.uint8Array({ minLength: 4, maxLength: 4 })),
      fc.tuple(fc.constant(RRType.AAAA), fc.uint8Array({ minLength: 16, maxLength: 16 })),
      fc.tuple(fc.constant(RRType.TXT), fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => concat(Uint8Array.of(b.length), b))),
      fc.tuple(fc.constant(RRType.MX), fc.tuple(fc.integer({ min: 0, max: 65535 }), nameArb).map(([p, n]) => concat(u16(p), n.wire))),
      fc.tuple(fc.constant(65280), fc.uint8Array({ maxLength: 10 })),
    ),
    fc.constantFrom(1, 3, 254),
    fc.oneof(fc.constantFrom(0, 1, 9, 10, 3600, 86400), fc.nat(), fc.constant(0xffffffff)),
  )
  .map(([owner, [type, rdata], cls, ttl]) => ({ owner, type, class: cls, ttl, rdata }));

test('RecordTextWriter writes recordToText lines octet for octet, through buffers that flush mid-line', () => {
  fc.assert(
    fc.property(fc.array(recordArb, { maxLength: 40 }), fc.integer({ min: 1, max: 300 }), (records, size) => {
      const chunks: Buffer[] = [];
      const w = new RecordTextWriter((buf, length) => {
        assert.ok(length > 0, 'no empty flushes');
        chunks.push(Buffer.from(buf.subarray(0, length)));
      }, size);
      // consecutive records often share an owner object: the writer caches the owner's text; every other RRSIG
      // comes as head and signature (a RecordSink's tail), and some other record with its RDATA split anywhere
      records.forEach((rr, i) => {
        const n = rr.type === RRType.RRSIG && i % 2 === 0 ? wireNameLength(rr.rdata, 18) : -1;
        const cut = n > 0 ? 18 + n : i % 7 === 3 ? Math.floor(rr.rdata.length / 2) : -1;
        if (cut >= 0) w.add(rr.owner, rr.type, rr.class, rr.ttl, rr.rdata.subarray(0, cut), rr.rdata.subarray(cut));
        else w.add(rr.owner, rr.type, rr.class, rr.ttl, rr.rdata);
      });
      w.end();
      const want = records.map((rr) => `${recordToText(rr)}\n`).join('');
      assert.equal(Buffer.concat(chunks).toString('latin1'), want);
    }),
    { numRuns: 400 },
  );
});

test('RecordTextWriter keeps owner and signer caches right when the same object changes places', () => {
  const a = Name.parse('a.example.');
  const b = Name.parse('B.example.');
  const sig = (signer: Name): Uint8Array => concat(u16(1), Uint8Array.of(13, 2), u32(300), u32(2000000000), u32(1900000000), u16(4711), signer.wire, new Uint8Array(64).fill(7));
  const records: ResourceRecord[] = [
    { owner: a, type: RRType.RRSIG, class: 1, ttl: 300, rdata: sig(a) },
    { owner: b, type: RRType.RRSIG, class: 1, ttl: 300, rdata: sig(b) },
    { owner: a, type: RRType.RRSIG, class: 1, ttl: 300, rdata: sig(a) },
    { owner: a, type: RRType.NSEC, class: 1, ttl: 300, rdata: concat(b.wire, Uint8Array.of(0, 1, 0x40)) },
    { owner: b, type: RRType.NSEC, class: 1, ttl: 300, rdata: concat(a.wire, Uint8Array.of(0, 1, 0x40)) },
  ];
  let text = '';
  const w = new RecordTextWriter((buf, length) => (text += buf.toString('latin1', 0, length)), 64);
  for (const rr of records) w.add(rr.owner, rr.type, rr.class, rr.ttl, rr.rdata);
  w.end();
  assert.equal(text, records.map((rr) => `${recordToText(rr)}\n`).join(''));
  assert.match(text, /^B\.example\.\t300\tIN\tRRSIG\tA 13 2 300 \d{14} \d{14} 4711 B\.example\. /m);
});
