// Migration 0004: the registry's delegations — for each domain of a parent zone served by Signet (the TLD, or a
// lab root), its name servers, glue and DS set as JSON, from which the parent zone is built and re-signed.
import type { Kysely, Migration } from 'kysely';

/** Migration 0004 (same on both dialects). */
export function delegationsTable(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('delegations')
        .addColumn('domain', 'text', (c) => c.primaryKey())
        .addColumn('nameservers', 'text', (c) => c.notNull())
        .addColumn('glue', 'text', (c) => c.notNull())
        .addColumn('ds', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
