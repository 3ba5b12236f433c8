import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RRType } from '../types.js';
import { decodeRdata, rdataFromText, rdataToText } from '../record.js';
import { codec as TSIG, tsigErrorFromText, tsigErrorToText, type TSIG as TsigValue } from './tsig.js';
import { arbName, assertCodecProperty, assertRoundTrips, hex } from '../../../tests/support/rdata-round-trip.js';

const MAC = 'q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=';

test('TSIG wire layout (RFC 8945 §4.2) and BIND-style presentation', () => {
  const text = `hmac-sha256. 1700000000 300 32 ${MAC} 4660 NOERROR 0`;
  const w = rdataFromText(RRType.TSIG, text);
  assert.deepEqual(
    w,
    hex(`0b 686d61632d736861323536 00  0000 6553f100  012c  0020 ${Buffer.from(MAC, 'base64').toString('hex')}  1234  0000  0000`),
  );
  assert.equal(rdataToText(RRType.TSIG, w), text);
});

test('TSIG BADTIME with other data (the server time, RFC 8945 §5.2.3); MAC split across fields', () => {
  const text = `hmac-sha1. 281474976710655 300 0 4660 BADTIME 6 AABlU/EA`;
  const w = rdataFromText(RRType.TSIG, text);
  const v = decodeRdata<TsigValue>(RRType.TSIG, w);
  assert.equal(v.timeSigned, 2 ** 48 - 1);
  assert.equal(v.error, 18);
  assert.deepEqual(v.other, hex('0000 6553f100'));
  assert.equal(assertRoundTrips(RRType.TSIG, text), text);
  const split = rdataFromText(RRType.TSIG, `hmac-sha256. 1700000000 300 32 ${MAC.slice(0, 20)} ${MAC.slice(20)} 4660 16 0`);
  assert.equal(rdataToText(RRType.TSIG, split), `hmac-sha256. 1700000000 300 32 ${MAC} 4660 BADSIG 0`);
});

test('TSIG error mnemonics', () => {
  assert.equal(tsigErrorToText(17), 'BADKEY');
  assert.equal(tsigErrorToText(4000), '4000');
  assert.equal(tsigErrorFromText('badalg'), 21);
  assert.equal(tsigErrorFromText('65536'), undefined);
});

test('malformed TSIG is rejected with typed errors', () => {
  for (const bad of [
    `hmac-sha256. 281474976710656 300 32 ${MAC} 4660 NOERROR 0`,
    `hmac-sha256. 1700000000 300 31 ${MAC} 4660 NOERROR 0`,
    `hmac-sha256. 1700000000 300 32 ${MAC} 4660 NOSUCH 0`,
    `hmac-sha256. 1700000000 300 32 ${MAC} 4660 NOERROR`,
    `hmac-sha256. 1700000000 300 32 ${MAC} 4660 NOERROR 0 extra`,
  ]) {
    assert.throws(() => rdataFromText(RRType.TSIG, bad), { code: 'ZONE_BAD_RDATA' }, bad);
  }
  assert.throws(() => decodeRdata(RRType.TSIG, hex('00 0000 6553f100 012c 0020 00')), { code: 'WIRE_SHORT' });
});

test('TSIG codec agrees in all directions (property)', () => {
  assertCodecProperty(
    TSIG,
    fc.record({
      algorithm: arbName,
      timeSigned: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
      fudge: fc.integer({ min: 0, max: 0xffff }),
      mac: fc.uint8Array({ maxLength: 64 }),
      originalId: fc.integer({ min: 0, max: 0xffff }),
      error: fc.integer({ min: 0, max: 0xffff }),
      other: fc.uint8Array({ maxLength: 16 }),
    }),
  );
});
