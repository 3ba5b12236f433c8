// Migration 0003: the schema_version view — how many migrations ran and the latest one, from Kysely's own
// migration table (its timestamps are Kysely's; ours are always the caller's Clock).
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';

/** Migration 0003 (same on both dialects). */
export function schemaVersionView(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql.raw(`create view schema_version as select max(name) as version, count(*) as migrations from kysely_migration`).execute(db);
    },
  };
}
