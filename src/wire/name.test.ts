import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalSortKey, Name, NameError, sortByCanonicalName } from './name.js';

test('parses absolute and relative names, @ and escapes', () => {
  const origin = Name.parse('example.com.');
  assert.equal(Name.parse('www', origin).toString(), 'www.example.com.');
  assert.equal(Name.parse('@', origin).toString(), 'example.com.');
  assert.equal(Name.parse('a\\.b.example.').labelCount, 2);
  assert.equal(Name.parse('a\\.b.example.').toString(), 'a\\.b.example.');
  assert.deepEqual([...Name.parse('\\065\\032b.').labels()[0]!], [65, 32, 98]);
  assert.equal(Name.parse('\\065\\032b.').toString(), 'A\\032b.');
  assert.equal(Name.ROOT.toString(), '.');
  assert.equal(Name.parse('.').isRoot(), true);
});

test('enforces label (63) and name (255) limits and rejects empty labels', () => {
  assert.throws(() => Name.parse('a'.repeat(64) + '.'), NameError);
  Name.parse('a'.repeat(63) + '.');
  // 4 labels of 63 = 256 octets with lengths + root: too long; 3×63 + 61 fits exactly 255
  assert.throws(() => Name.parse(Array(4).fill('a'.repeat(63)).join('.') + '.'), NameError);
  assert.equal(Name.parse([...Array(3).fill('a'.repeat(63)), 'a'.repeat(61)].join('.') + '.').wire.length, 255);
  assert.throws(() => Name.parse('a..b.'), NameError);
  assert.throws(() => Name.parse('.a.'), NameError);
  assert.throws(() => Name.parse('a\\25.'), NameError);
  assert.throws(() => Name.parse('a\\256.'), NameError);
  assert.throws(() => Name.parse('rel'), NameError);
});

test('case-insensitive equality and subdomain tests', () => {
  assert.ok(Name.parse('WWW.Example.COM.').equals(Name.parse('www.example.com.')));
  assert.ok(Name.parse('a.b.example.').isSubdomainOf(Name.parse('EXAMPLE.')));
  assert.ok(!Name.parse('xexample.').isSubdomainOf(Name.parse('example.')));
  assert.ok(Name.parse('example.').isSubdomainOf(Name.ROOT));
});

test('canonical order matches RFC 4034 §6.1 example', () => {
  // the exact example list from RFC 4034 §6.1, already in canonical order
  const ordered = ['example.', 'a.example.', 'yljkjljk.a.example.', 'Z.a.example.', 'zABC.a.EXAMPLE.', 'z.example.', '\\001.z.example.', '*.z.example.', '\\200.z.example.'];
  const names = ordered.map((s) => Name.parse(s));
  const shuffled = [...names].reverse();
  shuffled.sort((a, b) => a.compare(b));
  assert.deepEqual(shuffled.map((n) => n.toString()), names.map((n) => n.toString()));
});

test('presentation round-trips for random labels (property)', () => {
  const label = fc.uint8Array({ minLength: 1, maxLength: 63 });
  fc.assert(
    fc.property(fc.array(label, { minLength: 0, maxLength: 3 }), (labels) => {
      const n = Name.fromLabels(labels);
      const back = Name.parse(n.toString());
      assert.deepEqual([...back.wire], [...n.wire]);
      assert.equal(back.compare(n), 0);
    }),
  );
});

test('canonical order is a total order consistent with equals (property)', () => {
  const label = fc.uint8Array({ minLength: 1, maxLength: 4 }).map((a) => a.map((b) => 0x41 + (b % 6)));
  const name = fc.array(label, { maxLength: 3 }).map((ls) => Name.fromLabels(ls));
  fc.assert(
    fc.property(name, name, name, (a, b, c) => {
      assert.equal(Math.sign(a.compare(b)) + Math.sign(b.compare(a)), 0);
      assert.equal(a.compare(b) === 0, a.equals(b));
      if (a.compare(b) <= 0 && b.compare(c) <= 0) assert.ok(a.compare(c) <= 0);
    }),
  );
});

test('compare, labelCount and isSubdomainOf agree whether or not label offsets are cached on the names', () => {
  const label = fc.uint8Array({ minLength: 1, maxLength: 4 }).map((a) => a.map((b) => 0x41 + (b % 6)));
  const wire = fc.array(label, { maxLength: 4 }).map((ls) => Name.fromLabels(ls).wire);
  fc.assert(
    fc.property(wire, wire, (wa, wb) => {
      // fresh names (offsets computed in scratch space) against copies whose offsets are cached by labels()
      const a = Name.fromWire(wa);
      const b = Name.fromWire(wb);
      const fresh = [Math.sign(a.compare(b)), a.labelCount, a.isSubdomainOf(b), b.isSubdomainOf(a)];
      const ca = Name.fromWire(wa);
      const cb = Name.fromWire(wb);
      ca.labels();
      cb.labels();
      assert.deepEqual([Math.sign(ca.compare(cb)), ca.labelCount, ca.isSubdomainOf(cb), cb.isSubdomainOf(ca)], fresh);
      assert.equal(Math.sign(a.compare(cb)), fresh[0]);
      assert.equal(Math.sign(ca.compare(b)), fresh[0]);
      // and against the RFC 4034 §6.1 order spelled out: compare label sequences from the right, case-folded
      const key = (w: Uint8Array): string[] => Name.fromWire(w).labels().map((l) => Buffer.from(l).toString('latin1').toLowerCase()).reverse();
      const ka = key(wa);
      const kb = key(wb);
      let want = 0;
      for (let i = 0; want === 0 && i < Math.min(ka.length, kb.length); i++) want = ka[i]! < kb[i]! ? -1 : ka[i]! > kb[i]! ? 1 : 0;
      if (want === 0) want = Math.sign(ka.length - kb.length);
      assert.equal(fresh[0], want);
    }),
  );
});

test('canonicalSortKey orders names exactly as Name.compare, and sortByCanonicalName sorts by it', () => {
  // labels from octets that stress the order: 0x00, case pairs, the escape-worthy dot, 0xff
  const label = fc.uint8Array({ minLength: 1, maxLength: 4 }).map((l) => l.map((b) => [0, 1, 0x2e, 0x41, 0x5a, 0x61, 0x7a, 0xff][b % 8]!));
  const name = fc.array(label, { maxLength: 4 }).map((labels) => Name.fromLabels(labels));
  fc.assert(
    fc.property(name, name, (a, b) => {
      const ka = canonicalSortKey(a);
      const kb = canonicalSortKey(b);
      assert.equal(ka < kb ? -1 : ka > kb ? 1 : 0, Math.sign(a.compare(b)), `${a.toString()} vs ${b.toString()}`);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.array(name, { maxLength: 50 }), (names) => {
      const sorted = sortByCanonicalName(names, (n) => n);
      assert.deepEqual(sorted.map((n) => n.toString()), [...names].sort((x, y) => x.compare(y)).map((n) => n.toString()));
    }),
  );
});
