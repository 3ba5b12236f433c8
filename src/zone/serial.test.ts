import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nextSerial, serialAdd, serialCompare, soaMinimum, soaSerial, withSoaSerial } from './serial.js';
import { rdataFromText, RRType, Name } from '../wire/index.js';

test('serialCompare follows RFC 1982 §3.2, including wrap-around and the undefined half-way point', () => {
  assert.equal(serialCompare(1, 2), -1);
  assert.equal(serialCompare(2, 1), 1);
  assert.equal(serialCompare(7, 7), 0);
  // RFC 1982 §5.2 (SERIAL_BITS = 32 by analogy with the 8-bit examples): 255 < 0 in 8 bits ⇒ 2^32−1 < 0 here
  assert.equal(serialCompare(0xffffffff, 0), -1);
  assert.equal(serialCompare(0, 0xffffffff), 1);
  assert.equal(serialCompare(0xfffffff0, 5), -1);
  assert.equal(serialCompare(0, 0x7fffffff), -1);
  assert.equal(serialCompare(0, 0x80000000), undefined);
  assert.equal(serialCompare(0x80000000, 0), undefined);
  assert.equal(serialCompare(0, 0x80000001), 1);
});

test('serialAdd wraps modulo 2^32 and refuses increments outside 0 … 2^31−1 (RFC 1982 §3.1)', () => {
  assert.equal(serialAdd(0xffffffff, 1), 0);
  assert.equal(serialAdd(0xfffffffe, 5), 3);
  assert.throws(() => serialAdd(1, 0x80000000), { code: 'ZONE_BAD_SERIAL' });
});

test('nextSerial policies', () => {
  const jan1 = Date.UTC(2024, 0, 1, 12, 0, 0) / 1000;
  assert.equal(nextSerial('keep', 42, jan1), 42);
  assert.equal(nextSerial('increment', 42, jan1), 43);
  assert.equal(nextSerial('increment', 0xffffffff, jan1), 0);
  assert.equal(nextSerial('unixtime', 42, jan1), jan1);
  // a serial already ahead of the clock only moves by one
  assert.equal(nextSerial('unixtime', jan1 + 100, jan1), jan1 + 101);
  assert.equal(nextSerial('date', 2023123199, jan1), 2024010100);
  assert.equal(nextSerial('date', 2024010100, jan1), 2024010101);
  assert.equal(nextSerial('date', 2024010199, jan1), 2024010200);
  // 5 is less than 2024010100 in serial arithmetic, so the date wins
  assert.equal(nextSerial('date', 5, jan1), 2024010100);
  // 4171428212 is more than 2^31 above 2024010100, so it counts as ahead of the date: increment instead
  assert.equal(nextSerial('date', 4171428212, jan1), 4171428213);
});

test('property: no policy ever moves the serial backwards (RFC 1982)', () => {
  fc.assert(
    fc.property(fc.constantFrom('keep', 'increment', 'unixtime', 'date' as const), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 4102444800 }), (policy, cur, now) => {
      const n = nextSerial(policy, cur, now);
      const c = serialCompare(n, cur);
      if (policy === 'keep') return c === 0;
      return c === 1;
    }),
  );
});

test('SOA serial and minimum are read and replaced in place', () => {
  const rd = rdataFromText(RRType.SOA, 'ns1.example. hostmaster.example. 2024010101 7200 3600 1209600 300', Name.parse('example.'));
  assert.equal(soaSerial(rd), 2024010101);
  assert.equal(soaMinimum(rd), 300);
  const bumped = withSoaSerial(rd, 4000000000);
  assert.equal(soaSerial(bumped), 4000000000);
  assert.equal(soaMinimum(bumped), 300);
  assert.equal(soaSerial(rd), 2024010101);
});
