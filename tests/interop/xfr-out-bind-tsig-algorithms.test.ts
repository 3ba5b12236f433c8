// BIND as a secondary of Signet with each TSIG algorithm the issue names: the NOTIFY, BIND's signed SOA query and the
// AXFR stream are all signed with hmac-sha1, -sha256, -sha384 and -sha512 in turn, and BIND logs the TSIG it verified.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNamedSecondary } from '../support/secondaries.js';
import { firstTransfer, transferKey } from '../support/xfr-out-scenario.js';

for (const alg of ['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'] as const) {
  test(`BIND secondary: NOTIFY and AXFR from Signet signed with ${alg}`, async (t) => {
    const r = await firstTransfer(t, startNamedSecondary, transferKey(alg));
    if (!r) return;
    assert.match(r.secondary.log(), /received notify for zone 'example': TSIG 'xfr-key'/);
    assert.match(r.secondary.log(), /connected using 127\.0\.0\.1#\d+ TSIG xfr-key/);
  });
}
