// Migration 0004: the settings table — small named values the service keeps between runs (the offline enforcer's
// simulated clock of `signet time leap`). Values are JSON text; times are bigint ms as everywhere.
import type { Kysely, Migration } from 'kysely';

/** Migration 0004 (same on both dialects). */
export function settingsTable(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
