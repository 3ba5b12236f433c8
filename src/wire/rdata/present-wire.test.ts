// The presentation fast paths (presentWireName, NS/CNAME/… and NSEC `presentWire`) give exactly the text of the
// decode-then-present path, and leave malformed RDATA to it (so errors stay the same).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Name, presentLabel, presentWireName, wireNameLength } from '../name.js';
import { RRType } from '../types.js';
import { decodeRdata, rdataFromText, rdataToText } from '../record.js';
import { codecFor } from './registry.js';
import { writeTypeBitmap } from './type-bitmap.js';
import { WireWriter } from '../writer.js';

/** The label-by-label presentation Name.toString used before the fast path. */
const slowName = (n: Name): string => (n.isRoot() ? '.' : n.labels().map((l) => `${presentLabel(l)}.`).join(''));
/** decode + present, bypassing the fast path. */
const slowRdata = (type: number, rdata: Uint8Array): string => codecFor(type)!.present(decodeRdata(type, rdata));

const label = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 63 }),
  fc.stringMatching(/^[a-z0-9-]{1,20}$/).map((s) => new TextEncoder().encode(s)),
);
const name = fc.array(label, { maxLength: 6 }).filter((ls) => ls.reduce((n, l) => n + l.length + 1, 1) <= 255).map((ls) => {
  const w = new Uint8Array(ls.reduce((n, l) => n + l.length + 1, 1));
  let i = 0;
  for (const l of ls) {
    w[i] = l.length;
    w.set(l, i + 1);
    i += l.length + 1;
  }
  return Name.fromWire(w);
});

test('presentWireName equals the label-by-label presentation, escapes included', () => {
  fc.assert(
    fc.property(name, (n) => {
      assert.equal(wireNameLength(n.wire, 0), n.wire.length);
      assert.equal(presentWireName(n.wire, 0), slowName(n));
      assert.equal(n.toString(), slowName(n));
    }),
    { numRuns: 500 },
  );
  // fixed cases (RFC 4343 §2.1 escapes): a dot and a space inside labels, the root
  assert.equal(Name.parse('a\\.b.c\\032d.').toString(), 'a\\.b.c\\032d.');
  assert.equal(Name.parse('.').toString(), '.');
});

test('wireNameLength rejects pointers, long labels, truncated and over-long names', () => {
  assert.equal(wireNameLength(Uint8Array.of(1, 0x61, 0), 0), 3);
  assert.equal(wireNameLength(Uint8Array.of(0xc0, 0x0c), 0), -1);
  assert.equal(wireNameLength(Uint8Array.of(64, ...new Uint8Array(64), 0), 0), -1);
  assert.equal(wireNameLength(Uint8Array.of(3, 0x61, 0x62), 0), -1);
  const long = new Uint8Array(4 * 64 + 1);
  for (let i = 0; i < 4; i++) long[i * 64] = 63;
  assert.equal(wireNameLength(long, 0), -1);
});

test('NS, CNAME and NSEC presentWire equal decode + present; malformed RDATA still throws', () => {
  fc.assert(
    fc.property(name, fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { maxLength: 12 }), (n, types) => {
      for (const t of [RRType.NS, RRType.CNAME]) assert.equal(rdataToText(t, n.wire), slowRdata(t, n.wire));
      const w = new WireWriter({ initialSize: 64 });
      w.bytes(n.wire);
      writeTypeBitmap(w, types);
      const nsec = w.finish();
      assert.equal(codecFor(RRType.NSEC)!.presentWire!(nsec), slowRdata(RRType.NSEC, nsec));
      assert.equal(rdataToText(RRType.NSEC, nsec), slowRdata(RRType.NSEC, nsec));
    }),
    { numRuns: 500 },
  );
  const nsec = rdataFromText(RRType.NSEC, 'host.example.com. A MX RRSIG NSEC TYPE1234', Name.parse('example.com.'));
  assert.equal(rdataToText(RRType.NSEC, nsec), 'host.example.com. A MX RRSIG NSEC TYPE1234');
  // a name with trailing junk, a window out of order, a zero last octet: the fast path declines, decode throws
  assert.equal(codecFor(RRType.NS)!.presentWire!(Uint8Array.of(1, 0x61, 0, 7)), undefined);
  assert.throws(() => rdataToText(RRType.NS, Uint8Array.of(1, 0x61, 0, 7)));
  for (const bad of [Uint8Array.of(0, 1, 1, 0x40, 0, 1, 0x40), Uint8Array.of(0, 0, 2, 0x40, 0), Uint8Array.of(0, 0, 3, 0x40)]) {
    assert.equal(codecFor(RRType.NSEC)!.presentWire!(bad), undefined);
    assert.throws(() => rdataToText(RRType.NSEC, bad), { code: /^WIRE_/ });
  }
});
