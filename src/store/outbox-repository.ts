// The notification outbox, with the semantics of messaging's OutboxPort: events are enqueued in the same
// transaction as the state change that raised them and deduplicated by key; a sender claims due rows (counting an
// attempt and leasing them), then marks each sent (final) or failed (retry at a time, or given up).
import { atomically, run } from './repo-context.js';
import type { RepoContext } from './repo-context.js';
import type { OutboxTable } from './schema.js';

/** Default claim lease: longer than any one send can take (messaging's OUTBOX_CLAIM_LEASE_MS). */
export const DEFAULT_OUTBOX_LEASE_MS = 10 * 60_000;

/** An event to send (structurally a messaging OutboxEvent). */
export interface NewOutboxMessage {
  /** Stable id, derived from the dedupe key by the caller. */
  readonly id: string;
  /** `dnssec.rotation_start`, `zone.status_changed`, ... */
  readonly type: string;
  readonly zone?: string;
  /** Same fact (and target), same key: a second enqueue is skipped, whatever the first row's state. */
  readonly dedupeKey: string;
  /** Where it goes (JSON-compatible), if the caller routes per row. */
  readonly target?: unknown;
  readonly payload: unknown;
  /** Enqueue time; also the first attempt time. */
  readonly createdAt: number;
}

/** Delivery state of a row. */
export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** A stored outbox row (structurally a messaging OutboxEntry, with `type` as a plain string). */
export interface OutboxMessage extends NewOutboxMessage {
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError?: string;
  readonly sentAt?: number;
}

function fromRow(r: OutboxTable): OutboxMessage {
  return {
    id: r.id,
    type: r.event_type,
    ...(r.zone === null ? {} : { zone: r.zone }),
    dedupeKey: r.dedupe_key,
    ...(r.target === null ? {} : { target: JSON.parse(r.target) as unknown }),
    payload: JSON.parse(r.payload) as unknown,
    createdAt: r.created_at,
    status: r.status === 'sent' ? 'sent' : r.status === 'failed' ? 'failed' : 'pending',
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    ...(r.last_error === null ? {} : { lastError: r.last_error }),
    ...(r.sent_at === null ? {} : { sentAt: r.sent_at }),
  };
}

/** The outbox. */
export class OutboxRepository {
  readonly #ctx: RepoContext;
  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Insert each event as pending, skipping any whose id or dedupe key is already there; returns those inserted. */
  async enqueue<E extends NewOutboxMessage>(events: readonly E[]): Promise<E[]> {
    if (events.length === 0) return [];
    return atomically(this.#ctx, async (db) => {
      const added: E[] = [];
      for (const e of events) {
        const r = await db
          .insertInto('outbox')
          .values({
            id: e.id,
            event_type: e.type,
            dedupe_key: e.dedupeKey,
            zone: e.zone ?? null,
            target: e.target === undefined ? null : JSON.stringify(e.target),
            payload: JSON.stringify(e.payload ?? null),
            created_at: e.createdAt,
            status: 'pending',
            attempts: 0,
            next_attempt_at: e.createdAt,
            sent_at: null,
            last_error: null,
          })
          .onConflict((oc) => oc.doNothing())
          .returning('id')
          .executeTakeFirst();
        if (r) added.push(e);
      }
      return added;
    });
  }

  /**
   * Atomically take up to `limit` pending rows due at `now` (earliest next attempt, then creation, then id), count
   * an attempt on each and lease it until `now + leaseMs`: a concurrent claim skips them, and a sender that dies
   * mid-send gets them retried after the lease. Returns the rows as they are after the claim.
   */
  async claimDue(now: number, limit: number, leaseMs: number = DEFAULT_OUTBOX_LEASE_MS): Promise<OutboxMessage[]> {
    if (limit <= 0) return [];
    return atomically(this.#ctx, async (db) => {
      let q = db
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit);
      // PostgreSQL: concurrent claimers skip each other's rows; SQLite has one writer at a time anyway
      if (this.#ctx.kind === 'postgres') q = q.forUpdate().skipLocked();
      const ids = (await q.execute()).map((r) => r.id);
      if (ids.length === 0) return [];
      await db
        .updateTable('outbox')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: now + leaseMs }))
        .where('id', 'in', ids)
        .execute();
      const rows = await db.selectFrom('outbox').selectAll().where('id', 'in', ids).execute();
      const order = new Map(ids.map((id, i) => [id, i]));
      return rows.map(fromRow).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    });
  }

  /** The row was delivered: final, idempotent (an unknown id is ignored). */
  async markSent(id: string, now: number): Promise<void> {
    await run(this.#ctx, (db) => db.updateTable('outbox').set({ status: 'sent', sent_at: now }).where('id', '=', id).where('status', '<>', 'sent').execute());
  }

  /**
   * A delivery attempt failed: keep the error; retry at `nextAttemptAt`, or — with null — give up for good. A row
   * already sent is never changed.
   */
  async markFailed(id: string, _now: number, error: string, nextAttemptAt: number | null): Promise<void> {
    await run(this.#ctx, (db) =>
      db
        .updateTable('outbox')
        .set(nextAttemptAt === null ? { last_error: error, status: 'failed' } : { last_error: error, next_attempt_at: nextAttemptAt })
        .where('id', '=', id)
        .where('status', '<>', 'sent')
        .execute(),
    );
  }

  /** One row, or undefined. */
  async get(id: string): Promise<OutboxMessage | undefined> {
    const r = await run(this.#ctx, (db) => db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst());
    return r ? fromRow(r) : undefined;
  }

  /** Rows still pending (the queue depth metric). */
  async pendingCount(): Promise<number> {
    const r = await run(this.#ctx, (db) =>
      db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow(),
    );
    return Number(r.n);
  }
}
