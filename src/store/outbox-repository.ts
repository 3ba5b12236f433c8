// The notification outbox: events are enqueued in the same transaction as the state change that raised them,
// deduplicated by key, claimed by a sender for a lease, then marked sent or failed with the next attempt time.
import { atomically, run } from './repo-context.js';
import type { RepoContext } from './repo-context.js';
import type { OutboxTable } from './schema.js';
import { StoreError } from './store-error.js';

/** An event to send. */
export interface NewOutboxMessage {
  /** `dnssec.rotation_start`, `zone.status_changed`, ... */
  readonly eventType: string;
  /** Same fact, same key: a second enqueue is ignored (the policy KeyEvent id is a good one). */
  readonly dedupeKey: string;
  readonly zone?: string;
  readonly payload: unknown;
  /** Earliest send time; default: now. */
  readonly notBefore?: number;
}

/** A stored outbox row. */
export interface OutboxMessage {
  readonly id: number;
  readonly eventType: string;
  readonly dedupeKey: string;
  readonly zone?: string;
  readonly payload: unknown;
  readonly createdAt: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly claimedUntil?: number;
  readonly sentAt?: number;
  readonly gaveUpAt?: number;
  readonly lastError?: string;
}

function fromRow(r: Omit<OutboxTable, 'id'> & { id: number }): OutboxMessage {
  return {
    id: r.id,
    eventType: r.event_type,
    dedupeKey: r.dedupe_key,
    ...(r.zone === null ? {} : { zone: r.zone }),
    payload: JSON.parse(r.payload) as unknown,
    createdAt: r.created_at,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    ...(r.claimed_until === null ? {} : { claimedUntil: r.claimed_until }),
    ...(r.sent_at === null ? {} : { sentAt: r.sent_at }),
    ...(r.gave_up_at === null ? {} : { gaveUpAt: r.gave_up_at }),
    ...(r.last_error === null ? {} : { lastError: r.last_error }),
  };
}

/** The outbox. */
export class OutboxRepository {
  readonly #ctx: RepoContext;
  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Enqueue unless the dedupe key is already there. `inserted` is false for a duplicate; `id` is the existing row's then. */
  async enqueue(m: NewOutboxMessage, now: number): Promise<{ id: number; inserted: boolean }> {
    return atomically(this.#ctx, async (db) => {
      const r = await db
        .insertInto('outbox')
        .values({
          event_type: m.eventType,
          dedupe_key: m.dedupeKey,
          zone: m.zone ?? null,
          payload: JSON.stringify(m.payload ?? null),
          created_at: now,
          attempts: 0,
          next_attempt_at: m.notBefore ?? now,
          claimed_until: null,
          sent_at: null,
          gave_up_at: null,
          last_error: null,
        })
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (r) return { id: r.id, inserted: true };
      const existing = await db.selectFrom('outbox').select('id').where('dedupe_key', '=', m.dedupeKey).executeTakeFirstOrThrow();
      return { id: existing.id, inserted: false };
    });
  }

  /**
   * Claim up to `limit` messages due at `now` (not sent, not given up, next attempt reached, no live lease) for
   * `leaseMs`: another claimer skips them until the lease runs out (a sender that died loses its claim then).
   */
  async claimDue(now: number, opts: { limit?: number; leaseMs?: number } = {}): Promise<OutboxMessage[]> {
    const limit = opts.limit ?? 100;
    const lease = opts.leaseMs ?? 60_000;
    return atomically(this.#ctx, async (db) => {
      let q = db
        .selectFrom('outbox')
        .select('id')
        .where('sent_at', 'is', null)
        .where('gave_up_at', 'is', null)
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit);
      // PostgreSQL: concurrent claimers skip each other's rows; SQLite has one writer at a time anyway
      if (this.#ctx.kind === 'postgres') q = q.forUpdate().skipLocked();
      const ids = (await q.execute()).map((r) => r.id);
      if (ids.length === 0) return [];
      await db.updateTable('outbox').set({ claimed_until: now + lease }).where('id', 'in', ids).execute();
      const rows = await db.selectFrom('outbox').selectAll().where('id', 'in', ids).orderBy('next_attempt_at').orderBy('id').execute();
      return rows.map(fromRow);
    });
  }

  /** The message was delivered. */
  async markSent(id: number, now: number): Promise<void> {
    const r = await run(this.#ctx, (db) => db.updateTable('outbox').set({ sent_at: now, claimed_until: null }).where('id', '=', id).executeTakeFirst());
    if (r.numUpdatedRows === 0n) throw notFound(id);
  }

  /** A delivery attempt failed: count it, keep the error, retry at `nextAttemptAt` — or give up when that is undefined. */
  async markFailed(id: number, error: string, now: number, nextAttemptAt?: number): Promise<void> {
    const r = await run(this.#ctx, (db) =>
      db
        .updateTable('outbox')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_error: error,
          claimed_until: null,
          ...(nextAttemptAt === undefined ? { gave_up_at: now } : { next_attempt_at: nextAttemptAt }),
        }))
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    if (r.numUpdatedRows === 0n) throw notFound(id);
  }

  /** One message, or undefined. */
  async get(id: number): Promise<OutboxMessage | undefined> {
    const r = await run(this.#ctx, (db) => db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst());
    return r ? fromRow(r) : undefined;
  }

  /** Messages neither sent nor given up (the queue depth metric). */
  async pendingCount(): Promise<number> {
    const r = await run(this.#ctx, (db) =>
      db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('sent_at', 'is', null).where('gave_up_at', 'is', null).executeTakeFirstOrThrow(),
    );
    return Number(r.n);
  }
}

function notFound(id: number): StoreError {
  return new StoreError('STORE_NOT_FOUND', `no outbox message ${id}`, { table: 'outbox', field: 'id' }, { id });
}
