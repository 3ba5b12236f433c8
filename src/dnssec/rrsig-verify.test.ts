// One-signature checks: RFC 1982 serial arithmetic on RRSIG times (RFC 4034 §3.1.5), the in-place RRSIG view, and
// the published RFC 5702 / 6605 / 8080 signatures verifying through the key table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRdata, encodeRdata, Name, RRClass, RRType, type RRSIG } from '../wire/index.js';
import { fromBase64 } from '../util/index.js';
import { encodeDnskeyRdata } from './dnskey-rdata.js';
import { checkSignature, readRrsig, serialBefore, signatureTimeStatus, ZoneKeyTable } from './rrsig-verify.js';
import { KEY_EXAMPLES, rrsigTime } from '../../tests/fixtures/dnssec-rfc-vectors.js';

test('serial-number order of 32-bit times (RFC 1982 §3.2)', () => {
  assert.equal(serialBefore(0, 1), true);
  assert.equal(serialBefore(1, 0), false);
  assert.equal(serialBefore(5, 5), false);
  // wrap-around: 2^32-1 precedes 0, and 0 precedes 2^31-1
  assert.equal(serialBefore(0xffffffff, 0), true);
  assert.equal(serialBefore(0, 0x7fffffff), true);
  // exactly 2^31 apart is undefined (RFC 1982 §3.2): neither precedes
  assert.equal(serialBefore(0, 0x80000000), false);
  assert.equal(serialBefore(0x80000000, 0), false);
});

test('validity window: inclusive at both ends, and across the 2106 wrap', () => {
  assert.equal(signatureTimeStatus(100, 200, 100), 'valid');
  assert.equal(signatureTimeStatus(100, 200, 200), 'valid');
  assert.equal(signatureTimeStatus(100, 200, 201), 'expired');
  assert.equal(signatureTimeStatus(100, 200, 99), 'not-yet-valid');
  // signed just before 2^32 seconds, expiring after the wrap; checked after the wrap (now ≥ 2^32)
  assert.equal(signatureTimeStatus(0xfffff000, 0x00001000, 2 ** 32 + 0x10), 'valid');
  assert.equal(signatureTimeStatus(0xfffff000, 0x00001000, 2 ** 32 + 0x2000), 'expired');
});

test('published RFC signatures verify through ZoneKeyTable; a flipped octet, another tag or the wrong time do not', () => {
  let checked = 0;
  for (const ex of KEY_EXAMPLES) {
    if (!ex.signed) continue;
    const s = ex.signed.rrsig;
    const rrsig: RRSIG = {
      typeCovered: s.typeCovered, algorithm: s.algorithm, labels: s.labels, originalTtl: s.originalTtl, expiration: rrsigTime(s.expiration),
      inception: rrsigTime(s.inception), keyTag: s.keyTag, signerName: Name.parse(s.signer), signature: fromBase64(s.signature)!,
    };
    const rdata = encodeRdata(RRType.RRSIG, rrsig);
    const view = readRrsig(rdata)!;
    const decoded = decodeRdata<RRSIG>(RRType.RRSIG, rdata);
    assert.deepEqual({ ...view, signerName: view.signerName.toString(), signature: [...view.signature] }, { ...decoded, signerName: decoded.signerName.toString(), signature: [...decoded.signature] });
    const keys = new ZoneKeyTable([encodeDnskeyRdata({ flags: ex.flags, protocol: 3, algorithm: ex.algorithm, publicKey: fromBase64(ex.publicKey)! })]);
    const owner = Name.parse(ex.signed.owner);
    const r = checkSignature(keys, view, owner, RRClass.IN, [ex.signed.rdata]);
    assert.ok(r.ok, ex.name);
    assert.equal(signatureTimeStatus(view.inception, view.expiration, view.inception + 1), 'valid');
    assert.equal(signatureTimeStatus(view.inception, view.expiration, view.expiration + 1), 'expired');
    const bad = rdata.slice();
    bad[bad.length - 1]! ^= 0x40;
    assert.deepEqual(checkSignature(keys, readRrsig(bad)!, owner, RRClass.IN, [ex.signed.rdata]), { ok: false, why: 'bad' }, ex.name);
    assert.deepEqual(checkSignature(keys, { ...view, keyTag: (view.keyTag + 1) & 0xffff }, owner, RRClass.IN, [ex.signed.rdata]), { ok: false, why: 'no-key' });
    checked++;
  }
  assert.ok(checked >= 6);
});

test('malformed RRSIG RDATA reads as undefined', () => {
  assert.equal(readRrsig(new Uint8Array(10)), undefined);
  const noSig = Uint8Array.of(0, 1, 13, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 7, 101, 120, 97, 109, 112, 108, 101, 0);
  assert.equal(readRrsig(noSig), undefined, 'no signature octets');
  const pointer = Uint8Array.of(0, 1, 13, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0xc0, 12, 1, 2, 3);
  assert.equal(readRrsig(pointer), undefined, 'compressed signer name');
});
