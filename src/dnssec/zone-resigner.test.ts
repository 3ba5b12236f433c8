// signedDiff as a multiset difference (property test against a plain counting reference) and applyUnsignedDiff
// removing exactly the records named, whatever the case of their owners.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Name, RRType, type ResourceRecord } from '../wire/index.js';
import { applyUnsignedDiff, signedDiff } from './zone-resigner.js';

const OWNERS = ['a.example.', 'A.example.', 'b.example.', 'c.b.example.'];

const record = fc.record({ owner: fc.constantFrom(...OWNERS), type: fc.constantFrom(RRType.A, RRType.TXT), ttl: fc.constantFrom(300, 3600), byte: fc.integer({ min: 0, max: 3 }) }).map(
  (r): ResourceRecord => ({ owner: Name.parse(r.owner), type: r.type, class: 1, ttl: r.ttl, rdata: Uint8Array.of(192, 0, 2, r.byte) }),
);

/** The reference: count identities (owner case-folded, type, class, TTL, RDATA). */
function identity(r: ResourceRecord): string {
  return `${r.owner.toString().toLowerCase()}|${r.type}|${r.class}|${r.ttl}|${[...r.rdata].join('.')}`;
}
function minus(a: readonly ResourceRecord[], b: readonly ResourceRecord[]): string[] {
  const left = new Map<string, number>();
  for (const r of b) left.set(identity(r), (left.get(identity(r)) ?? 0) + 1);
  const out: string[] = [];
  for (const r of a) {
    const n = left.get(identity(r)) ?? 0;
    if (n > 0) left.set(identity(r), n - 1);
    else out.push(identity(r));
  }
  return out;
}

test('signedDiff is the multiset difference both ways, in list order', () => {
  fc.assert(
    fc.property(fc.array(record, { maxLength: 30 }), fc.array(record, { maxLength: 30 }), (before, after) => {
      const d = signedDiff(before, after);
      assert.deepEqual(d.added.map(identity), minus(after, before));
      assert.deepEqual(d.removed.map(identity), minus(before, after));
    }),
  );
});

test('applyUnsignedDiff removes the named records (owner case ignored), drops DNSSEC records, appends additions', () => {
  const rr = (owner: string, type: number, last: number): ResourceRecord => ({ owner: Name.parse(owner), type, class: 1, ttl: 300, rdata: Uint8Array.of(192, 0, 2, last) });
  const prev = [rr('a.example.', RRType.A, 1), rr('a.example.', RRType.A, 2), rr('b.example.', RRType.A, 1), { ...rr('b.example.', RRType.NSEC, 0), rdata: Uint8Array.of(0) }];
  const out = applyUnsignedDiff(prev, { removed: [rr('A.EXAMPLE.', RRType.A, 2)], added: [rr('c.example.', RRType.A, 9)] });
  assert.deepEqual(out.map(identity), [identity(prev[0]!), identity(prev[2]!), identity(rr('c.example.', RRType.A, 9))]);
});
