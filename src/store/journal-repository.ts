// The IXFR journal: per zone, one entry per serial change (from → to) with the diff as opaque bytes, chained by
// serial so an IXFR from any journaled serial can be answered (RFC 1995 §4).
import { atomically, fromDb, run, toDb } from './repo-context.js';
import type { RepoContext } from './repo-context.js';

/** One journal entry. */
export interface JournalEntry {
  readonly id: number;
  readonly zone: string;
  readonly serialFrom: number;
  readonly serialTo: number;
  readonly diff: Uint8Array;
  readonly createdAt: number;
}

/** Journal entries by zone. */
export class JournalRepository {
  readonly #ctx: RepoContext;
  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Append a change; STORE_DUPLICATE (field `zone,serial_from`) when a change from that serial is already there. */
  async append(zone: string, change: { serialFrom: number; serialTo: number; diff: Uint8Array }, now: number): Promise<number> {
    const r = await run(this.#ctx, (db) =>
      db
        .insertInto('journal')
        .values({ zone, serial_from: change.serialFrom, serial_to: change.serialTo, diff: toDb(change.diff), created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow(),
    );
    return r.id;
  }

  /** Every entry of the zone, oldest first. */
  async list(zone: string): Promise<JournalEntry[]> {
    const rows = await run(this.#ctx, (db) => db.selectFrom('journal').selectAll().where('zone', '=', zone).orderBy('id').execute());
    return rows.map((r) => ({ id: r.id, zone: r.zone, serialFrom: r.serial_from, serialTo: r.serial_to, diff: fromDb(r.diff), createdAt: r.created_at }));
  }

  /**
   * The chain of entries leading from `serial` to the newest entry, or undefined when `serial` is not the start of
   * an entry whose chain reaches the end (the client then needs AXFR). An empty array when `serial` is the newest.
   */
  async chainFrom(zone: string, serial: number): Promise<JournalEntry[] | undefined> {
    const all = await this.list(zone);
    const last = all[all.length - 1];
    if (!last) return undefined;
    if (last.serialTo === serial) return [];
    const start = all.findIndex((e) => e.serialFrom === serial);
    if (start < 0) return undefined;
    const chain: JournalEntry[] = [];
    let cur = serial;
    for (const e of all.slice(start)) {
      if (e.serialFrom !== cur) return undefined;
      chain.push(e);
      cur = e.serialTo;
    }
    return chain;
  }

  /** Keep only the newest `keep` entries of the zone; returns how many were deleted. */
  async trim(zone: string, keep: number): Promise<number> {
    return atomically(this.#ctx, async (db) => {
      const kept = await db.selectFrom('journal').select('id').where('zone', '=', zone).orderBy('id', 'desc').limit(Math.max(0, keep)).execute();
      let q = db.deleteFrom('journal').where('zone', '=', zone);
      if (kept.length > 0) q = q.where('id', 'not in', kept.map((k) => k.id));
      const r = await q.executeTakeFirst();
      return Number(r.numDeletedRows);
    });
  }

  /** Drop the zone's `count` oldest entries; returns how many were deleted. */
  async dropOldest(zone: string, count: number): Promise<number> {
    if (count <= 0) return 0;
    return atomically(this.#ctx, async (db) => {
      const oldest = await db.selectFrom('journal').select('id').where('zone', '=', zone).orderBy('id').limit(count).execute();
      if (oldest.length === 0) return 0;
      const r = await db.deleteFrom('journal').where('id', 'in', oldest.map((o) => o.id)).executeTakeFirst();
      return Number(r.numDeletedRows);
    });
  }

  /** Drop the zone's whole journal (after an AXFR reload breaks the chain). */
  async clear(zone: string): Promise<number> {
    const r = await run(this.#ctx, (db) => db.deleteFrom('journal').where('zone', '=', zone).executeTakeFirst());
    return Number(r.numDeletedRows);
  }
}
