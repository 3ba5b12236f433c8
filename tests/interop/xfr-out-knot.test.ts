// Knot DNS as a secondary of Signet: NOTIFY (TSIG), AXFR with TSIG, IXFR after a journaled change, and a
// secondary without the key refused (NOTAUTH).
import { test } from 'node:test';
import { startKnotSecondary } from '../support/secondaries.js';
import { transferScenario } from '../support/xfr-out-scenario.js';

test('Knot secondary: NOTIFY, AXFR and IXFR from Signet with TSIG; refused without the key', async (t) => {
  await transferScenario(t, startKnotSecondary, { expectIxfr: true });
});
