// OutboxPort held in memory: for tests, the CLI and single-process use without a database.
import type { OutboxEntry, OutboxEvent } from './outbox-event.js';
import { OUTBOX_CLAIM_LEASE_MS } from './outbox-port.js';
import type { OutboxPort } from './outbox-port.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** An in-memory outbox. Construct it from `entries()` of another to model a restart with the same contents. */
export class MemoryOutbox implements OutboxPort {
  readonly #rows = new Map<string, Mutable<OutboxEntry>>();
  readonly #byDedupe = new Map<string, string>();

  constructor(initial: readonly OutboxEntry[] = []) {
    for (const e of initial) {
      this.#rows.set(e.id, { ...e });
      this.#byDedupe.set(e.dedupeKey, e.id);
    }
  }

  async enqueue(events: readonly OutboxEvent[]): Promise<readonly OutboxEvent[]> {
    const added: OutboxEvent[] = [];
    for (const e of events) {
      if (this.#byDedupe.has(e.dedupeKey) || this.#rows.has(e.id)) continue;
      this.#rows.set(e.id, { ...e, status: 'pending', attempts: 0, nextAttemptAt: e.createdAt });
      this.#byDedupe.set(e.dedupeKey, e.id);
      added.push(e);
    }
    return added;
  }

  async claimDue(now: number, limit: number, leaseMs: number = OUTBOX_CLAIM_LEASE_MS): Promise<readonly OutboxEntry[]> {
    const due = [...this.#rows.values()]
      .filter((r) => r.status === 'pending' && r.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, Math.max(0, limit));
    return due.map((r) => {
      r.attempts += 1;
      r.nextAttemptAt = now + leaseMs;
      return { ...r };
    });
  }

  async markSent(id: string, now: number): Promise<void> {
    const r = this.#rows.get(id);
    if (!r || r.status === 'sent') return;
    r.status = 'sent';
    r.sentAt = now;
  }

  async markFailed(id: string, _now: number, error: string, nextAttemptAt: number | null): Promise<void> {
    const r = this.#rows.get(id);
    if (!r || r.status === 'sent') return;
    r.lastError = error;
    if (nextAttemptAt === null) r.status = 'failed';
    else r.nextAttemptAt = nextAttemptAt;
  }

  /** A copy of every row, in insertion order. */
  entries(): OutboxEntry[] {
    return [...this.#rows.values()].map((r) => ({ ...r }));
  }

  /** A copy of one row. */
  get(id: string): OutboxEntry | undefined {
    const r = this.#rows.get(id);
    return r ? { ...r } : undefined;
  }
}
