// Migration 0008: a partial index over the live keys (not yet removed) in the order the planner reads them — by
// zone, oldest first — so the enforcer's tick and full recompute read only live keys without a sort.
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';

/** Migration 0008 (same on both dialects: SQLite and PostgreSQL both have partial indexes). */
export function planningIndex(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('keys_live_idx')
        .on('keys')
        .columns(['zone', 'created_at', 'id'])
        .where(sql.ref('removed_at'), 'is', null)
        .execute();
    },
  };
}
