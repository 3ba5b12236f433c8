// The persisted outbox as the dispatcher sees it. src/store implements it over SQL; MemoryOutbox is the
// in-process implementation. Both must pass the contract suite in tests/support/outbox-contract.ts.
import type { OutboxEntry, OutboxEvent } from './outbox-event.js';

/** How long a claimed row stays invisible to other claims by default: longer than any one send can take. */
export const OUTBOX_CLAIM_LEASE_MS = 10 * 60_000;

/**
 * The outbox store. Rules every implementation keeps (the contract suite checks them):
 * - `enqueue` inserts each event as `pending`, `attempts` 0, `nextAttemptAt` = `createdAt`, unless an entry with the
 *   same `dedupeKey` already exists in any state — then that event is skipped. It returns the events it inserted.
 *   SQL: a UNIQUE index on `dedupe_key` with `ON CONFLICT DO NOTHING`.
 * - `claimDue(now, limit, leaseMs)` atomically takes up to `limit` `pending` rows with `nextAttemptAt <= now`, earliest
 *   `nextAttemptAt` first (then `createdAt`, then `id`), increments their `attempts` and sets `nextAttemptAt` to
 *   `now + leaseMs`, so a concurrent claim does not see them and a crash mid-send retries them after the lease.
 *   It returns the rows as they are after the claim. SQL: `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`
 *   on PostgreSQL, one transaction on SQLite.
 * - `markSent(id, now)` sets `status` `sent` and `sentAt`; it is idempotent.
 * - `markFailed(id, now, error, nextAttemptAt)` records `lastError`; with a number the row stays `pending` until
 *   then, with `null` it becomes `failed` for good. It never changes a row that is already `sent`.
 *
 * A table that fits (one row per OutboxEntry field): `id TEXT PRIMARY KEY, type TEXT, zone TEXT, dedupe_key TEXT
 * UNIQUE, target_channel TEXT ('email'|'webhook'), target TEXT (address or endpoint name), payload JSON/TEXT,
 * created_at, status TEXT, attempts INTEGER, next_attempt_at, last_error TEXT NULL, sent_at NULL`, instants as
 * BIGINT ms, and an index on `(status, next_attempt_at)` for `claimDue`.
 */
export interface OutboxPort {
  enqueue(events: readonly OutboxEvent[]): Promise<readonly OutboxEvent[]>;
  claimDue(now: number, limit: number, leaseMs?: number): Promise<readonly OutboxEntry[]>;
  markSent(id: string, now: number): Promise<void>;
  markFailed(id: string, now: number, error: string, nextAttemptAt: number | null): Promise<void>;
}
