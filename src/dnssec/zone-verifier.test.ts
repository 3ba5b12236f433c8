// verifyZone on zones that are not signed at all: the apex findings come first and nothing else is claimed.
// (Signed zones from dnssec-signzone and ldns-signzone are verified in tests/interop/zone-verify-*.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Name, RRType } from '../wire/index.js';
import { zoneLines } from '../../tests/support/zone-lines.js';
import { verifyZone } from './zone-verifier.js';

const O = Name.parse('example.');

test('an unsigned zone: VERIFY_NO_DNSKEY and nothing more', () => {
  const { records } = zoneLines(['example. 300 IN SOA ns.example. h.example. 1 2 3 4 5', 'example. 300 IN NS ns.example.', 'ns.example. 300 IN A 192.0.2.1'], O);
  const r = verifyZone(records, { origin: O, now: 0 });
  assert.equal(r.ok, false);
  assert.deepEqual(r.failures.map((f) => [f.code, f.owner.toString(), f.type]), [['VERIFY_NO_DNSKEY', 'example.', RRType.DNSKEY]]);
});

test('no records at all: no SOA and no DNSKEY', () => {
  const r = verifyZone([], { origin: O, now: 0 });
  assert.deepEqual(r.failures.map((f) => f.code), ['VERIFY_NO_SOA', 'VERIFY_NO_DNSKEY']);
  assert.equal(r.stats.names, 0);
});

test('a DNSKEY but no signatures anywhere: no self-signed KSK, every RRset unsigned, no chain', () => {
  const { records } = zoneLines([
    'example. 300 IN SOA ns.example. h.example. 1 2 3 4 5',
    'example. 300 IN NS ns.example.',
    // RFC 6605 §6.1 KSK (flags 257)
    'example. 300 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==',
    'ns.example. 300 IN A 192.0.2.1',
  ], O);
  const r = verifyZone(records, { origin: O, now: 0 });
  assert.deepEqual(r.failures.map((f) => `${f.code} ${f.owner.toString()} ${f.type}`), [
    'VERIFY_NO_KSK example. 48',
    'VERIFY_UNSIGNED example. 2',
    'VERIFY_UNSIGNED example. 6',
    'VERIFY_UNSIGNED example. 48',
    'VERIFY_UNSIGNED ns.example. 1',
    'VERIFY_NO_CHAIN example. 47',
  ]);
});
