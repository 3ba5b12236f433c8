// Zones signed by Signet pass BIND's dnssec-verify, ldns-verify-zone and Knot's kzonecheck, for algorithms 8, 13
// and 15 with NSEC, NSEC3 and NSEC3 opt-out, on a zone with delegations, glue, an ENT, a wildcard and a foreign key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signZone, type DenialOptions } from '../../src/dnssec/index.js';
import { SystemClock } from '../../src/util/index.js';
import { requirePeer, runPeer, tempDir } from '../support/peers.js';
import { FIXTURE_ORIGIN, fixtureKeys, fixtureZone, zoneText } from '../support/signing-fixture.js';

const DENIALS: Record<string, DenialOptions> = {
  nsec: { nsec: true },
  nsec3: { nsec3: {} },
  nsec3optout: { nsec3: { optOut: true } },
};

for (const alg of [8, 13, 15]) {
  for (const [dname, denial] of Object.entries(DENIALS)) {
    test(`alg ${alg} ${dname}: dnssec-verify, ldns-verify-zone and kzonecheck accept the signed zone`, async (t) => {
      const dv = requirePeer(t, 'dnssec-verify');
      const lv = requirePeer(t, 'ldns-verify-zone');
      const kz = requirePeer(t, 'kzonecheck');
      if (!dv || !lv || !kz) return;
      const keys = await fixtureKeys(alg);
      const now = Math.floor(new SystemClock().now() / 1000);
      const signed = signZone(fixtureZone(keys.foreign), { origin: FIXTURE_ORIGIN, keys: { ksks: [keys.ksk], zsks: [keys.zsk] }, now, denial, serialPolicy: 'increment' });
      const file = join(tempDir(t), 'example.zone');
      writeFileSync(file, zoneText(signed));
      const b = runPeer(dv, ['-o', 'example.', file]);
      assert.equal(b.status, 0, `dnssec-verify: ${b.stdout}${b.stderr}`);
      const l = runPeer(lv, [file]);
      assert.equal(l.status, 0, `ldns-verify-zone: ${l.stdout}${l.stderr}`);
      const k = runPeer(kz, ['-o', 'example.', '-d', 'on', file]);
      assert.equal(k.status, 0, `kzonecheck: ${k.stdout}${k.stderr}`);
    });
  }
}
