// The contract every OutboxPort implementation passes (MemoryOutbox here; the SQL outbox in src/store): dedupe on
// enqueue, due-order claims that lease rows, sent rows never claimed again, failures with backoff or for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutboxEvent, OutboxPort } from '../../src/messaging/index.js';

/** Builds a fresh, empty port for one test; `cleanup` runs after it. */
export type OutboxFactory = () => Promise<{ port: OutboxPort; cleanup?: () => Promise<void> }>;

const T0 = Date.UTC(2026, 0, 1);

function ev(n: number, createdAt = T0, dedupe = `fact-${n}|email:tech@example.gov`): OutboxEvent {
  return {
    id: `dlv_${String(n).padStart(4, '0')}`,
    type: 'zone.status_changed',
    zone: 'example.gov',
    dedupeKey: dedupe,
    target: { channel: 'email', to: 'tech@example.gov' },
    payload: { zone: 'example.gov', to: 'SOA_QUERY_FAILED', nested: { a: [1, 'x', null, true] } },
    createdAt,
  };
}

/** Registers the contract tests for `name` with node:test. */
export function outboxContract(name: string, make: OutboxFactory): void {
  const withPort = (title: string, body: (port: OutboxPort) => Promise<void>): void => {
    test(`${name} outbox contract: ${title}`, async () => {
      const { port, cleanup } = await make();
      try {
        await body(port);
      } finally {
        await cleanup?.();
      }
    });
  };

  withPort('enqueue skips a dedupe key already present, in any state', async (port) => {
    assert.deepEqual((await port.enqueue([ev(1), ev(2)])).map((e) => e.id), ['dlv_0001', 'dlv_0002']);
    assert.deepEqual(await port.enqueue([ev(1)]), []);
    // same dedupe key under another id is the same fact
    assert.deepEqual(await port.enqueue([{ ...ev(3), dedupeKey: ev(1).dedupeKey }]), []);
    const [a] = await port.claimDue(T0, 1, 1000);
    await port.markSent(a!.id, T0);
    assert.deepEqual(await port.enqueue([ev(1)]), []);
  });

  withPort('claimDue returns due rows earliest first, with payload intact, attempts counted, and leases them', async (port) => {
    await port.enqueue([ev(1, T0 + 2000), ev(2, T0), ev(3, T0 + 1000), ev(4, T0 + 99_000)]);
    const first = await port.claimDue(T0 + 5000, 2, 60_000);
    assert.deepEqual(first.map((e) => e.id), ['dlv_0002', 'dlv_0003']);
    const e = first[0]!;
    assert.equal(e.status, 'pending');
    assert.equal(e.attempts, 1);
    assert.equal(e.nextAttemptAt, T0 + 5000 + 60_000);
    assert.deepEqual(e.target, { channel: 'email', to: 'tech@example.gov' });
    assert.deepEqual(e.payload, ev(2).payload);
    assert.equal(e.type, 'zone.status_changed');
    assert.equal(e.zone, 'example.gov');
    assert.equal(e.createdAt, T0);
    // leased rows are not claimed again; the third due one is
    assert.deepEqual((await port.claimDue(T0 + 5000, 10, 60_000)).map((x) => x.id), ['dlv_0001']);
    assert.deepEqual(await port.claimDue(T0 + 5000, 10, 60_000), []);
    // after the lease runs out an unmarked row comes back, attempts counted again
    const again = await port.claimDue(T0 + 5000 + 60_000, 10, 60_000);
    assert.deepEqual(again.map((x) => [x.id, x.attempts]), [['dlv_0002', 2], ['dlv_0003', 2], ['dlv_0001', 2]]);
  });

  withPort('markSent is final and idempotent; a later markFailed does not undo it', async (port) => {
    await port.enqueue([ev(1)]);
    const [a] = await port.claimDue(T0, 10, 1000);
    await port.markSent(a!.id, T0 + 10);
    await port.markSent(a!.id, T0 + 20);
    await port.markFailed(a!.id, T0 + 30, 'late failure', T0 + 40);
    assert.deepEqual(await port.claimDue(T0 + 10 * 86_400_000, 10, 1000), []);
  });

  withPort('markFailed with a next attempt keeps the row pending until then; with null it is failed for good', async (port) => {
    await port.enqueue([ev(1), ev(2)]);
    const claimed = await port.claimDue(T0, 10, 1000);
    assert.equal(claimed.length, 2);
    await port.markFailed('dlv_0001', T0 + 1, 'WEBHOOK_HTTP_STATUS: 500', T0 + 30_000);
    await port.markFailed('dlv_0002', T0 + 1, 'MAIL_REJECTED: 550', null);
    assert.deepEqual(await port.claimDue(T0 + 29_999, 10, 1000), []);
    const back = await port.claimDue(T0 + 30_000, 10, 1000);
    assert.deepEqual(back.map((e) => [e.id, e.attempts, e.lastError]), [['dlv_0001', 2, 'WEBHOOK_HTTP_STATUS: 500']]);
    await port.markSent('dlv_0001', T0 + 30_001);
    // dlv_0002 stays failed: never claimed again
    assert.deepEqual(await port.claimDue(T0 + 10 * 86_400_000, 10, 1000), []);
  });

  withPort('limit 0 claims nothing', async (port) => {
    await port.enqueue([ev(1)]);
    assert.deepEqual(await port.claimDue(T0, 0, 1000), []);
    assert.equal((await port.claimDue(T0, 1, 1000)).length, 1);
  });
}
