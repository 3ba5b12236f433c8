// Property: in a zone signed by dnssec-signzone, changing any one octet of any one RRSIG's signature makes
// verifyZone fail with VERIFY_RRSIG_BAD at exactly that owner and covered type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Name, RRType } from '../../src/wire/index.js';
import { readRrsig, verifyZone } from '../../src/dnssec/index.js';
import { signedZoneRecords, signWithBind } from '../support/index.js';

const ORIGIN = Name.parse('example.');

for (const alg of [13, 8]) {
  test(`flipping a signature octet of a random RRSIG fails at that owner/type (dnssec-signzone alg ${alg}, NSEC3)`, (t) => {
    const z = signWithBind(t, alg, 'nsec3');
    if (!z) return;
    const records = signedZoneRecords(z.text, ORIGIN);
    const now = Math.floor(Date.now() / 1000);
    assert.equal(verifyZone(records, { origin: ORIGIN, now }).ok, true);
    const sigIndexes = records.flatMap((r, i) => (r.type === RRType.RRSIG ? [i] : []));
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (pick, at, mask) => {
        const i = sigIndexes[pick % sigIndexes.length]!;
        const rr = records[i]!;
        const view = readRrsig(rr.rdata)!;
        const start = rr.rdata.length - view.signature.length;
        const rdata = rr.rdata.slice();
        rdata[start + (at % view.signature.length)]! ^= mask;
        const copy = records.slice();
        copy[i] = { ...rr, rdata };
        const r = verifyZone(copy, { origin: ORIGIN, now });
        assert.equal(r.ok, false);
        const at0 = r.failures.filter((f) => f.owner.equals(rr.owner) && f.type === view.typeCovered && f.code === 'VERIFY_RRSIG_BAD');
        assert.equal(at0.length, 1, `failures: ${r.failures.map((f) => `${f.code} ${f.owner.toString()} ${f.type}`).join('; ')}`);
        // nothing else broke: a DNSKEY signature may also take its key's activity with it, nothing more
        for (const f of r.failures) assert.ok(f.owner.equals(rr.owner) || f.code === 'VERIFY_NO_KSK' || f.code === 'VERIFY_MISSING_ZSK' || f.code === 'VERIFY_MISSING_KSK', f.reason);
      }),
      { numRuns: alg === 8 ? 25 : 60 },
    );
  });
}
