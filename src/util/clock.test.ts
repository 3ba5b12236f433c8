// The clocks: SystemClock's long sleeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SystemClock } from './clock.js';
test('SystemClock sleeps longer than setTimeout can (2^31-1 ms) without firing early', async () => {
  const clock = new SystemClock();
  const stop = new AbortController();
  let settled = 'pending';
  const p = clock.sleep(365 * 86_400_000, stop.signal).then(
    () => (settled = 'resolved'),
    () => (settled = 'aborted'),
  );
  // with a bare setTimeout the delay overflows to 1 ms; give it far longer than that
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(settled, 'pending');
  stop.abort();
  await p;
  assert.equal(settled, 'aborted');
});
