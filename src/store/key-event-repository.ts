// The append-only audit log of key events: who did what to which key of which zone, why and when. There is no
// update or delete here, and triggers (migration 0002) refuse them in the database as well.
import { run } from './repo-context.js';
import type { RepoContext } from './repo-context.js';
import type { Selectable } from 'kysely';
import type { KeyEventsTable } from './schema.js';

/** A fact to record. */
export interface NewKeyEvent {
  readonly zone: string;
  readonly keyId?: string;
  /** What happened (`create-key`, `publish-dnskey`, `rollover-requested`, `emergency-ksk-rollover`, ...). */
  readonly event: string;
  /** Who: a user, an API token's owner, or `engine` for the scheduler. */
  readonly actor: string;
  readonly reason?: string;
  readonly data?: Readonly<Record<string, string | number | boolean | null>>;
  readonly at: number;
}

/** A recorded fact. */
export interface KeyEventRecord extends NewKeyEvent {
  readonly id: number;
  readonly data: Readonly<Record<string, string | number | boolean | null>>;
}

function fromRow(r: Selectable<KeyEventsTable>): KeyEventRecord {
  return {
    id: r.id,
    zone: r.zone,
    ...(r.key_id === null ? {} : { keyId: r.key_id }),
    event: r.event,
    actor: r.actor,
    ...(r.reason === null ? {} : { reason: r.reason }),
    data: JSON.parse(r.data) as Record<string, string | number | boolean | null>,
    at: r.at,
  };
}

/** Append and read; nothing else. */
export class KeyEventRepository {
  readonly #ctx: RepoContext;
  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Record an event; returns its id (ids grow in append order). */
  async append(e: NewKeyEvent): Promise<number> {
    const r = await run(this.#ctx, (db) =>
      db
        .insertInto('key_events')
        .values({ zone: e.zone, key_id: e.keyId ?? null, event: e.event, actor: e.actor, reason: e.reason ?? null, data: JSON.stringify(e.data ?? {}), at: e.at })
        .returning('id')
        .executeTakeFirstOrThrow(),
    );
    return r.id;
  }

  /** A zone's events in append order, optionally for one key, after an id (for paging), or at most `limit`. */
  async list(zone: string, opts: { keyId?: string; afterId?: number; limit?: number } = {}): Promise<KeyEventRecord[]> {
    const rows = await run(this.#ctx, (db) => {
      let q = db.selectFrom('key_events').selectAll().where('zone', '=', zone);
      if (opts.keyId !== undefined) q = q.where('key_id', '=', opts.keyId);
      if (opts.afterId !== undefined) q = q.where('id', '>', opts.afterId);
      q = q.orderBy('id');
      if (opts.limit !== undefined) q = q.limit(opts.limit);
      return q.execute();
    });
    return rows.map(fromRow);
  }
}
