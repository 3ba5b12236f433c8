// The dispatcher's loop and its delivery guarantees, on a ManualClock with an in-memory channel: one send per
// fact and target across re-enqueues, restarts and concurrent dispatchers; the one documented duplicate (a crash
// between a successful send and markSent) carries the same delivery id; the run loop sleeps on the clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureLogger } from '../../tests/support/capture-logger.js';
import { ManualClock } from '../util/index.js';
import {
  MemoryOutbox,
  MessagingError,
  OutboxDispatcher,
  DEFAULT_RETRY_POLICY,
  notificationFromStatusChange,
  outboxEventsFor,
  retryDelay,
  enqueueNotifications,
} from './index.js';
import type { DeliveryChannel, OutboxEntry, OutboxPort } from './index.js';

const T0 = Date.UTC(2026, 6, 1);
const ROUTING = { technicalContacts: ['tech@example.gov'], webhooks: [{ endpoint: 'registrar' }] };

function change(n: number) {
  return notificationFromStatusChange({ zone: 'example.gov', to: n % 2 ? 'SOURCE_FAILED_XFER' : 'SOA_QUERY_FAILED', at: T0 + n * 1000, changeId: `h${n}` });
}

/** A channel that records what it was given; `fail` decides per call. */
class RecordingChannel implements DeliveryChannel {
  readonly sent: { id: string; attempt: number; now: number }[] = [];
  fail: (e: OutboxEntry) => Error | undefined = () => undefined;
  async deliver(entry: OutboxEntry, now: number): Promise<void> {
    const err = this.fail(entry);
    if (err) throw err;
    this.sent.push({ id: entry.id, attempt: entry.attempts, now });
  }
}

/** Lets pending promise callbacks and I/O-free work run (bounded; no wall-clock timing). */
async function settle(until: () => boolean = () => false): Promise<void> {
  for (let i = 0; i < 200 && !until(); i++) await new Promise<void>((r) => setImmediate(r));
}

test('backoff: base × factor^(n−1), capped; the default policy is 30 s doubling to 1 h over 12 attempts', () => {
  const p = DEFAULT_RETRY_POLICY;
  assert.deepEqual([1, 2, 3, 7, 8, 9, 50].map((n) => retryDelay(p, n)), [30_000, 60_000, 120_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000]);
  assert.equal(p.maxAttempts, 12);
});

test('the same fact enqueued again, a second pass, and a restarted dispatcher send nothing twice', async () => {
  const clock = new ManualClock(T0);
  const outbox = new MemoryOutbox();
  const email = new RecordingChannel();
  const webhook = new RecordingChannel();
  assert.equal((await enqueueNotifications(outbox, [0, 1, 2].map(change), ROUTING, clock.now())).length, 6);
  // the pipeline re-reports the same status changes after a restart: nothing new is queued
  for (let n = 0; n < 3; n++) assert.deepEqual(await outbox.enqueue(outboxEventsFor(change(n), ROUTING, clock.now() + 1)), []);
  const d1 = new OutboxDispatcher({ outbox, clock, channels: { email, webhook } });
  assert.deepEqual(await d1.dispatchDue(), { claimed: 6, sent: 6, retrying: 0, failed: 0 });
  assert.equal((await d1.dispatchDue()).claimed, 0);
  // restart: a new process, a new dispatcher, the same stored rows
  const reopened = new MemoryOutbox(outbox.entries());
  const d2 = new OutboxDispatcher({ outbox: reopened, clock, channels: { email, webhook } });
  await clock.advance(86_400_000);
  assert.equal((await d2.dispatchDue()).claimed, 0);
  assert.equal(email.sent.length, 3);
  assert.equal(webhook.sent.length, 3);
  assert.equal(new Set([...email.sent, ...webhook.sent].map((s) => s.id)).size, 6);
});

test('two dispatchers on one outbox never send the same entry twice (claims lease rows)', async () => {
  const clock = new ManualClock(T0);
  const outbox = new MemoryOutbox();
  for (let n = 0; n < 25; n++) await outbox.enqueue(outboxEventsFor(change(n), ROUTING, clock.now()));
  const ch = new RecordingChannel();
  const a = new OutboxDispatcher({ outbox, clock, channels: { email: ch, webhook: ch }, batchSize: 7 });
  const b = new OutboxDispatcher({ outbox, clock, channels: { email: ch, webhook: ch }, batchSize: 7 });
  for (let i = 0; i < 5; i++) await Promise.all([a.dispatchDue(), b.dispatchDue()]);
  assert.equal(ch.sent.length, 50);
  assert.equal(new Set(ch.sent.map((s) => s.id)).size, 50);
});

test('the one duplicate: sent, then the process dies before markSent — resent after the lease with the same delivery id', async () => {
  const clock = new ManualClock(T0);
  const outbox = new MemoryOutbox();
  await outbox.enqueue(outboxEventsFor(change(1), { technicalContacts: [], webhooks: [{ endpoint: 'registrar' }] }, clock.now()));
  const webhook = new RecordingChannel();
  // a store that loses the markSent (the crash): the row stays claimed until its lease ends
  const crashing: OutboxPort = {
    enqueue: (e) => outbox.enqueue(e),
    claimDue: (now, limit, lease) => outbox.claimDue(now, limit, lease),
    markSent: async () => {
      throw new Error('database connection lost');
    },
    markFailed: (id, now, err, next) => outbox.markFailed(id, now, err, next),
  };
  const log = new CaptureLogger();
  const d1 = new OutboxDispatcher({ outbox: crashing, clock, log, channels: { webhook }, leaseMs: 600_000 });
  assert.deepEqual(await d1.dispatchDue(), { claimed: 1, sent: 0, retrying: 0, failed: 0 });
  assert.equal(webhook.sent.length, 1);
  assert.ok(log.entries.some((l) => l.msg === 'notification sent but not marked; it is sent again when its lease ends'));
  // the restarted dispatcher does not see it before the lease ends, then sends it again: same id, attempt 2
  const d2 = new OutboxDispatcher({ outbox, clock, channels: { webhook }, leaseMs: 600_000 });
  await clock.advance(599_999);
  assert.equal((await d2.dispatchDue()).claimed, 0);
  await clock.advance(1);
  assert.equal((await d2.dispatchDue()).sent, 1);
  assert.deepEqual(webhook.sent.map((s) => [s.id, s.attempt]), [[webhook.sent[0]!.id, 1], [webhook.sent[0]!.id, 2]]);
  assert.equal((await d2.dispatchDue()).claimed, 0);
});

test('run(): passes on the clock, sleeps between them, wakes early on wake(), stops on abort', async () => {
  const clock = new ManualClock(T0);
  const outbox = new MemoryOutbox();
  const ch = new RecordingChannel();
  let failures = 1;
  ch.fail = () => (failures-- > 0 ? new MessagingError('WEBHOOK_HTTP_STATUS', 'answered 503', {}, false) : undefined);
  const d = new OutboxDispatcher({ outbox, clock, channels: { email: ch, webhook: ch }, pollIntervalMs: 5000, retry: { baseDelayMs: 20_000 } });
  const ac = new AbortController();
  const loop = d.run(ac.signal);
  await settle(() => clock.nextWake() !== undefined);
  assert.equal(clock.nextWake(), T0 + 5000, 'idle: sleeps one poll interval');

  await outbox.enqueue(outboxEventsFor(change(1), { technicalContacts: ['tech@example.gov'] }, clock.now()));
  d.wake();
  await settle(() => outbox.entries()[0]!.attempts === 1 && clock.nextWake() !== undefined);
  assert.equal(ch.sent.length, 0, 'first attempt failed');
  assert.equal(outbox.entries()[0]!.nextAttemptAt, T0 + 20_000);

  // poll ticks before the retry is due find nothing; the tick at 20 s sends it
  await clock.advance(19_999);
  await settle();
  assert.equal(ch.sent.length, 0);
  await clock.advance(1);
  await settle(() => ch.sent.length === 1);
  assert.deepEqual(ch.sent.map((s) => [s.attempt, s.now]), [[2, T0 + 20_000]]);
  assert.equal(outbox.entries()[0]!.status, 'sent');

  ac.abort();
  await loop;
  assert.equal(clock.nextWake(), undefined, 'the sleep was cancelled');
});

test('run(): a full batch is followed at once by the next pass', async () => {
  const clock = new ManualClock(T0);
  const outbox = new MemoryOutbox();
  for (let n = 0; n < 10; n++) await outbox.enqueue(outboxEventsFor(change(n), { technicalContacts: ['tech@example.gov'] }, clock.now()));
  const ch = new RecordingChannel();
  const d = new OutboxDispatcher({ outbox, clock, channels: { email: ch }, batchSize: 3 });
  const ac = new AbortController();
  const loop = d.run(ac.signal);
  await settle(() => ch.sent.length === 10 && clock.nextWake() !== undefined);
  assert.equal(ch.sent.length, 10);
  assert.ok(ch.sent.every((s) => s.now === T0), 'all sent without the clock moving');
  ac.abort();
  await loop;
});

test('an entry whose channel is not configured fails for good with OUTBOX_NO_CHANNEL', async () => {
  const clock = new ManualClock(T0);
  const outbox = new MemoryOutbox();
  await outbox.enqueue(outboxEventsFor(change(1), ROUTING, clock.now()));
  const d = new OutboxDispatcher({ outbox, clock, channels: { email: new RecordingChannel() } });
  assert.deepEqual(await d.dispatchDue(), { claimed: 2, sent: 1, retrying: 0, failed: 1 });
  assert.match(outbox.entries().find((e) => e.status === 'failed')!.lastError!, /^OUTBOX_NO_CHANNEL: /);
});
