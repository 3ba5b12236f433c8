// Every status a zone went through, oldest first (appended by ZoneRepository.setStatus and create).
import { run } from './repo-context.js';
import type { RepoContext } from './repo-context.js';
import type { StatusChange } from './zone-repository.js';

/** One entry of a zone's status history. */
export interface StatusEntry {
  readonly id: number;
  readonly zone: string;
  readonly status: string;
  readonly reason?: string;
  readonly data?: unknown;
  readonly at: number;
}

/** Status history by zone. */
export class StatusHistoryRepository {
  readonly #ctx: RepoContext;
  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Append an entry (prefer ZoneRepository.setStatus, which also updates the zone). */
  async append(zone: string, change: StatusChange, at: number): Promise<number> {
    const r = await run(this.#ctx, (db) =>
      db
        .insertInto('zone_status_history')
        .values({ zone, status: change.status, reason: change.reason ?? null, data: change.data === undefined ? null : JSON.stringify(change.data), at })
        .returning('id')
        .executeTakeFirstOrThrow(),
    );
    return r.id;
  }

  /** A zone's history, oldest first; `limit` keeps the newest entries. */
  async list(zone: string, opts: { limit?: number } = {}): Promise<StatusEntry[]> {
    const rows = await run(this.#ctx, (db) => {
      let q = db.selectFrom('zone_status_history').selectAll().where('zone', '=', zone).orderBy('id', 'desc');
      if (opts.limit !== undefined) q = q.limit(opts.limit);
      return q.execute();
    });
    return rows.reverse().map((r) => ({ id: r.id, zone: r.zone, status: r.status, ...(r.reason === null ? {} : { reason: r.reason }), ...(r.data === null ? {} : { data: JSON.parse(r.data) as unknown }), at: r.at }));
  }
}
