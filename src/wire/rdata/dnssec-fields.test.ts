import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rrsigTimeFromText, rrsigTimeToText } from './dnssec-fields.js';

test('RRSIG times of RFC 4034 §3.3 convert to the seconds `date -u +%s` gives', () => {
  // date -u -d '2003-03-22 17:31:03' +%s → 1048354263; '2003-02-20 17:31:03' → 1045762263
  assert.equal(rrsigTimeFromText('20030322173103'), 1048354263);
  assert.equal(rrsigTimeFromText('20030220173103'), 1045762263);
  assert.equal(rrsigTimeToText(1048354263), '20030322173103');
  assert.equal(rrsigTimeToText(0), '19700101000000');
  assert.equal(rrsigTimeToText(0xffffffff), '21060207062815');
});

test('RRSIG times accept a plain 32-bit number and reject impossible dates', () => {
  assert.equal(rrsigTimeFromText('1048354263'), 1048354263);
  assert.equal(rrsigTimeFromText('4294967295'), 0xffffffff);
  for (const bad of ['4294967296', '20030230000000', '20031301000000', '20030322243103', '21060207062816', '2003032217310', 'x', '-1', '']) {
    assert.equal(rrsigTimeFromText(bad), undefined, bad);
  }
});

test('RRSIG time text round-trips for every 32-bit value (property)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => rrsigTimeFromText(rrsigTimeToText(n)) === n));
});
