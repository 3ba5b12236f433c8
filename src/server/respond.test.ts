// Request bytes to response bytes: malformed packets, QDCOUNT 0 and 2, unknown opcodes, EDNS sizes and versions,
// duplicate OPT, responses sent as requests, and random bytes — the right RCODE, never an exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeMessage, encodeMessage, makeQuery, Name, Rcode, RRType, WireWriter } from '../wire/index.js';
import { ZoneModel } from '../zone/index.js';
import { respondToWire, ServedZone, ZoneSet } from './index.js';
import { zoneLines } from '../../tests/support/zone-lines.js';

const origin = Name.parse('test.');
const zones = ZoneSet.of([
  ServedZone.build(ZoneModel.build(zoneLines([
    'test. 3600 IN SOA ns1.test. host.test. 1 3600 600 86400 300',
    'test. 3600 IN NS ns1.test.',
    'ns1.test. 3600 IN A 192.0.2.1',
    ...Array.from({ length: 60 }, (_, i) => `big.test. 3600 IN TXT "${'y'.repeat(50)}${i}"`),
  ], origin).records, origin)),
]);

/** A raw query: header fields as given, then `questions` copies of (test., A, IN), then `extra` octets. */
function raw(opts: { id?: number; flags?: number; qd?: number; ar?: number; questions?: number; extra?: readonly number[] }): Uint8Array {
  const w = new WireWriter();
  w.u16(opts.id ?? 0xbeef);
  w.u16(opts.flags ?? 0);
  w.u16(opts.qd ?? opts.questions ?? 1);
  w.u16(0);
  w.u16(0);
  w.u16(opts.ar ?? 0);
  for (let i = 0; i < (opts.questions ?? 1); i++) {
    w.name(origin, { compress: false });
    w.u16(RRType.A);
    w.u16(1);
  }
  for (const b of opts.extra ?? []) w.u8(b);
  return w.finish();
}
const OPT = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0];

function reply(bytes: Uint8Array, transport: 'udp' | 'tcp' = 'udp'): ReturnType<typeof decodeMessage> {
  const r = respondToWire(zones, bytes, transport);
  assert.ok(r, 'a response');
  return decodeMessage(r);
}

test('a well-formed query is answered', () => {
  const m = reply(raw({}));
  assert.equal(m.rcode, Rcode.NOERROR);
  assert.equal(m.id, 0xbeef);
  assert.equal(m.answer.length, 0);
  assert.equal(m.flags.aa, true);
});

test('QDCOUNT 0 and 2 are FORMERR', () => {
  assert.equal(reply(raw({ questions: 0 })).rcode, Rcode.FORMERR);
  assert.equal(reply(raw({ questions: 2 })).rcode, Rcode.FORMERR);
});

test('a header promising more than is there is FORMERR with the ID echoed', () => {
  const m = reply(raw({ qd: 3, questions: 1, id: 0x1234, flags: 0x0100 }));
  assert.equal(m.rcode, Rcode.FORMERR);
  assert.equal(m.id, 0x1234);
  assert.equal(m.flags.rd, true);
  assert.equal(m.question.length, 0);
  // a name running past the end
  const cut = raw({}).slice(0, 16);
  assert.equal(reply(cut).rcode, Rcode.FORMERR);
  // trailing garbage
  assert.equal(reply(raw({ extra: [1, 2, 3] })).rcode, Rcode.FORMERR);
});

test('two OPT records are FORMERR (RFC 6891 §6.1.1)', () => {
  assert.equal(reply(raw({ ar: 2, extra: [...OPT, ...OPT] })).rcode, Rcode.FORMERR);
  assert.equal(reply(raw({ ar: 1, extra: OPT })).rcode, Rcode.NOERROR);
});

test('unknown and unsupported opcodes are NOTIMP', () => {
  for (const op of [1, 2, 3, 5, 6, 7, 15]) {
    const m = reply(raw({ flags: op << 11 }));
    assert.equal(m.rcode, Rcode.NOTIMP, `opcode ${op}`);
    assert.equal(m.flags.opcode, op);
  }
});

test('EDNS version 1 is BADVERS; huge and tiny UDP sizes are capped and floored', () => {
  const v1 = [0, 0, 41, 0x04, 0xd0, 0, 1, 0, 0, 0, 0];
  assert.equal(reply(raw({ ar: 1, extra: v1 })).rcode, Rcode.BADVERS);
  const huge = encodeMessage(makeQuery('big.test.', RRType.TXT, { udpSize: 65535 }));
  const r = respondToWire(zones, huge, 'udp')!;
  assert.ok(r.length <= 1232);
  assert.equal(decodeMessage(r).flags.tc, true);
  assert.equal(decodeMessage(respondToWire(zones, huge, 'tcp')!).answer.length, 60);
  const tiny = encodeMessage(makeQuery('ns1.test.', RRType.A, { udpSize: 1 }));
  assert.equal(decodeMessage(respondToWire(zones, tiny, 'udp')!).answer.length, 1);
});

test('responses and runts get no answer', () => {
  assert.equal(respondToWire(zones, raw({ flags: 0x8000 }), 'udp'), null);
  assert.equal(respondToWire(zones, new Uint8Array(11), 'udp'), null);
  assert.equal(respondToWire(zones, new Uint8Array(0), 'tcp'), null);
});

test('property: random bytes never throw; any response decodes and echoes the ID', () => {
  const base = raw({ ar: 1, extra: OPT });
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.tuple(fc.nat(base.length - 1), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, junk]) => {
      const b = base.slice();
      b.set(junk.subarray(0, b.length - at), at);
      return b;
    })), (bytes) => {
      const r = respondToWire(zones, bytes, 'udp');
      if (r === null) return;
      assert.equal(r[0], bytes[0]);
      assert.equal(r[1], bytes[1]);
      decodeMessage(r);
    }),
    { numRuns: 3000 },
  );
});
