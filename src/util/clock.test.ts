// The clocks: SystemClock's long sleeps; LeapClock's flow and leaps (on a ManualClock base, so deterministic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeapClock, ManualClock, SystemClock } from './clock.js';
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

test('LeapClock: time flows with its base; a leap wakes the passed sleepers in deadline order and re-arms the rest', async () => {
  const base = new ManualClock(1_000);
  const clock = new LeapClock({ base, start: 10_000 });
  assert.equal(clock.now(), 10_000);
  const woke: string[] = [];
  const sleep = (label: string, ms: number, signal?: AbortSignal): Promise<void> =>
    clock.sleep(ms, signal).then(
      () => void woke.push(`${label}@${clock.now()}`),
      () => void woke.push(`${label} aborted`),
    );
  const a = sleep('a', 500);
  const c = sleep('c', 9_000);
  const b = sleep('b', 4_000);
  const d = sleep('d', 100_000);
  const stop = new AbortController();
  const e = sleep('e', 50_000, stop.signal);
  assert.equal(clock.nextWake(), 10_500);
  // wall time passes: only `a` is due
  await base.advance(500);
  await a;
  assert.deepEqual(woke, ['a@10500']);
  // a leap past b and c wakes them in deadline order, at their own deadlines' order, and not d or e
  await clock.leap(10_000);
  await Promise.all([b, c]);
  assert.deepEqual(woke, ['a@10500', 'b@20500', 'c@20500']);
  assert.equal(clock.now(), 20_500);
  assert.equal(clock.offset, 20_500 - 1_500);
  stop.abort();
  await e;
  assert.deepEqual(woke.slice(3), ['e aborted']);
  // d was re-armed for what is left (110_000 - 20_500 of wall time), not for its original 100_000
  await base.advance(89_499);
  assert.equal(woke.length, 4);
  await base.advance(1);
  await d;
  assert.deepEqual(woke.slice(4), ['d@110000']);
  // leaping backwards does nothing
  await clock.leapTo(5);
  assert.equal(clock.now(), 110_000);
});
