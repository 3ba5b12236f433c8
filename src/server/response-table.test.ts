// ResponseTable keeps whole responses off the JS heap: whatever it gives back is the response last stored for
// exactly that request and transport (with the request's ID), across index growth and generation turnover, and a
// view it handed out keeps its bytes (ID aside) after later entries are added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ResponseTable } from './response-table.js';

type Op = { key: number; tcp: boolean; id: number; len: number; store: boolean };

/** A request: header with `id`, then bytes derived from `key` (several lengths, shared prefixes). */
function requestOf(key: number, id: number): Uint8Array {
  const n = 12 + (key % 7) * 3;
  const b = new Uint8Array(n);
  b[0] = id >>> 8;
  b[1] = id & 0xff;
  b[2] = key >>> 8;
  b[3] = key & 0xff;
  for (let i = 4; i < n; i++) b[i] = (key * 31 + (i > 8 ? i : 0)) & 0xff;
  return b;
}

/** A response for `key`: bytes that identify the key, the transport and a version. */
function responseOf(key: number, tcp: boolean, len: number, version: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 2; i < len; i++) b[i] = (key + i * 7 + (tcp ? 101 : 0) + version * 13) & 0xff;
  return b;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  key: fc.integer({ min: 0, max: 300 }),
  tcp: fc.boolean(),
  id: fc.integer({ min: 0, max: 0xffff }),
  len: fc.integer({ min: 12, max: 3000 }),
  store: fc.boolean(),
});

test('response table: a hit is the response stored for exactly that request and transport, with the ID of the request', () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 3 }), (ops, maxEntries, mib) => {
      const table = new ResponseTable(maxEntries, mib * 1024 * 1024);
      // what was stored last per (key, transport): the table may have forgotten it, never mixed it up
      const stored = new Map<string, Uint8Array>();
      const views: { view: Uint8Array; want: Uint8Array }[] = [];
      let version = 0;
      for (const op of ops) {
        const req = requestOf(op.key, op.id);
        const k = `${op.key}|${op.tcp}`;
        if (op.store) {
          const resp = responseOf(op.key, op.tcp, op.len, version++);
          const before = table.get(req, op.tcp);
          table.set(req, op.tcp, resp);
          // set keeps the first response of a request (the general path gives the same bytes each time)
          if (before === undefined) {
            stored.set(k, resp);
            const now = table.get(req, op.tcp);
            assert.ok(now, 'a response just stored is found');
          }
        }
        const got = table.get(req, op.tcp);
        const want = stored.get(k);
        if (got !== undefined) {
          assert.ok(want, 'a hit for a request never stored');
          assert.equal(got[0], op.id >>> 8);
          assert.equal(got[1], op.id & 0xff);
          assert.deepEqual(got.subarray(2), want.subarray(2));
          views.push({ view: got, want });
        }
      }
      // views handed out earlier still hold their response (their ID octets belong to the entry's last hit)
      for (const v of views) assert.deepEqual(v.view.subarray(2), v.want.subarray(2));
      assert.ok(table.size <= 2 * maxEntries);
    }),
    { numRuns: 200 },
  );
});

test('response table: entries survive index growth, and the old generation is dropped after two turnovers', () => {
  const table = new ResponseTable(5000);
  for (let k = 0; k < 5000; k++) table.set(requestOf(k, 0), false, responseOf(k, false, 40, 0));
  for (let k = 0; k < 5000; k++) assert.deepEqual(table.get(requestOf(k, 7), false)?.subarray(2), responseOf(k, false, 40, 0).subarray(2), `key ${k}`);
  assert.equal(table.get(requestOf(1, 7), true), undefined, 'the transport is part of the key');
  // too long to keep
  table.set(requestOf(9999, 0), false, new Uint8Array(17 * 1024));
  assert.equal(table.get(requestOf(9999, 0), false), undefined);
  const small = new ResponseTable(10);
  for (let k = 0; k < 30; k++) small.set(requestOf(k, 0), false, responseOf(k, false, 40, 0));
  assert.equal(small.get(requestOf(0, 0), false), undefined, 'two turnovers later, the first entries are gone');
  assert.ok(small.get(requestOf(29, 0), false));
  assert.ok(small.size <= 20);
});
