// Adapts the store's outbox repository to messaging's OutboxPort: the store keeps rows in SQL with the port's
// semantics; only the composition root knows both sides.
import type { OutboxEntry, OutboxEvent, OutboxPort } from '../messaging/index.js';
import type { OutboxRepository } from '../store/index.js';

/** The SQL outbox as an OutboxPort (pass `store.outbox`, or a transaction's `tx.outbox` for one enqueue). */
export function storeOutbox(outbox: OutboxRepository): OutboxPort {
  return {
    enqueue: (events: readonly OutboxEvent[]) => outbox.enqueue(events),
    // rows were written from OutboxEvents, so their type, zone, target and payload have the port's shapes
    claimDue: async (now: number, limit: number, leaseMs?: number) => (await outbox.claimDue(now, limit, leaseMs)) as unknown as OutboxEntry[],
    markSent: (id: string, now: number) => outbox.markSent(id, now),
    markFailed: (id: string, now: number, error: string, nextAttemptAt: number | null) => outbox.markFailed(id, now, error, nextAttemptAt),
  };
}
