// SystemClock: a sleep longer than Node's timer limit neither warns nor wakes early, and still aborts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TIMER_MS, SystemClock } from './clock.js';

test('SystemClock.sleep beyond 2^31 − 1 ms waits (no TimeoutOverflowWarning, no early wake) and aborts', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w.name);
  };
  process.on('warning', onWarning);
  try {
    const ctl = new AbortController();
    let woke = false;
    const sleeping = new SystemClock().sleep(MAX_TIMER_MS * 12, ctl.signal).then(
      () => {
        woke = true;
      },
      (e: unknown) => e,
    );
    // a few turns of the event loop: an overflowed timer would have fired after 1 ms
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(woke, false);
    ctl.abort(new Error('stop'));
    assert.equal(((await sleeping) as Error).message, 'stop');
    assert.deepEqual(warnings.filter((w) => w === 'TimeoutOverflowWarning'), []);
  } finally {
    process.off('warning', onWarning);
  }
});
